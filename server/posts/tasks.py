"""Fan-out after a post or comment is committed: mentions, kudos and replies notify the
people concerned, and only those who may see the post."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from server import activity
from server.community.audience import members_of
from server.models import Comment, Post
from server.notifications.service import notify
from server.posts.interactions import post_readers
from server.posts.render import render
from server.services import Services


async def fan_out_mentions(ctx: dict[str, Any], post_id: int, comment_id: int | None) -> int:
    """Safe to run twice: `user.mentioned` events have deterministic ids and notifications
    a dedupe key, both per (post or comment, person)."""
    services: Services = ctx["services"]
    post = await Post.get_or_none(id=post_id, deleted_at=None)
    if post is None:
        return 0
    comment = None
    if comment_id is not None:
        comment = await Comment.get_or_none(id=comment_id, deleted_at=None)
        if comment is None:
            return 0
    author_id = comment.author_id if comment else post.author_id
    text = comment.body if comment else post.body
    readers = await post_readers(post)  # never anyone outside the audience
    mentioned = (await members_of(render(text).mentions) & readers) - {author_id}
    where = f"c{comment.id}" if comment else f"p{post.id}"
    payload = {"post_id": post.id, "comment_id": comment.id if comment else None, "by": author_id}
    events: list[str] = []
    if mentioned:
        async with in_transaction() as conn:
            for person in sorted(mentioned):
                event = await activity.record(
                    "user.mentioned",
                    author_id,
                    {"post_id": str(post.id), "comment_id": str(comment.id) if comment else None},
                    subject_id=person,
                    event_id=activity.deterministic_id("user.mentioned", where, person),
                    using_db=conn,
                )
                if event:
                    events.append(event.id)
        await notify(services, mentioned, "mention", payload, where)
    await activity.hand_off(services, events)
    if comment is None and post.kudos_to_id and post.kudos_to_id in readers:
        await notify(services, [post.kudos_to_id], "kudos", payload, where)
    if comment is not None:
        await notify(services, {post.author_id} - {author_id}, "comment", payload, where)
    return len(mentioned)
