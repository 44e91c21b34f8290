"""What people do with a post: comment (one level of replies), react, view, confirm."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from server import activity
from server.caching import invalidate
from server.community.access import MODERATORS, Viewer, can_moderate_post, require, visible_post
from server.community.audience import members_of
from server.community.sql import ints
from server.errors import ApiError, not_found
from server.models import (
    ActivityEvent,
    ArchivedText,
    ArchiveReason,
    Comment,
    Employee,
    GroupMember,
    ItemKind,
    MemberState,
    Post,
    PostAudience,
    PostView,
    Reaction,
    ReadConfirmation,
)
from server.moderation import service as moderation
from server.moderation.service import Item
from server.notifications.service import notify
from server.posts import live
from server.posts.render import render
from server.search import index
from server.services import Services

# A fixed set, addressed by name in URLs (PUT /api/posts/1/reactions/like) or by the emoji.
EMOJI = {
    "like": "👍",
    "heart": "❤️",
    "laugh": "😂",
    "wow": "😮",
    "sad": "😢",
    "party": "🎉",
    "clap": "👏",
    "fire": "🔥",
}
_BY_CHAR = {v: k for k, v in EMOJI.items()}


def emoji_name(value: str) -> str:
    name = value if value in EMOJI else _BY_CHAR.get(value)
    if name is None:
        raise ApiError(422, "validation_failed", field="emoji", reason="one of " + ", ".join(EMOJI))
    return name


async def add_comment(
    services: Services, viewer: Viewer, post_id: int, text: str, parent_id: int | None
) -> Comment:
    post = await visible_post(viewer, post_id)
    if parent_id is not None:
        parent = await Comment.get_or_none(id=parent_id, post_id=post.id, deleted_at=None)
        if parent is None:
            raise ApiError(422, "validation_failed", field="parent_id", reason="no such comment")
        if parent.parent_id is not None:
            parent_id = parent.parent_id  # replies stay one level deep: answer the thread
    screened = await moderation.screen(viewer.id, text)
    rendered = render(screened.shown)
    now = datetime.now(UTC)
    async with in_transaction() as conn:
        comment = await Comment.create(
            post_id=post.id,
            author_id=viewer.id,
            parent_id=parent_id,
            body=text,
            html=rendered.html,
            created_at=now,
            deleted_at=now if screened.held else None,  # held: shown once approved
            using_db=conn,
        )
        event = None
        if not screened.held:
            await (
                Post.filter(id=post.id).using_db(conn).update(comment_count=F("comment_count") + 1)
            )
            await index.put("comment", comment.id, text, post_id=post.id, using_db=conn)
            # Held content earns once approved (`earn_created`).
            event = await _record_created(post, comment, conn)
    await activity.hand_off(services, [event.id] if event else [])
    await moderation.flagged(services, screened, _item(comment))
    if screened.held:
        return comment
    await live.comment_created(services, post, comment)
    await services.enqueue(
        "fan_out_mentions",
        post.id,
        comment.id,
        job_id=services.keys.job_id("mentions", f"{post.id}:c{comment.id}"),
    )
    return comment


async def _record_created(
    post: Post, comment: Comment, conn: BaseDBAsyncClient, at: datetime | None = None
) -> ActivityEvent | None:
    return await activity.record(
        "comment.created",
        comment.author_id,
        {
            "comment_id": str(comment.id),
            "post_id": str(post.id),
            "post_author_id": str(post.author_id),
            "body_length": len(comment.body),
            "is_reply": comment.parent_id is not None,
        },
        subject_id=post.author_id,
        at=at or comment.created_at,
        using_db=conn,
    )


async def earn_created(comment: Comment, conn: BaseDBAsyncClient) -> list[str]:
    """A comment held for approval and approved: its `comment.created`, recorded now."""
    post = await Post.filter(id=comment.post_id).using_db(conn).get()
    event = await _record_created(post, comment, conn, at=datetime.now(UTC))
    return [event.id] if event else []


def _item(comment: Comment) -> Item:
    return Item(
        ItemKind.COMMENT, comment.id, comment.author_id, comment.body, post_id=comment.post_id
    )


async def list_comments(
    viewer: Viewer, post_id: int, after: int, limit: int
) -> tuple[list[Comment], bool]:
    mine = await Post.get_or_none(id=post_id, author_id=viewer.id, deleted_at__not_isnull=True)
    if mine is not None and await moderation.held_of(viewer.id, ItemKind.POST, [mine.id]):
        return [], False  # my post waiting for approval: nobody could comment yet
    post = await visible_post(viewer, post_id)
    # My own comments waiting for approval are shown to me (marked), to nobody else.
    held = await moderation.held_of(viewer.id, ItemKind.COMMENT)
    shown = (
        Q(deleted_at=None) | Q(id__in=list(held), author_id=viewer.id)
        if held
        else Q(deleted_at=None)
    )
    rows = (
        await Comment.filter(shown, post_id=post.id, id__gt=after).order_by("id").limit(limit + 1)
    )
    return rows[:limit], len(rows) > limit


async def _my_comment(viewer: Viewer, comment_id: int) -> tuple[Comment, Post]:
    comment = await Comment.get_or_none(id=comment_id, deleted_at=None)
    if comment is None:
        raise not_found()
    post = await visible_post(viewer, comment.post_id)
    return comment, post


async def edit_comment(services: Services, viewer: Viewer, comment_id: int, text: str) -> Comment:
    comment, post = await _my_comment(viewer, comment_id)
    require(comment.author_id == viewer.id or viewer.is_moderator)
    screened = await moderation.screen(viewer.id, text)
    async with in_transaction() as conn:
        await ArchivedText.create(
            post_id=comment.post_id,
            comment_id=comment.id,
            author_id=comment.author_id,
            editor_id=viewer.id,
            reason=ArchiveReason.EDITED,
            body=comment.body,
            written_at=comment.edited_at or comment.created_at,
            using_db=conn,
        )
        comment.body, comment.html = text, render(screened.shown).html
        comment.edited_at = datetime.now(UTC)
        if screened.held:
            comment.deleted_at = comment.edited_at
            await (
                Post.filter(id=post.id).using_db(conn).update(comment_count=F("comment_count") - 1)
            )
            await index.remove("comment", comment.id, using_db=conn)
        else:
            await index.put("comment", comment.id, text, post_id=comment.post_id, using_db=conn)
        await comment.save(update_fields=["body", "html", "edited_at", "deleted_at"], using_db=conn)
    await moderation.flagged(services, screened, _item(comment))
    if screened.held:
        await live.comment_deleted(services, post)
    return comment


async def archive_deleted(
    comment: Comment, editor_id: int, using_db: BaseDBAsyncClient | None = None
) -> ArchivedText:
    """The deleted comment's text kept in the archive: by its author, a group's or a
    moderator's deletion (the moderation queue's "delete" too)."""
    return await ArchivedText.create(
        post_id=comment.post_id,
        comment_id=comment.id,
        author_id=comment.author_id,
        editor_id=editor_id,
        reason=ArchiveReason.DELETED,
        body=comment.body,
        written_at=comment.edited_at or comment.created_at,
        using_db=using_db,
    )


async def delete_comment(services: Services, viewer: Viewer, comment_id: int) -> None:
    comment, post = await _my_comment(viewer, comment_id)
    require(comment.author_id == viewer.id or can_moderate_post(viewer, post))
    async with in_transaction() as conn:
        await archive_deleted(comment, viewer.id, conn)
        comment.deleted_at = datetime.now(UTC)
        await comment.save(update_fields=["deleted_at"], using_db=conn)
        await Post.filter(id=post.id).using_db(conn).update(comment_count=F("comment_count") - 1)
        await index.remove("comment", comment.id, using_db=conn)
        event = await activity.record(
            "comment.deleted",
            comment.author_id,
            {"comment_id": str(comment.id), "post_id": str(post.id)},
            using_db=conn,
        )
    await activity.hand_off(services, [event.id] if event else [])
    await live.comment_deleted(services, post)


async def react(
    services: Services, viewer: Viewer, post_id: int, emoji: str, on: bool
) -> tuple[dict[str, int], list[str]]:
    """PUT and DELETE are idempotent: a second PUT adds nothing and records nothing."""
    post = await visible_post(viewer, post_id)
    name = emoji_name(emoji)
    event_id = None
    async with in_transaction() as conn:
        existing = await Reaction.get_or_none(
            post_id=post.id, employee_id=viewer.id, emoji=name, using_db=conn
        )
        if on and existing is None:
            await Reaction.create(post_id=post.id, employee_id=viewer.id, emoji=name, using_db=conn)
            delta = 1
        elif not on and existing is not None:
            await existing.delete(using_db=conn)
            delta = -1
        else:
            delta = 0
        if delta:
            await (
                Post.filter(id=post.id)
                .using_db(conn)
                .update(reaction_count=F("reaction_count") + delta)
            )
            event = await activity.record(
                "reaction.added" if on else "reaction.removed",
                viewer.id,
                {"post_id": str(post.id), "post_author_id": str(post.author_id), "emoji": name},
                subject_id=post.author_id,
                using_db=conn,
            )
            event_id = event.id if event else None
    await activity.hand_off(services, [event_id] if event_id else [])
    counts, mine = await reactions_of(viewer, post.id)
    if delta:
        await live.reaction_changed(services, post, counts, viewer.id, name, on)
    if delta > 0 and viewer.id != post.author_id:
        # Once per person, post and emoji: taking a reaction back and giving it again
        # does not notify the author twice.
        payload = {"post_id": post.id, "emoji": name, "by": viewer.id}
        await notify(
            services, [post.author_id], "reaction", payload, f"p{post.id}:{viewer.id}:{name}"
        )
    return counts, mine


async def reactions_of(viewer: Viewer, post_id: int) -> tuple[dict[str, int], list[str]]:
    counts: dict[str, int] = {}
    mine: list[str] = []
    for employee_id, emoji in await Reaction.filter(post_id=post_id).values_list(
        "employee_id", "emoji"
    ):
        counts[emoji] = counts.get(emoji, 0) + 1
        if employee_id == viewer.id:
            mine.append(emoji)
    return counts, sorted(mine)


async def note_view(services: Services, viewer: Viewer, post: Post) -> bool:
    """Counted once per employee and post (the unique row decides); the author's own views
    do not count."""
    if post.author_id == viewer.id:
        return False
    if await PostView.exists(post_id=post.id, employee_id=viewer.id):
        return False
    try:
        async with in_transaction() as conn:
            await PostView.create(post_id=post.id, employee_id=viewer.id, using_db=conn)
            await Post.filter(id=post.id).using_db(conn).update(view_count=F("view_count") + 1)
            event = await activity.record(
                "post.viewed",
                viewer.id,
                {"post_id": str(post.id), "post_author_id": str(post.author_id)},
                subject_id=post.author_id,
                event_id=activity.deterministic_id("post.viewed", post.id, viewer.id),
                using_db=conn,
            )
    except IntegrityError:  # the same person viewing in two tabs at once
        return False
    await activity.hand_off(services, [event.id] if event else [])
    await live.views_changed(services, post)
    return True


async def confirm_read(services: Services, viewer: Viewer, post_id: int) -> None:
    post = await visible_post(viewer, post_id)
    if not post.needs_confirmation:
        raise ApiError(409, "no_confirmation_needed")
    if await ReadConfirmation.exists(post_id=post.id, employee_id=viewer.id):
        return
    async with in_transaction() as conn:
        await ReadConfirmation.create(post_id=post.id, employee_id=viewer.id, using_db=conn)
        event = await activity.record(
            "post.read_confirmed",
            viewer.id,
            {"post_id": str(post.id)},
            event_id=activity.deterministic_id("post.read_confirmed", post.id, viewer.id),
            using_db=conn,
        )
    await activity.hand_off(services, [event.id] if event else [])
    # My feed shows the post as confirmed from now on (`confirmed` is kept with my viewer).
    await invalidate(services.redis, services.keys, viewers=[viewer.id])


async def post_readers(post: Post) -> set[int]:
    """Active employees who may see the post (its whole audience)."""
    if post.group_id is not None:
        ids = await GroupMember.filter(
            group_id=post.group_id, state=MemberState.MEMBER, employee__status="active"
        ).values_list("employee_id", flat=True)
        return set(ints(ids))
    if post.audience_all:
        return set(ints(await Employee.filter(status="active").values_list("id", flat=True)))
    tokens = await PostAudience.filter(post_id=post.id).values_list("token", flat=True)
    return await members_of([str(t) for t in tokens])


async def confirmations(viewer: Viewer, post_id: int) -> tuple[list[int], list[int]]:
    """Comms (and the author) see who confirmed reading and who has not yet."""
    post = await visible_post(viewer, post_id)
    require(post.author_id == viewer.id or viewer.edits_channels or viewer.role in MODERATORS)
    confirmed = ints(
        await ReadConfirmation.filter(post_id=post.id)
        .order_by("id")
        .values_list("employee_id", flat=True)
    )
    readers = await post_readers(post)
    return confirmed, sorted(readers - set(confirmed) - {post.author_id})
