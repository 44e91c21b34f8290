"""Moderation: screening what people write (mutes and watched words), reports, the queue
and what moderators do with an item. Every moderator action writes an audit row in its own
transaction, and the author is told after the commit.

Hidden and held items use the `deleted_at` every list already leaves out; the case's
status says whether that is a moderator's hide (restorable), a hold (waiting for approval)
or a deletion. The original text stays on the row and, for deletions, in the archive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import F
from tortoise.functions import Count, Max
from tortoise.transactions import in_transaction

from server import activity, audit
from server.community.sql import ints
from server.errors import ApiError, not_found
from server.models import (
    ActivityEvent,
    CaseStatus,
    ChatArchiveAction,
    ChatMember,
    ChatMessage,
    Comment,
    Employee,
    ItemKind,
    ModerationCase,
    Mute,
    Post,
    Report,
    ReportOutcome,
    Story,
    WatchedWord,
)
from server.moderation.words import Action, Entry, Hit, Kind, Matcher, mask, verdict
from server.notifications.service import notify
from server.services import Services

EXCERPT = 500
# How much a report weighs: 0.5 plus the reporter's past accuracy, (upheld + 1) /
# (decided + 2), so a newcomer's report weighs 1, one who is always right 1.5 and one who
# is always wrong 0.5. A flag weighs 1; a held item waits for someone, so it goes first.
HELD_BOOST = 5.0
OPEN = (CaseStatus.OPEN, CaseStatus.HELD)


@dataclass
class Screen:
    """What the watched words say about a text: the action to take and the text to show."""

    text: str
    hits: list[Hit] = field(default_factory=list)

    @property
    def action(self) -> Action | None:
        return verdict(self.hits)

    @property
    def shown(self) -> str:
        return mask(self.text, self.hits)

    @property
    def held(self) -> bool:
        return self.action is Action.HOLD

    def matched(self) -> list[dict[str, Any]]:
        return [
            {
                "entry_id": h.entry.id,
                "pattern": h.entry.pattern,
                "action": h.entry.action.value,
                "text": h.text,
            }
            for h in self.hits
            if h.entry.action in (Action.FLAG, Action.HOLD)
        ]


# --- the matcher, compiled once per process and rebuilt when the entries change ---------

_cache: dict[str, Any] = {"version": None, "matcher": Matcher([])}


async def matcher() -> Matcher:
    # One aggregate per check (count and newest change) instead of loading 2,000 rows:
    # a deletion changes the count, a creation or an edit the newest time.
    row = await WatchedWord.annotate(n=Count("id"), t=Max("updated_at")).values("n", "t")
    version = (row[0]["n"], str(row[0]["t"])) if row else (0, "")
    if version != _cache["version"]:
        entries = await WatchedWord.all()
        _cache["matcher"] = Matcher(
            Entry(w.id, w.pattern, Kind(w.kind), Action(w.action)) for w in entries
        )
        _cache["version"] = version
    result: Matcher = _cache["matcher"]
    return result


async def muted_until(employee_id: int) -> datetime | None:
    mute = await Mute.get_or_none(employee_id=employee_id, until__gt=datetime.now(UTC))
    return mute.until if mute else None


async def screen(author_id: int, text: str) -> Screen:
    """Before anything is stored: a muted author is refused (403 `muted`), a text that hits
    a block entry is refused (422 `watched_word_blocked`, naming the entry)."""
    until = await muted_until(author_id)
    if until is not None:
        stamp = until.strftime("%Y-%m-%d %H:%M UTC")
        raise ApiError(403, "muted", until=stamp, extra={"until": until.isoformat()})
    found = Screen(text, (await matcher()).check(text) if text else [])
    if found.action is Action.BLOCK:
        hit = next(h for h in found.hits if h.entry.action is Action.BLOCK)
        raise ApiError(
            422,
            "watched_word_blocked",
            pattern=hit.entry.pattern,
            word=hit.text,
            extra={"rule": {"id": hit.entry.id, "pattern": hit.entry.pattern}},
        )
    return found


@dataclass(frozen=True)
class Item:
    kind: ItemKind
    target_id: int
    author_id: int
    excerpt: str
    post_id: int | None = None
    chat_id: int | None = None


async def _weight(reporter_id: int) -> float:
    decided = [
        str(o)
        for o in await Report.filter(reporter_id=reporter_id, outcome__isnull=False).values_list(
            "outcome", flat=True
        )
    ]
    upheld = sum(1 for o in decided if o == ReportOutcome.UPHELD.value)
    return 0.5 + (upheld + 1) / (len(decided) + 2)


async def _reprioritise(case: ModerationCase) -> None:
    reporters = ints(
        await Report.filter(case_id=case.id, outcome__isnull=True).values_list(
            "reporter_id", flat=True
        )
    )
    weights = [await _weight(r) for r in reporters]
    case.reports = len(weights)
    case.priority = round(
        case.flags + sum(weights) + (HELD_BOOST if case.status is CaseStatus.HELD else 0), 3
    )
    await case.save(update_fields=["reports", "priority", "updated_at"])


async def _case_for(item: Item) -> ModerationCase:
    case, _ = await ModerationCase.get_or_create(
        kind=item.kind,
        target_id=item.target_id,
        defaults={
            "author_id": item.author_id,
            "post_id": item.post_id,
            "chat_id": item.chat_id,
            "excerpt": item.excerpt[:EXCERPT],
        },
    )
    return case


async def flagged(services: Services, found: Screen, item: Item) -> None:
    """After a flagged or held item is stored: its case enters the queue."""
    if found.action not in (Action.FLAG, Action.HOLD):
        return
    case = await _case_for(item)
    case.flags += 1
    case.matched = found.matched()
    case.excerpt = item.excerpt[:EXCERPT]
    if found.held:
        case.status = CaseStatus.HELD
    elif case.status not in OPEN:
        case.status = CaseStatus.OPEN
    await case.save()
    await _reprioritise(case)
    if found.held:
        await notify(
            services,
            [item.author_id],
            "moderation.held",
            _about(case),
            f"held:{case.id}:{case.flags}",
        )


async def held_of(author_id: int, kind: ItemKind, ids: list[int] | None = None) -> set[int]:
    """Which of the author's items wait for approval (all of them when `ids` is None):
    their author still sees them, marked, where the others do not."""
    rows = ModerationCase.filter(kind=kind, author_id=author_id, status=CaseStatus.HELD)
    if ids is not None:
        rows = rows.filter(target_id__in=ids)
    return set(ints(await rows.values_list("target_id", flat=True)))


# --- reports -------------------------------------------------------------------------


async def _reportable(me: Employee, kind: ItemKind, target_id: int) -> Item:
    """The item, if the reporter may see it (otherwise 404, as for reading it)."""
    from server.community.access import load_viewer, visible_post

    if kind is ItemKind.POST:
        post = await visible_post(await load_viewer(me), target_id)
        return Item(kind, post.id, post.author_id, post.body, post_id=post.id)
    if kind is ItemKind.COMMENT:
        comment = await Comment.get_or_none(id=target_id, deleted_at=None)
        if comment is None:
            raise not_found()
        await visible_post(await load_viewer(me), comment.post_id)
        return Item(kind, comment.id, comment.author_id, comment.body, post_id=comment.post_id)
    if kind is ItemKind.MESSAGE:
        message = await ChatMessage.get_or_none(id=target_id, deleted_at=None)
        if message is None or not await ChatMember.exists(
            chat_id=message.chat_id, employee_id=me.id
        ):
            raise not_found()
        return Item(kind, message.id, message.author_id, message.body, chat_id=message.chat_id)
    story = await Story.get_or_none(id=target_id, deleted_at=None)
    if story is None:
        raise not_found()
    return Item(kind, story.id, story.author_id, story.text)


async def report(me: Employee, kind: ItemKind, target_id: int, reason: str) -> ModerationCase:
    item = await _reportable(me, kind, target_id)
    if item.author_id == me.id:
        raise ApiError(422, "report_own")
    case = await _case_for(item)
    if await Report.exists(case_id=case.id, reporter_id=me.id, outcome__isnull=True):
        raise ApiError(409, "already_reported")
    # A report after a decision opens the case again: it may be about a new edit.
    await Report.filter(case_id=case.id, reporter_id=me.id).delete()
    await Report.create(case_id=case.id, reporter_id=me.id, reason=reason.strip())
    if case.status is CaseStatus.RESOLVED:
        case.status = CaseStatus.OPEN
        case.excerpt = item.excerpt[:EXCERPT]
        await case.save(update_fields=["status", "excerpt", "updated_at"])
    await _reprioritise(case)
    return case


# --- the queue -----------------------------------------------------------------------


async def queue(state: str, limit: int) -> list[ModerationCase]:
    if state == "open":
        rows = ModerationCase.filter(status__in=OPEN).order_by("-priority", "-id")
    else:
        rows = ModerationCase.exclude(status__in=OPEN).order_by("-updated_at", "-id")
    return await rows.limit(limit)


async def reports_of(case_ids: list[int]) -> dict[int, list[Report]]:
    found: dict[int, list[Report]] = {}
    for r in await Report.filter(case_id__in=case_ids).order_by("id"):
        found.setdefault(r.case_id, []).append(r)
    return found


async def mutes_of(employee_ids: list[int]) -> dict[int, datetime]:
    now = datetime.now(UTC)
    rows = await Mute.filter(employee_id__in=employee_ids, until__gt=now)
    return {m.employee_id: m.until for m in rows}


# --- what moderators do ----------------------------------------------------------------

ACTIONS = ("hide", "restore", "delete", "warn", "mute", "dismiss", "approve")
MAX_MUTE_MINUTES = 60 * 24 * 90


def _about(case: ModerationCase) -> dict[str, Any]:
    return {
        "case_id": case.id,
        "item": case.kind.value,
        "target_id": case.target_id,
        "post_id": case.post_id,
        "chat_id": case.chat_id,
        "excerpt": case.excerpt[:140],
    }


async def _set_visible(services: Services, case: ModerationCase, visible: bool) -> None:
    """Hide (or show again) the item, with what its lists and live events need."""
    from server.chat.service import _publish
    from server.posts import live
    from server.search import index

    stamp = None if visible else datetime.now(UTC)
    if case.kind is ItemKind.POST:
        post = await Post.get_or_none(id=case.target_id)
        if post is None or (post.deleted_at is None) == visible:
            return
        post.deleted_at = stamp
        await post.save(update_fields=["deleted_at"])
        if visible:
            await index.put("post", post.id, post.body, post_id=post.id)
            await live.post_created(services, post)
        else:
            await index.remove("post", post.id)
            await live.post_deleted(services, post)
    elif case.kind is ItemKind.COMMENT:
        comment = await Comment.get_or_none(id=case.target_id)
        if comment is None or (comment.deleted_at is None) == visible:
            return
        comment.deleted_at = stamp
        await comment.save(update_fields=["deleted_at"])
        step = 1 if visible else -1
        await Post.filter(id=comment.post_id).update(comment_count=F("comment_count") + step)
        post = await Post.get(id=comment.post_id)
        if visible:
            await index.put("comment", comment.id, comment.body, post_id=post.id)
            await live.comment_created(services, post, comment)
        else:
            await index.remove("comment", comment.id)
            await live.comment_deleted(services, post)
    elif case.kind is ItemKind.MESSAGE:
        message = await ChatMessage.get_or_none(id=case.target_id)
        if message is None or (message.deleted_at is None) == visible:
            return
        message.deleted_at = stamp
        await message.save(update_fields=["deleted_at"])
        await _publish(services, message, "new" if visible else "deleted")
    else:
        changed = await Story.filter(id=case.target_id).update(deleted_at=stamp)
        story = await Story.get_or_none(id=case.target_id).select_related("author")
        if visible and changed and story is not None:
            from server.stories import service as stories

            await stories.announce(services, story, story.author)  # the rings refresh


async def _archive_deleted(case: ModerationCase, moderator: Employee) -> None:
    """A moderator's deletion keeps the original in the archive, as an author's does (the
    same archiving step as the posts', comments' and chat's own delete paths; not those
    paths whole: they record `post.deleted`/`comment.deleted`, and refuse a hidden item)."""
    from server.chat import service as chat
    from server.posts import interactions
    from server.posts import service as posts

    if case.kind is ItemKind.POST:
        post = await Post.get_or_none(id=case.target_id)
        if post is not None:
            await posts.archive_deleted(post, moderator.id)
    elif case.kind is ItemKind.COMMENT:
        comment = await Comment.get_or_none(id=case.target_id)
        if comment is not None:
            await interactions.archive_deleted(comment, moderator.id)
    elif case.kind is ItemKind.MESSAGE:
        message = await ChatMessage.get_or_none(id=case.target_id)
        if message is not None:
            await chat.archive_message(message, ChatArchiveAction.DELETE, moderator)


# What an item earns by when it is created: its event type and the field naming it.
_CREATED = {
    ItemKind.POST: ("post.created", "post_id"),
    ItemKind.COMMENT: ("comment.created", "comment_id"),
    ItemKind.STORY: ("story.created", "story_id"),
}


async def _earn(case: ModerationCase) -> list[str]:
    """Held content earns nothing until approved: its creation recorded no events, and the
    approval (or a restore after a rejection was undone) records them now. An item that
    already earned (published, then held on an edit, or hidden and restored) earns nothing
    more; a rejected item never reaches here."""
    from server.posts import interactions
    from server.posts import service as posts
    from server.stories import service as stories

    if case.kind not in _CREATED:
        return []  # chat messages earn nothing
    item: Post | Comment | Story | None
    if case.kind is ItemKind.POST:
        item = await Post.get_or_none(id=case.target_id, deleted_at=None)
    elif case.kind is ItemKind.COMMENT:
        item = await Comment.get_or_none(id=case.target_id, deleted_at=None)
    else:
        item = await Story.get_or_none(id=case.target_id, deleted_at=None)
    if item is None:
        return []
    type_, field_ = _CREATED[case.kind]
    async with in_transaction() as conn:
        earned = await (
            ActivityEvent.filter(
                type=type_, actor_id=item.author_id, at__gte=item.created_at - timedelta(seconds=1)
            )
            .using_db(conn)
            .values_list("data", flat=True)
        )
        if any(isinstance(d, dict) and d.get(field_) == str(item.id) for d in earned):
            return []
        if isinstance(item, Post):
            return await posts.earn_created(item, conn)
        if isinstance(item, Comment):
            return await interactions.earn_created(item, conn)
        return await stories.earn_created(item, conn)


async def act(
    services: Services,
    moderator: Employee,
    case_id: int,
    action: str,
    note: str,
    minutes: int | None,
) -> ModerationCase:
    case = await ModerationCase.get_or_none(id=case_id)
    if case is None:
        raise not_found()
    before = case.status
    now = datetime.now(UTC)
    detail: dict[str, Any] = {"case_id": case.id, "item": f"{case.kind.value}:{case.target_id}"}
    if note:
        detail["note"] = note
    outcome: ReportOutcome | None = None
    kind = f"moderation.{action}"
    payload = {**_about(case), "note": note}
    if action in ("hide", "delete"):
        if before is CaseStatus.DELETED:
            raise ApiError(409, "case_closed")
        case.status = CaseStatus.HIDDEN if action == "hide" else CaseStatus.DELETED
        outcome = ReportOutcome.UPHELD
    elif action in ("restore", "approve"):
        if before not in (CaseStatus.HIDDEN, CaseStatus.HELD):
            raise ApiError(409, "nothing_to_restore")
        case.status = CaseStatus.RESOLVED
    elif action == "dismiss":
        if before not in OPEN:
            raise ApiError(409, "case_closed")
        if before is CaseStatus.HELD:
            raise ApiError(409, "held_needs_decision")
        case.status = CaseStatus.RESOLVED
        outcome = ReportOutcome.DISMISSED
    elif action == "warn":
        case.warned = True
        outcome = ReportOutcome.UPHELD
    elif action == "mute":
        if not minutes or not 1 <= minutes <= MAX_MUTE_MINUTES:
            raise ApiError(
                422, "validation_failed", field="minutes", reason=f"1 to {MAX_MUTE_MINUTES}"
            )
        until = now + timedelta(minutes=minutes)
        detail["until"] = until.isoformat()
        payload["until"] = until.isoformat()
        outcome = ReportOutcome.UPHELD
    else:
        raise ApiError(422, "validation_failed", field="action", reason=", ".join(ACTIONS))
    case.decided_by_id = moderator.id
    case.decided_at = now
    async with in_transaction() as conn:
        await case.save(using_db=conn)
        if outcome is not None:
            await (
                Report.filter(case_id=case.id, outcome__isnull=True)
                .using_db(conn)
                .update(outcome=outcome)
            )
        if action == "mute":
            await Mute.update_or_create(
                employee_id=case.author_id,
                defaults={"until": now + timedelta(minutes=minutes or 0), "reason": note,
                          "by_id": moderator.id},
                using_db=conn,
            )  # fmt: skip
        await audit.record(moderator.id, kind, f"employee:{case.author_id}", detail)
    if action == "delete":
        await _archive_deleted(case, moderator)
    if action in ("hide", "delete"):
        await _set_visible(services, case, visible=False)
    elif action in ("restore", "approve"):
        await _set_visible(services, case, visible=True)
        await activity.hand_off(services, await _earn(case))
    if action != "dismiss":
        await notify(services, [case.author_id], kind, payload, f"{case.id}:{now.timestamp()}")
    return case


# --- watched words ---------------------------------------------------------------------


async def add_word(
    moderator: Employee, pattern: str, kind: Kind, action: Action, note: str
) -> WatchedWord:
    if await WatchedWord.exists(pattern=pattern, kind=kind):
        raise ApiError(409, "word_exists")
    async with in_transaction() as conn:
        word = await WatchedWord.create(
            pattern=pattern, kind=kind, action=action, note=note, created_by_id=moderator.id,
            using_db=conn,
        )  # fmt: skip
        await audit.record(
            moderator.id,
            "moderation.word.create",
            f"watched_word:{word.id}",
            {"pattern": pattern, "kind": kind.value, "action": action.value},
        )
    return word


async def change_word(moderator: Employee, word_id: int, changes: dict[str, Any]) -> WatchedWord:
    word = await WatchedWord.get_or_none(id=word_id)
    if word is None:
        raise not_found()
    before = {k: str(getattr(word, k)) for k in changes}
    for k, v in changes.items():
        setattr(word, k, v)
    async with in_transaction() as conn:
        await word.save(using_db=conn)
        await audit.record(
            moderator.id,
            "moderation.word.update",
            f"watched_word:{word.id}",
            {"before": before, "after": {k: str(v) for k, v in changes.items()}},
        )
    return word


async def remove_word(moderator: Employee, word_id: int) -> None:
    word = await WatchedWord.get_or_none(id=word_id)
    if word is None:
        raise not_found()
    async with in_transaction() as conn:
        await word.delete(using_db=conn)
        await audit.record(
            moderator.id,
            "moderation.word.delete",
            f"watched_word:{word_id}",
            {"pattern": word.pattern, "kind": word.kind.value, "action": word.action.value},
        )
