"""Content tools (comms and admins): pins, the digest, confirmations, scheduled posts."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import audit
from server.community.access import Viewer, load_viewer, require, visible_post
from server.community.audience import expand
from server.community.sql import fetch, ints
from server.digest.service import SIZE, ranked
from server.errors import ApiError, not_found
from server.models import (
    Channel,
    ConfirmationReminder,
    Department,
    Digest,
    Employee,
    EmployeeStatus,
    Post,
    ReadConfirmation,
    ScheduledPost,
    ScheduleState,
    Store,
)
from server.notifications.service import notify
from server.posts import service as posts
from server.posts.interactions import post_readers
from server.posts.schemas import PostIn
from server.services import Services

log = logging.getLogger(__name__)
CANDIDATES = 20


# --- pins -------------------------------------------------------------------------------


async def pinned_posts(limit: int = 100) -> list[Post]:
    return (
        await Post.filter(pinned=True, deleted_at=None).order_by("-pinned_at", "-id").limit(limit)
    )


# --- the digest -------------------------------------------------------------------------


async def digest_everyone_sees(post_ids: list[int]) -> set[int]:
    """Of these posts, those a digest may carry: not deleted and open to everyone."""
    if not post_ids:
        return set()
    marks = ",".join("?" for _ in post_ids)
    rows = await fetch(
        f"SELECT p.id FROM post p WHERE p.id IN ({marks}) AND p.deleted_at IS NULL AND ("  # noqa: S608 - placeholders only
        "(p.channel_id IS NOT NULL AND p.audience_all) OR "
        "(p.group_id IN (SELECT id FROM community_group WHERE visibility = 'public')) OR "
        "(p.channel_id IS NULL AND p.group_id IS NULL))",
        list(post_ids),
    )
    return {int(r["id"]) for r in rows}


async def edit_digest(actor: Employee, day: date, post_ids: list[int]) -> Digest:
    if len(post_ids) > SIZE:
        raise ApiError(422, "digest_too_long", limit=SIZE)
    if len(set(post_ids)) != len(post_ids):
        raise ApiError(422, "validation_failed", field="post_ids", reason="each post once")
    allowed = await digest_everyone_sees(post_ids)
    if any(i not in allowed for i in post_ids):
        raise ApiError(422, "digest_post_hidden")
    now = datetime.now(UTC)
    async with in_transaction() as conn:
        digest = await Digest.filter(day=day).using_db(conn).first()
        before = list(digest.post_ids) if digest else []
        if digest is None:
            digest = await Digest.create(
                day=day, post_ids=post_ids, edited_by_id=actor.id, edited_at=now, using_db=conn
            )
        else:
            digest.post_ids, digest.edited_by_id, digest.edited_at = post_ids, actor.id, now
            await digest.save(
                update_fields=["post_ids", "edited_by_id", "edited_at"], using_db=conn
            )
        await audit.record(
            actor.id, "digest.edit", f"digest:{day.isoformat()}",
            {"before": before, "after": post_ids},
        )  # fmt: skip
    return digest


async def digest_candidates(day: date, services: Services) -> list[int]:
    return await ranked(day, services.settings.zone, CANDIDATES)


# --- read confirmations -----------------------------------------------------------------


async def confirmation_posts(limit: int = 50) -> list[Post]:
    return await Post.filter(needs_confirmation=True, deleted_at=None).order_by("-id").limit(limit)


async def confirmation_counts(post: Post) -> tuple[set[int], set[int]]:
    """(audience without the author, who of them confirmed)."""
    readers = await post_readers(post) - {post.author_id}
    confirmed = set(
        ints(await ReadConfirmation.filter(post_id=post.id).values_list("employee_id", flat=True))
    )
    return readers, confirmed & readers


async def breakdown(post: Post) -> dict[str, Any]:
    readers, confirmed = await confirmation_counts(post)
    rows = await Employee.filter(id__in=list(readers)).values_list(
        "id", "store_id", "department_id"
    )
    by: dict[str, tuple[Counter[int | None], Counter[int | None]]] = {
        "store": (Counter(), Counter()),
        "department": (Counter(), Counter()),
    }
    for person, store, department in rows:
        for kind, key in (("store", store), ("department", department)):
            audience, done = by[kind]
            audience[key] += 1
            if person in confirmed:
                done[key] += 1
    stores = dict(await Store.all().values_list("id", "name"))
    departments = dict(await Department.all().values_list("id", "name"))

    def table(kind: str, names: dict[Any, Any]) -> list[dict[str, Any]]:
        audience, done = by[kind]
        out = [
            {
                "id": key,
                "name": str(names.get(key, "")) if key is not None else "",
                "audience": n,
                "confirmed": done[key],
            }
            for key, n in audience.items()
        ]
        # The furthest behind first: where a reminder or a call is needed.
        return sorted(out, key=lambda r: (r["confirmed"] / r["audience"], r["name"]))

    reminder = await ConfirmationReminder.get_or_none(post_id=post.id)
    return {
        "post_id": post.id,
        "audience": len(readers),
        "confirmed": len(confirmed),
        "by_store": table("store", stores),
        "by_department": table("department", departments),
        "reminded_at": reminder.sent_at if reminder else None,
        "reminded": reminder.recipients if reminder else 0,
    }


async def remind(services: Services, viewer: Viewer, post_id: int) -> int:
    """One reminder per post, to everyone in its audience who has not confirmed yet."""
    post = await visible_post(viewer, post_id)
    require(viewer.edits_channels or post.author_id == viewer.id)
    if not post.needs_confirmation:
        raise ApiError(422, "no_confirmation_needed")
    readers, confirmed = await confirmation_counts(post)
    missing = sorted(readers - confirmed)
    try:
        async with in_transaction() as conn:
            await ConfirmationReminder.create(
                post_id=post.id, sent_by_id=viewer.id, recipients=len(missing), using_db=conn
            )
            await audit.record(
                viewer.id, "post.confirmations.remind", f"post:{post.id}",
                {"recipients": len(missing)},
            )  # fmt: skip
    except IntegrityError:
        raise ApiError(409, "already_reminded") from None
    headline = next((s.strip() for s in post.body.splitlines() if s.strip()), "")[:120]
    await notify(
        services,
        missing,
        "post.confirm_reminder",
        {"post_id": post.id, "title": headline},
        dedupe=str(post.id),
    )
    return len(missing)


# --- scheduled posts --------------------------------------------------------------------

EDITABLE = ("body", "channel_id", "audience", "banner", "needs_confirmation")


async def check_payload(viewer: Viewer, payload: dict[str, Any]) -> PostIn:
    """What a scheduled post will publish, checked now as the post would be."""
    body = PostIn(**payload)
    require(viewer.edits_channels)
    if body.channel_id is None:
        raise ApiError(422, "validation_failed", field="channel_id", reason="a channel")
    if not await Channel.exists(id=body.channel_id):
        raise not_found()
    if body.audience:
        await expand(body.audience)  # an unknown place or segment is refused now, not later
    return body


def _future(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ApiError(422, "validation_failed", field="publish_at", reason="with a time zone")
    if at <= datetime.now(UTC):
        raise ApiError(422, "schedule_in_past")
    return at.astimezone(UTC)


async def schedule(viewer: Viewer, payload: dict[str, Any], at: datetime) -> ScheduledPost:
    await check_payload(viewer, payload)
    when = _future(at)
    async with in_transaction() as conn:
        row = await ScheduledPost.create(
            author_id=viewer.id, payload=payload, publish_at=when, using_db=conn
        )
        await audit.record(
            viewer.id, "post.schedule", f"scheduled:{row.id}",
            {"publish_at": when.isoformat(), "channel_id": payload.get("channel_id")},
        )  # fmt: skip
    return row


async def _own(viewer: Viewer, scheduled_id: int) -> ScheduledPost:
    require(viewer.edits_channels)
    row = await ScheduledPost.get_or_none(id=scheduled_id)
    if row is None:
        raise not_found()
    return row


async def reschedule(
    viewer: Viewer, scheduled_id: int, payload: dict[str, Any] | None, at: datetime | None
) -> ScheduledPost:
    row = await _own(viewer, scheduled_id)
    changes: dict[str, Any] = {}
    if payload is not None:
        await check_payload(viewer, payload)
        changes["payload"] = payload
    if at is not None:
        changes["publish_at"] = _future(at)
    if changes:
        async with in_transaction() as conn:
            # Only while still scheduled: the worker may have claimed it a moment ago.
            done = (
                await ScheduledPost.filter(id=row.id, state=ScheduleState.SCHEDULED)
                .using_db(conn)
                .update(**changes, updated_at=datetime.now(UTC))
            )
            if not done:
                raise ApiError(409, "schedule_gone")
            await audit.record(
                viewer.id, "post.schedule.edit", f"scheduled:{row.id}",
                {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in changes.items()},
            )  # fmt: skip
    await row.refresh_from_db()
    return row


async def cancel(viewer: Viewer, scheduled_id: int) -> ScheduledPost:
    row = await _own(viewer, scheduled_id)
    async with in_transaction() as conn:
        done = (
            await ScheduledPost.filter(id=row.id, state=ScheduleState.SCHEDULED)
            .using_db(conn)
            .update(state=ScheduleState.CANCELLED, updated_at=datetime.now(UTC))
        )
        if not done:
            raise ApiError(409, "schedule_gone")
        await audit.record(viewer.id, "post.schedule.cancel", f"scheduled:{row.id}", {})
    await row.refresh_from_db()
    return row


class _Taken(Exception):
    """Someone else published this scheduled post first."""


async def publish_one(services: Services, row: ScheduledPost) -> int | None:
    """Publishes one due row, or nothing if another worker did (the post's transaction is
    where the row moves to `published`: both land, or neither)."""
    author = await Employee.get_or_none(id=row.author_id, status=EmployeeStatus.ACTIVE)

    async def fail(reason: str) -> None:
        await ScheduledPost.filter(id=row.id, state=ScheduleState.SCHEDULED).update(
            state=ScheduleState.CANCELLED, error=reason[:300], updated_at=datetime.now(UTC)
        )
        log.warning("scheduled post %s not published: %s", row.id, reason)

    if author is None:
        await fail("the author is no longer active")
        return None
    try:
        body = PostIn(**row.payload)
    except ValidationError as error:
        await fail(str(error))
        return None

    async def claim(conn: BaseDBAsyncClient, post: Post) -> None:
        claimed = (
            await ScheduledPost.filter(id=row.id, state=ScheduleState.SCHEDULED)
            .using_db(conn)
            .update(state=ScheduleState.PUBLISHED, post_id=post.id, updated_at=datetime.now(UTC))
        )
        if claimed != 1:
            raise _Taken

    viewer = await load_viewer(author)
    try:
        post = await posts.create_post(services, viewer, body, claim=claim)
    except _Taken:
        return None
    except ApiError as error:
        await fail(error.code)
        return None
    return post.id


async def publish_due(services: Services, *, at: datetime | None = None) -> list[int]:
    """Every scheduled post whose time has come, oldest first; returns the new posts' ids."""
    now = at or datetime.now(UTC)
    due = await ScheduledPost.filter(state=ScheduleState.SCHEDULED, publish_at__lte=now).order_by(
        "publish_at", "id"
    )
    published: list[int] = []
    for row in due:
        post_id = await publish_one(services, row)
        if post_id is not None:
            published.append(post_id)
    return published
