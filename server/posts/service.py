"""Writing posts: create (with audience, attachments, poll, kudos), edit, delete, pin.

Each change commits together with its activity events and its search entry; the events are
handed to settlement and mentions fanned out by a job only after the commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server import activity, audit
from server.community.access import (
    Viewer,
    can_moderate_post,
    can_read_group,
    require,
    visible_post,
)
from server.community.audience import expand, mention_places
from server.errors import ApiError, not_found
from server.models import (
    ArchivedText,
    ArchiveReason,
    Attachment,
    Channel,
    Department,
    Employee,
    EmployeeStatus,
    Group,
    ItemKind,
    Poll,
    PollOption,
    Post,
    PostAudience,
    PostKind,
)
from server.moderation import service as moderation
from server.moderation.service import Item
from server.posts import live
from server.posts.render import render
from server.posts.schemas import PostIn
from server.search import index
from server.services import Services


async def _place(viewer: Viewer, body: PostIn) -> tuple[str, PostKind]:
    if body.channel_id is not None and body.group_id is not None:
        raise ApiError(422, "validation_failed", field="group_id", reason="one place per post")
    if body.channel_id is not None:
        if not await Channel.exists(id=body.channel_id):
            raise not_found()
        require(viewer.edits_channels)
        return f"c:{body.channel_id}", PostKind.NEWS
    if body.audience is not None:
        raise ApiError(
            422, "validation_failed", field="audience", reason="only channel posts have audiences"
        )
    if body.group_id is not None:
        group = await Group.get_or_none(id=body.group_id)
        if group is None or not can_read_group(viewer, group):
            raise not_found()
        if group.id not in viewer.groups:
            raise ApiError(403, "not_a_member")
        return f"g:{group.id}", PostKind.POST
    return f"u:{viewer.id}", PostKind.POST


async def _within_kudos_allowance(services: Services, author_id: int) -> None:
    """The comms team may cap the kudos one person gives a month (the rewards admin)."""
    from server.rewards import admin

    monthly = await admin.kudos_monthly()
    if monthly and await admin.kudos_given_this_month(author_id, services.settings.zone) >= monthly:
        raise ApiError(409, "kudos_allowance_exceeded", monthly=monthly)


Claim = Callable[[BaseDBAsyncClient, Post], Awaitable[None]]


async def create_post(
    services: Services, viewer: Viewer, body: PostIn, *, claim: Claim | None = None
) -> Post:
    """`claim` runs inside the post's transaction (a scheduled post marks itself published
    there); what it raises rolls the post back."""
    stream, kind = await _place(viewer, body)
    if (body.banner or body.needs_confirmation) and not viewer.edits_channels:
        raise ApiError(403, "forbidden")
    recipient: Employee | None = None
    if body.kudos_to is not None:
        recipient = await Employee.get_or_none(id=body.kudos_to, status=EmployeeStatus.ACTIVE)
        if recipient is None:
            raise ApiError(422, "validation_failed", field="kudos_to", reason="no such colleague")
        if recipient.id == viewer.id:
            raise ApiError(422, "validation_failed", field="kudos_to", reason="not yourself")
        await _within_kudos_allowance(services, viewer.id)
        kind = PostKind.KUDOS
    tokens = await expand(body.audience) if body.audience else []
    screened = await moderation.screen(viewer.id, body.body)
    rendered = render(screened.shown)
    now = datetime.now(UTC)
    events: list[str] = []
    async with in_transaction() as conn:
        files: list[Attachment] = await Attachment.filter(
            id__in=body.attachment_ids, owner_id=viewer.id, post_id=None
        ).using_db(conn)
        if len(files) != len(set(body.attachment_ids)):
            raise ApiError(422, "validation_failed", field="attachment_ids", reason="not yours")
        post = await Post.create(
            kind=kind,
            stream=stream,
            author_id=viewer.id,
            channel_id=body.channel_id,
            group_id=body.group_id,
            kudos_to_id=recipient.id if recipient else None,
            body=body.body,
            html=rendered.html,
            audience_all=not tokens,
            banner=body.banner,
            pinned=body.banner,
            pinned_at=now if body.banner else None,
            needs_confirmation=body.needs_confirmation,
            created_at=now,
            # Held for approval: out of every list (as a deleted post) until a moderator
            # approves it; its author has it from this answer.
            deleted_at=now if screened.held else None,
            using_db=conn,
        )
        if tokens:
            await PostAudience.bulk_create(
                [PostAudience(post_id=post.id, token=t) for t in tokens], using_db=conn
            )
        if files:
            await (
                Attachment.filter(id__in=[f.id for f in files])
                .using_db(conn)
                .update(post_id=post.id)
            )
        if not screened.held:  # held content earns once approved (`earn_created`)
            await index.put("post", post.id, body.body, post_id=post.id, using_db=conn)
            kudos_to = recipient.id if recipient else None
            events += await _record_created(post, files, kudos_to, conn)
        if body.poll is not None:
            poll_event = await _create_poll(viewer, post, body, conn, record=not screened.held)
            events.append(poll_event)
        if body.banner:
            await audit.record(
                viewer.id, "banner.create", f"post:{post.id}", {"channel_id": body.channel_id}
            )
        if claim is not None:
            await claim(conn, post)
    await activity.hand_off(services, [e for e in events if e])
    await moderation.flagged(services, screened, _item(post))
    if screened.held:
        return post
    await live.post_created(services, post)
    if rendered.mentions or recipient is not None:
        await services.enqueue(
            "fan_out_mentions", post.id, None, job_id=services.keys.job_id("mentions", post.id)
        )
    return post


async def _record_created(
    post: Post,
    files: list[Attachment],
    recipient_id: int | None,
    conn: BaseDBAsyncClient,
    at: datetime | None = None,
) -> list[str]:
    """The events a new post earns by: `post.created`, and `kudos.given` for kudos."""
    event = await activity.record(
        "post.created",
        post.author_id,
        {
            "post_id": str(post.id),
            "body_length": len(post.body),
            "channel_id": str(post.channel_id) if post.channel_id else None,
            "group_id": str(post.group_id) if post.group_id else None,
            "has_image": any(f.media_type.startswith("image/") for f in files),
            "kind": post.kind.value,
        },
        at=at or post.created_at,
        using_db=conn,
    )
    events = [event.id if event else ""]
    if recipient_id is not None:
        kudos = await activity.record(
            "kudos.given",
            post.author_id,
            {
                "post_id": str(post.id),
                "recipient_id": str(recipient_id),
                "message_length": len(post.body),
            },
            subject_id=recipient_id,
            at=at or post.created_at,
            using_db=conn,
        )
        events.append(kudos.id if kudos else "")
    return events


async def earn_created(post: Post, conn: BaseDBAsyncClient) -> list[str]:
    """A post held for approval and approved: the events its creation left out, recorded
    now (at the approval). Not for a post held on an edit: it earned when it was created."""
    files = await Attachment.filter(post_id=post.id).using_db(conn)
    events = await _record_created(post, files, post.kudos_to_id, conn, at=datetime.now(UTC))
    poll = await Poll.filter(post_id=post.id).using_db(conn).first()
    if poll is not None:
        options = await PollOption.filter(poll_id=poll.id).using_db(conn).count()
        events.append(await _poll_created(post, poll.id, options, conn))
    return events


def _item(post: Post) -> Item:
    return Item(ItemKind.POST, post.id, post.author_id, post.body, post_id=post.id)


async def _create_poll(
    viewer: Viewer, post: Post, body: PostIn, conn: BaseDBAsyncClient, *, record: bool
) -> str:
    assert body.poll is not None
    options = [o.strip() for o in body.poll.options]
    if any(not o or len(o) > 200 for o in options) or len(set(options)) != len(options):
        raise ApiError(422, "validation_failed", field="poll.options", reason="distinct, 1-200")
    poll = await Poll.create(
        post_id=post.id,
        question=body.poll.question,
        multiple=body.poll.multiple,
        anonymous=body.poll.anonymous,
        closes_at=body.poll.closes_at,
        using_db=conn,
    )
    await PollOption.bulk_create(
        [PollOption(poll_id=poll.id, text=t, position=i) for i, t in enumerate(options)],
        using_db=conn,
    )
    return await _poll_created(post, poll.id, len(options), conn) if record else ""


async def _poll_created(post: Post, poll_id: int, options: int, conn: BaseDBAsyncClient) -> str:
    event = await activity.record(
        "poll.created",
        post.author_id,
        {"poll_id": str(poll_id), "post_id": str(post.id), "options": options},
        using_db=conn,
    )
    return event.id if event else ""


async def edit_post(services: Services, viewer: Viewer, post_id: int, text: str) -> Post:
    post = await visible_post(viewer, post_id)
    require(post.author_id == viewer.id or viewer.is_moderator)
    screened = await moderation.screen(viewer.id, text)
    rendered = render(screened.shown)
    now = datetime.now(UTC)
    async with in_transaction() as conn:
        await ArchivedText.create(
            post_id=post.id,
            author_id=post.author_id,
            editor_id=viewer.id,
            reason=ArchiveReason.EDITED,
            body=post.body,
            written_at=post.edited_at or post.created_at,
            using_db=conn,
        )
        post.body, post.html, post.edited_at = text, rendered.html, now
        if screened.held:
            post.deleted_at = now
        await post.save(update_fields=["body", "html", "edited_at", "deleted_at"], using_db=conn)
        if screened.held:
            await index.remove("post", post.id, using_db=conn)
        else:
            await index.put("post", post.id, text, post_id=post.id, using_db=conn)
        if post.banner:
            await audit.record(viewer.id, "banner.edit", f"post:{post.id}", {"length": len(text)})
    await moderation.flagged(services, screened, _item(post))
    if screened.held:
        await live.post_deleted(services, post)
        return post
    await live.post_updated(services, post)
    if rendered.mentions:
        # Only people mentioned for the first time are notified (the job dedupes per post).
        await services.enqueue(
            "fan_out_mentions",
            post.id,
            None,
            job_id=services.keys.job_id("mentions", f"{post.id}:{now.timestamp()}"),
        )
    return post


async def archive_deleted(
    post: Post, editor_id: int, using_db: BaseDBAsyncClient | None = None
) -> ArchivedText:
    """The deleted post's text kept in the archive: by its author, a group's or a
    moderator's deletion (the moderation queue's "delete" too)."""
    return await ArchivedText.create(
        post_id=post.id,
        author_id=post.author_id,
        editor_id=editor_id,
        reason=ArchiveReason.DELETED,
        body=post.body,
        written_at=post.edited_at or post.created_at,
        using_db=using_db,
    )


async def delete_post(services: Services, viewer: Viewer, post_id: int) -> None:
    post = await visible_post(viewer, post_id)
    require(can_moderate_post(viewer, post))
    async with in_transaction() as conn:
        await archive_deleted(post, viewer.id, conn)
        post.deleted_at = datetime.now(UTC)
        post.pinned = False
        await post.save(update_fields=["deleted_at", "pinned"], using_db=conn)
        await index.remove("post", post.id, using_db=conn)
        event = await activity.record(
            "post.deleted", post.author_id, {"post_id": str(post.id)}, using_db=conn
        )
    await activity.hand_off(services, [event.id] if event else [])
    await live.post_deleted(services, post)


async def set_pinned(services: Services, viewer: Viewer, post_id: int, pinned: bool) -> Post:
    """Comms pins in channels (and anywhere), group moderators in their groups."""
    post = await visible_post(viewer, post_id)
    require(
        viewer.edits_channels
        or viewer.is_moderator
        or (post.group_id is not None and post.group_id in viewer.moderates)
    )
    was_banner = post.banner
    post.pinned = pinned
    post.pinned_at = datetime.now(UTC) if pinned else None
    if not pinned:
        post.banner = False
    async with in_transaction() as conn:
        await post.save(update_fields=["pinned", "pinned_at", "banner"], using_db=conn)
        action = "post.pin" if pinned else ("banner.end" if was_banner else "post.unpin")
        await audit.record(viewer.id, action, f"post:{post.id}", {"pinned": pinned})
    await live.post_pinned(services, post)
    return post


async def mentions(viewer: Viewer, q: str, limit: int) -> list[dict[str, object]]:
    """What "@" + q may mean in a post: people first, then departments, stores, groups."""
    found: list[dict[str, object]] = []
    people = (
        await Employee.filter(name__icontains=q, status=EmployeeStatus.ACTIVE)
        .order_by("name")
        .limit(limit)
    )
    departments = dict(
        await Department.filter(id__in={e.department_id for e in people if e.department_id})
        .values_list("id", "name")
    )  # fmt: skip
    for e in people:
        detail = ", ".join(x for x in (e.position, departments.get(e.department_id, "")) if x)
        avatar = f"/api/employees/{e.id}/avatar" if e.avatar_path else None
        found.append(
            {"kind": "person", "id": e.id, "name": e.name, "detail": detail, "avatar_url": avatar}
        )
    for kind, ident, name in await mention_places(q, limit):
        found.append({"kind": kind, "id": ident, "name": name, "detail": "", "avatar_url": None})
    groups = await Group.filter(name__icontains=q).order_by("name").limit(limit * 2)
    for g in [g for g in groups if can_read_group(viewer, g)][:limit]:
        found.append(
            {"kind": "group", "id": g.id, "name": g.name, "detail": "", "avatar_url": None}
        )
    return found[: limit * 2]
