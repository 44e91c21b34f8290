"""Stories: written with their activity event in one transaction, announced after commit."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from realtime import rooms
from realtime.events import StoryCreated
from server import activity, audit, uploads
from server.errors import forbidden, not_found
from server.models import ActivityEvent, Employee, ItemKind, Role, Story, StoryKind, StoryView
from server.moderation import service as moderation
from server.services import Services

log = logging.getLogger("plaza.stories")

LIFETIME = timedelta(hours=24)
MAX_PINNED_LIFETIME = timedelta(days=7)
EDITORS = frozenset({Role.COMMS, Role.ADMIN})  # may pin company stories
REMOVERS = frozenset({Role.COMMS, Role.ADMIN, Role.MODERATOR})
# Stories whose files one query fetches; a run goes on until none is left.
PURGE_BATCH = 500


def now() -> datetime:
    return datetime.now(UTC)


async def _create(services: Services, me: Employee, **fields: object) -> Story:
    moment = now()
    async with in_transaction() as connection:
        story = await Story.create(
            author=me,
            created_at=moment,
            expires_at=moment + LIFETIME,
            using_db=connection,
            **fields,
        )
        if story.deleted_at is None:  # held for approval: earns once approved
            await _record_created(story, connection)
    if story.deleted_at is None:
        await announce(services, story, me)
    return story


async def _record_created(
    story: Story, connection: BaseDBAsyncClient, at: datetime | None = None
) -> ActivityEvent | None:
    return await activity.record(
        "story.created",
        story.author_id,
        {"story_id": str(story.id), "has_video": False},
        at=at or story.created_at,
        using_db=connection,
    )


async def earn_created(story: Story, connection: BaseDBAsyncClient) -> list[str]:
    """A story held for approval and approved: its `story.created`, recorded now."""
    event = await _record_created(story, connection, at=now())
    return [event.id] if event else []


async def announce(services: Services, story: Story, author: Employee) -> None:
    """The "new story" ring: everyone in the company sees a colleague's story."""
    payload = StoryCreated(
        story_id=story.id,
        author_id=author.id,
        author_name=author.name,
        kind=story.kind.value,
        pinned=story.pinned,
        created_at=story.created_at,
        expires_at=story.expires_at,
    )
    await services.publisher.publish("story.created", payload, rooms.COMPANY)


async def create_text(services: Services, me: Employee, text: str, background: str) -> Story:
    screened = await moderation.screen(me.id, text)
    held = {"deleted_at": now()} if screened.held else {}
    story = await _create(
        services, me, kind=StoryKind.TEXT, text=screened.shown, background=background, **held
    )
    await moderation.flagged(
        services, screened, moderation.Item(ItemKind.STORY, story.id, me.id, text)
    )
    return story


async def create_image(
    services: Services, me: Employee, data: bytes, declared: str, caption: str
) -> Story:
    actual = uploads.checked_type(data, declared, uploads.IMAGE_TYPES)
    path = await uploads.save(services.settings.uploads_dir / "stories", str(me.id), data, actual)
    return await _create(
        services, me, kind=StoryKind.IMAGE, text=caption, image_path=str(path), image_type=actual
    )


def _live() -> dict[str, Any]:
    return {"deleted_at": None, "expires_at__gt": now()}


@dataclass
class Ring:
    author: Employee
    stories: list[Story]
    seen_ids: set[int]
    pinned: bool
    held_ids: set[int] = field(default_factory=set)  # mine, waiting for approval


async def rings(me: Employee) -> list[Ring]:
    """Live stories grouped by author: pinned company stories first, then unseen rings,
    then seen ones, newest first within each. My own stories held for a moderator's
    approval are in my ring too (marked), never in anyone else's list."""
    held = await moderation.held_of(me.id, ItemKind.STORY)
    shown = Q(deleted_at=None)
    if held:
        shown |= Q(id__in=sorted(held), author_id=me.id)
    stories = (
        await Story.filter(shown, expires_at__gt=now())
        .select_related("author")
        .order_by("created_at")
    )
    views = StoryView.filter(viewer_id=me.id, story_id__in=[s.id for s in stories])
    seen: set[int] = {row["story_id"] for row in await views.values("story_id")}
    by_author: dict[int, Ring] = {}
    for story in stories:
        ring = by_author.setdefault(story.author_id, Ring(story.author, [], set(), False))
        ring.stories.append(story)
        ring.pinned = ring.pinned or story.pinned
        if story.id in seen:
            ring.seen_ids.add(story.id)
        if story.deleted_at is not None:
            ring.held_ids.add(story.id)
    return sorted(
        by_author.values(),
        key=lambda r: (
            not r.pinned,
            len(r.seen_ids) == len(r.stories),
            -r.stories[-1].created_at.timestamp(),
        ),
    )


async def _mine_held(me: Employee, story_id: int) -> Story | None:
    """My story waiting for approval (live): I may open it, the others get 404."""
    if not await moderation.held_of(me.id, ItemKind.STORY, [story_id]):
        return None
    return await Story.get_or_none(id=story_id, author_id=me.id, expires_at__gt=now())


