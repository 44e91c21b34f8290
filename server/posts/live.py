"""Live events of posts, sent after the change commits to the rooms of those whose feed
holds the post (`server/community/live.py:post_rooms`)."""

from __future__ import annotations

from realtime.events import (
    CommentCreated,
    Payload,
    PostDeleted,
    PostEvent,
    PostPinned,
    PostViews,
    ReactionChanged,
)
from server.caching import invalidate
from server.community.live import post_rooms
from server.models import Comment, Post
from server.services import Services

EXCERPT = 200

# A company-wide post is read by up to 15,000 people within minutes: an event per view (or
# per vote) to all of them would be 15,000 x 15,000 deliveries. At most one count per post
# per 5 s keeps a hot post at 3,000 deliveries/s, a fifth of one process's fan-out. The
# count is read when sent; views within the window show with the next one (or on reload).
COUNT_WINDOW_MS = 5000


async def publish(services: Services, post: Post, event: str, payload: Payload) -> None:
    await services.publisher.publish(event, payload, await post_rooms(post))


async def _stale(services: Services, post: Post, *, stream: bool) -> None:
    """The feed caches (`server/caching.py`) drop this post's card, and its stream's newest
    posts when the post came, went, moved in or out of the pins or changed its audience."""
    await invalidate(
        services.redis, services.keys, posts=[post.id], streams=[post.stream] if stream else []
    )


def _post_event(post: Post) -> PostEvent:
    return PostEvent(
        post_id=post.id,
        author_id=post.author_id,
        group_id=post.group_id,
        channel_id=post.channel_id,
        kind=post.kind.value,
        excerpt=post.body[:EXCERPT],
        at=post.edited_at or post.created_at,
    )


async def post_created(services: Services, post: Post) -> None:
    await _stale(services, post, stream=True)
    await publish(services, post, "post.created", _post_event(post))


async def post_updated(services: Services, post: Post) -> None:
    await _stale(services, post, stream=True)
    await publish(services, post, "post.updated", _post_event(post))


async def post_deleted(services: Services, post: Post) -> None:
    await _stale(services, post, stream=True)
    payload = PostDeleted(post_id=post.id, group_id=post.group_id, channel_id=post.channel_id)
    await publish(services, post, "post.deleted", payload)


async def post_pinned(services: Services, post: Post) -> None:
    await _stale(services, post, stream=True)
    payload = PostPinned(post_id=post.id, pinned=post.pinned, banner=post.banner)
    await publish(services, post, "post.pinned", payload)


async def comment_created(services: Services, post: Post, comment: Comment) -> None:
    await _stale(services, post, stream=False)
    payload = CommentCreated(
        comment_id=comment.id,
        post_id=post.id,
        author_id=comment.author_id,
        parent_id=comment.parent_id,
        excerpt=comment.body[:EXCERPT],
        at=comment.created_at,
    )
    await publish(services, post, "comment.created", payload)


async def reaction_changed(
    services: Services, post: Post, counts: dict[str, int], actor_id: int, emoji: str, added: bool
) -> None:
    await _stale(services, post, stream=False)
    payload = ReactionChanged(
        post_id=post.id, counts=counts, actor_id=actor_id, emoji=emoji, added=added
    )
    await publish(services, post, "reaction.changed", payload)


async def first_in_window(services: Services, what: str, ident: int) -> bool:
    key = services.keys.live_throttle(what, ident)
    return bool(await services.redis.set(key, b"1", nx=True, px=COUNT_WINDOW_MS))


async def comment_deleted(services: Services, post: Post) -> None:
    await _stale(services, post, stream=False)  # its comment count


async def views_changed(services: Services, post: Post) -> None:
    await _stale(services, post, stream=False)  # its view count
    if not await first_in_window(services, "views", post.id):
        return
    views = await Post.filter(id=post.id).values_list("view_count", flat=True)
    if views:
        payload = PostViews(post_id=post.id, views=int(views[0]))  # type: ignore[call-overload]
        await publish(services, post, "post.views", payload)
