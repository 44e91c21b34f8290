"""Posts as the API shows them, built for a whole page at once (a fixed number of queries
per page, not per post)."""

from __future__ import annotations

from collections.abc import Sequence

from server.community.access import Viewer, can_moderate_post
from server.community.sql import ints
from server.models import (
    Attachment,
    Channel,
    Employee,
    Group,
    Poll,
    Post,
    PostAudience,
    Reaction,
    ReadConfirmation,
)
from server.posts.schemas import AttachmentOut, PersonRef, PostOut
from server.schemas import Ref


def person_ref(employee: Employee) -> PersonRef:
    return PersonRef(
        id=employee.id,
        name=employee.name,
        position=employee.position,
        avatar_url=f"/api/employees/{employee.id}/avatar" if employee.avatar_path else None,
    )


async def people(ids: set[int]) -> dict[int, PersonRef]:
    if not ids:
        return {}
    return {e.id: person_ref(e) for e in await Employee.filter(id__in=list(ids))}


async def posts_out(viewer: Viewer, posts: Sequence[Post], marker: int = -1) -> list[PostOut]:
    if not posts:
        return []
    ids = [p.id for p in posts]
    persons = await people({p.author_id for p in posts} | {p.kudos_to_id or 0 for p in posts})
    channels = {
        c.id: Ref(id=c.id, name=c.name)
        for c in await Channel.filter(id__in={p.channel_id for p in posts if p.channel_id})
    }
    groups = {
        g.id: Ref(id=g.id, name=g.name)
        for g in await Group.filter(id__in={p.group_id for p in posts if p.group_id})
    }
    counts: dict[int, dict[str, int]] = {}
    mine: dict[int, list[str]] = {}
    for post_id, employee_id, emoji in await Reaction.filter(post_id__in=ids).values_list(
        "post_id", "employee_id", "emoji"
    ):
        by_emoji = counts.setdefault(post_id, {})
        by_emoji[emoji] = by_emoji.get(emoji, 0) + 1
        if employee_id == viewer.id:
            mine.setdefault(post_id, []).append(emoji)
    audiences: dict[int, list[str]] = {}
    restricted = [p.id for p in posts if not p.audience_all]
    if restricted:
        for post_id, token in await PostAudience.filter(post_id__in=restricted).values_list(
            "post_id", "token"
        ):
            audiences.setdefault(post_id, []).append(token)
    asking = [p.id for p in posts if p.needs_confirmation]
    confirmed = (
        set(
            ints(
                await ReadConfirmation.filter(
                    post_id__in=asking, employee_id=viewer.id
                ).values_list("post_id", flat=True)
            )
        )
        if asking
        else set()
    )
    files: dict[int, list[AttachmentOut]] = {}
    for a in await Attachment.filter(post_id__in=ids).order_by("id"):
        files.setdefault(a.post_id or 0, []).append(
            AttachmentOut(
                id=a.id,
                name=a.name,
                media_type=a.media_type,
                size=a.size,
                url=f"/api/attachments/{a.id}",
            )
        )
    polls = dict(await Poll.filter(post_id__in=ids).values_list("post_id", "id"))
    return [
        PostOut(
            id=p.id,
            kind=p.kind.value,
            author=persons[p.author_id],
            channel=channels.get(p.channel_id or 0),
            group=groups.get(p.group_id or 0),
            kudos_to=persons.get(p.kudos_to_id or 0),
            body=p.body,
            html=p.html,
            audience=sorted(audiences.get(p.id, [])),
            pinned=p.pinned,
            banner=p.banner,
            needs_confirmation=p.needs_confirmation,
            confirmed=p.id in confirmed,
            comment_count=p.comment_count,
            reaction_count=p.reaction_count,
            reactions=counts.get(p.id, {}),
            my_reactions=sorted(mine.get(p.id, [])),
            view_count=p.view_count,
            attachments=files.get(p.id, []),
            poll_id=polls.get(p.id),
            created_at=p.created_at,
            edited_at=p.edited_at,
            unread=p.id > marker and p.author_id != viewer.id if marker >= 0 else False,
            can_moderate=can_moderate_post(viewer, p),
        )
        for p in posts
    ]
