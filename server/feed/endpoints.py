"""The home feed and the post lists of a channel, a group and a person's blog."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.responses import Response

from server.api import Api, Ctx
from server.community.access import Viewer, can_read_group, load_viewer, visible_group
from server.errors import not_found
from server.feed import cached, service
from server.models import Channel, Employee, ItemKind, Post
from server.moderation.service import held_of
from server.posts.out import posts_out
from server.posts.schemas import PostOut
from server.schemas import Strict

api = Api()
TAGS = ["feed"]


class PageQuery(Strict):
    cursor: str | None = Field(default=None, max_length=40)
    limit: int = Field(default=20, ge=1, le=100)


class FeedPage(BaseModel):
    items: list[PostOut]
    next_cursor: str | None
    last_seen_id: int  # posts with a greater id are new since my previous visit


async def _held(viewer: Viewer, cursor: str | None, **place: object) -> list[Post]:
    """My own posts waiting for a moderator's approval in this list, newest first: on top
    of its first page, for me alone (they are out of every list until approved)."""
    if cursor is not None:
        return []
    ids = await held_of(viewer.id, ItemKind.POST)
    if not ids:
        return []
    return await Post.filter(id__in=list(ids), author_id=viewer.id, **place).order_by("-id")


async def _out(viewer: Viewer, page: service.Page, held: list[Post] | None = None) -> FeedPage:
    return FeedPage(
        items=await posts_out(viewer, [*(held or []), *page.posts], page.marker),
        next_cursor=page.next_cursor,
        last_seen_id=page.marker,
    )


@api.route("GET", "/api/feed",
           summary="My home feed: channels, groups, followed blogs and people; pinned first",
           tags=TAGS, query=PageQuery, response=FeedPage)  # fmt: skip
async def home(ctx: Ctx, query: PageQuery) -> FeedPage | Response:
    # Rarely anything held: then the first page is not the cached one.
    if query.cursor is not None or not await held_of(ctx.me.id, ItemKind.POST):
        fast = await cached.home_page(ctx.services, ctx.me, query.cursor, query.limit)
        if fast is not None:
            return fast
    viewer = await load_viewer(ctx.me, with_streams=True)
    page = await service.home_feed(viewer, query.cursor, query.limit)
    return await _out(viewer, page, await _held(viewer, query.cursor))


@api.route("GET", "/api/channels/{id:int}/posts", summary="Posts of a channel", tags=TAGS,
           query=PageQuery, response=FeedPage)  # fmt: skip
async def channel_posts(ctx: Ctx, query: PageQuery) -> FeedPage:
    viewer = await load_viewer(ctx.me)
    channel = await Channel.get_or_none(id=ctx.path_int("id"))
    if channel is None:
        raise not_found()
    page = await service.page_of(viewer, [f"c:{channel.id}"], query.cursor, query.limit, pins=True)
    return await _out(viewer, page, await _held(viewer, query.cursor, channel_id=channel.id))


@api.route("GET", "/api/groups/{id:int}/posts", summary="Posts of a group",
           tags=TAGS, query=PageQuery, response=FeedPage)  # fmt: skip
async def group_posts(ctx: Ctx, query: PageQuery) -> FeedPage:
    viewer = await load_viewer(ctx.me)
    group = await visible_group(viewer, ctx.path_int("id"))
    if not can_read_group(viewer, group):
        raise not_found()
    page = await service.page_of(viewer, [f"g:{group.id}"], query.cursor, query.limit, pins=True)
    return await _out(viewer, page, await _held(viewer, query.cursor, group_id=group.id))


@api.route("GET", "/api/people/{id:int}/posts", summary="A person's blog", tags=TAGS,
           query=PageQuery, response=FeedPage)  # fmt: skip
async def blog_posts(ctx: Ctx, query: PageQuery) -> FeedPage:
    viewer = await load_viewer(ctx.me)
    person = await Employee.get_or_none(id=ctx.path_int("id"))
    if person is None:
        raise not_found()
    page = await service.page_of(viewer, [f"u:{person.id}"], query.cursor, query.limit, pins=True)
    mine = person.id == ctx.me.id
    held = await _held(viewer, query.cursor, stream=f"u:{person.id}") if mine else []
    return await _out(viewer, page, held)