async def _live_story(story_id: int) -> Story:
    story = await Story.get_or_none(id=story_id, **_live())
    if story is None:
        raise not_found()
    return story


async def view(me: Employee, story_id: int) -> None:
    """Mark seen; the first view by each person records `story.viewed` (once: a
    deterministic event id), in the same transaction as the view row."""
    if await _mine_held(me, story_id) is not None:
        return  # my own, waiting for approval: nothing to count
    story = await _live_story(story_id)
    if story.author_id == me.id or await StoryView.exists(story_id=story.id, viewer_id=me.id):
        return
    async with in_transaction() as connection:
        await StoryView.create(story=story, viewer=me, using_db=connection)
        await activity.record(
            "story.viewed",
            me.id,
            {"story_id": str(story.id), "story_author_id": str(story.author_id)},
            subject_id=story.author_id,
            event_id=activity.deterministic_id("story.viewed", story.id, me.id),
            using_db=connection,
        )


async def viewers(me: Employee, story_id: int) -> list[StoryView]:
    story = await Story.get_or_none(id=story_id, deleted_at=None) or await _mine_held(me, story_id)
    if story is None:
        raise not_found()
    if story.author_id != me.id and me.role not in EDITORS:
        raise forbidden()
    return await StoryView.filter(story_id=story.id).select_related("viewer").order_by("-viewed_at")


async def pin(services: Services, me: Employee, story_id: int, pinned: bool, hours: int) -> Story:
    """Comms pins a company story: first for everyone, kept up to 7 days."""
    if me.role not in EDITORS:
        raise forbidden()
    story = await _live_story(story_id)
    story.pinned = pinned
    lifetime = min(timedelta(hours=hours), MAX_PINNED_LIFETIME) if pinned else LIFETIME
    story.expires_at = story.created_at + lifetime
    async with in_transaction() as conn:
        await story.save(update_fields=["pinned", "expires_at"], using_db=conn)
        await audit.record(
            me.id, "story.pin" if pinned else "story.unpin", f"story:{story.id}",
            {"hours": hours if pinned else 0},
        )  # fmt: skip
    if pinned:
        await story.fetch_related("author")
        await announce(services, story, story.author)
    return story


async def remove(me: Employee, story_id: int) -> None:
    story = await Story.get_or_none(id=story_id, deleted_at=None)
    if story is None:
        raise not_found()
    if story.author_id != me.id and me.role not in REMOVERS:
        raise forbidden()
    story.deleted_at = now()
    async with in_transaction() as conn:
        await story.save(update_fields=["deleted_at"], using_db=conn)
        if story.author_id != me.id:
            await audit.record(me.id, "story.remove", f"story:{story.id}", {})
    if story.image_path:
        await asyncio.to_thread(Path(story.image_path).unlink, missing_ok=True)


async def image(story_id: int) -> tuple[bytes, str]:
    story = await _live_story(story_id)
    if not story.image_path:
        raise not_found()
    try:
        data = await asyncio.to_thread(Path(story.image_path).read_bytes)
    except FileNotFoundError:
        raise not_found() from None
    return data, story.image_type or "application/octet-stream"


def _unlink_in(folder: Path, files: list[tuple[int, str]]) -> list[int]:
    """Delete the files under `folder` (off the event loop: blocking file system calls);
    the ids of the stories whose file is gone now."""
    folder = folder.resolve()
    gone = []
    for story_id, path in files:
        file = Path(path).resolve()
        if not file.is_relative_to(folder):
            log.warning("story %s: image %s is outside %s; left alone", story_id, path, folder)
            continue
        file.unlink(missing_ok=True)
        gone.append(story_id)
    return gone


async def delete_expired_files(uploads_dir: Path, *, at: datetime | None = None) -> int:
    """Delete the image files of stories that have expired or were deleted, and forget
    their paths; returns how many. Every route hides such a story already; its file only
    took disk space. The rows stay: the author's viewers, the activity events and the
    moderators keep who posted what (caption, kind, times).

    Safe to run twice, or after a crash half-way: the file goes first, the path after, so
    a path whose file is already gone is forgotten by the next run. A path outside the
    stories folder is never deleted (logged and left for an administrator)."""
    moment = at or now()
    gone = 0
    after = 0
    while True:
        rows = (
            await Story.filter(Q(expires_at__lte=moment) | Q(deleted_at__not_isnull=True))
            .filter(image_path__not_isnull=True, id__gt=after)
            .order_by("id")
            .limit(PURGE_BATCH)
            .values_list("id", "image_path")
        )
        if not rows:
            return gone
        files = [(int(i), str(p)) for i, p in rows]
        after = files[-1][0]
        done = await asyncio.to_thread(_unlink_in, uploads_dir / "stories", files)
        if done:
            gone += await Story.filter(id__in=done).update(image_path=None)
