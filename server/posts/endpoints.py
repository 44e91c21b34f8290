"""Posts over HTTP: create, read, edit, delete, pin, read confirmations, the archive."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server.api import Api, Ctx
from server.community.access import MODERATORS, load_viewer, visible_post
from server.feed.service import banner_posts
from server.models import ArchivedText
from server.posts import interactions, service
from server.posts.out import people, posts_out
from server.posts.schemas import (
    ArchivedOut,
    ArchivePage,
    ConfirmationsOut,
    Ok,
    PostEdit,
    PostIn,
    PostOut,
)
from server.schemas import Strict

api = Api()
TAGS = ["posts"]


async def _one(ctx: Ctx, post_id: int) -> PostOut:
    viewer = await load_viewer(ctx.me)
    post = await visible_post(viewer, post_id)
    return (await posts_out(viewer, [post]))[0]


@api.route(
    "POST",
    "/api/posts",
    summary="Write a post in a channel, a group or my blog (optionally kudos, a poll, files)",
    tags=TAGS,
    body=PostIn,
    response=PostOut,
    status=201,
)
async def create_post(ctx: Ctx, body: PostIn) -> PostOut:
    viewer = await load_viewer(ctx.me)
    post = await service.create_post(ctx.services, viewer, body)
    return (await posts_out(viewer, [post]))[0]


@api.route("GET", "/api/posts/{id:int}", summary="A post (counts as a view)", tags=TAGS,
           response=PostOut)  # fmt: skip
async def get_post(ctx: Ctx) -> PostOut:
    viewer = await load_viewer(ctx.me)
    post = await visible_post(viewer, ctx.path_int("id"))
    await interactions.note_view(ctx.services, viewer, post)
    await post.refresh_from_db()
    return (await posts_out(viewer, [post]))[0]


@api.route("POST", "/api/posts/{id:int}/view", summary="Count a view of a post (once per person)",
           tags=TAGS, response=Ok)  # fmt: skip
async def view_post(ctx: Ctx) -> Ok:
    viewer = await load_viewer(ctx.me)
    post = await visible_post(viewer, ctx.path_int("id"))
    await interactions.note_view(ctx.services, viewer, post)
    return Ok()


@api.route("PATCH", "/api/posts/{id:int}", summary="Edit a post (the old text is archived)",
           tags=TAGS, body=PostEdit, response=PostOut)  # fmt: skip
async def edit_post(ctx: Ctx, body: PostEdit) -> PostOut:
    viewer = await load_viewer(ctx.me)
    post = await service.edit_post(ctx.services, viewer, ctx.path_int("id"), body.body)
    return (await posts_out(viewer, [post]))[0]


@api.route("DELETE", "/api/posts/{id:int}", summary="Delete a post (kept in the archive)",
           tags=TAGS, response=Ok)  # fmt: skip
async def delete_post(ctx: Ctx) -> Ok:
    await service.delete_post(ctx.services, await load_viewer(ctx.me), ctx.path_int("id"))
    return Ok()


@api.route("PUT", "/api/posts/{id:int}/pin", summary="Pin a post on top of feeds", tags=TAGS,
           response=PostOut)  # fmt: skip
async def pin_post(ctx: Ctx) -> PostOut:
    viewer = await load_viewer(ctx.me)
    post = await service.set_pinned(ctx.services, viewer, ctx.path_int("id"), True)
    return (await posts_out(viewer, [post]))[0]


@api.route("DELETE", "/api/posts/{id:int}/pin", summary="Unpin a post", tags=TAGS,
           response=PostOut)  # fmt: skip
async def unpin_post(ctx: Ctx) -> PostOut:
    viewer = await load_viewer(ctx.me)
    post = await service.set_pinned(ctx.services, viewer, ctx.path_int("id"), False)
    return (await posts_out(viewer, [post]))[0]


@api.route("POST", "/api/posts/{id:int}/confirm", summary='"I have read it"', tags=TAGS,
           response=Ok)  # fmt: skip
async def confirm(ctx: Ctx) -> Ok:
    await interactions.confirm_read(ctx.services, await load_viewer(ctx.me), ctx.path_int("id"))
    return Ok()


@api.route("GET", "/api/posts/{id:int}/confirmations",
           summary="Who confirmed reading and who has not (comms, the author)", tags=TAGS,
           response=ConfirmationsOut)  # fmt: skip
async def confirmations(ctx: Ctx) -> ConfirmationsOut:
    post_id = ctx.path_int("id")
    done, missing = await interactions.confirmations(await load_viewer(ctx.me), post_id)
    persons = await people(set(done) | set(missing))
    return ConfirmationsOut(
        post_id=post_id,
        confirmed=[persons[i] for i in done],
        not_confirmed=[persons[i] for i in missing],
    )


class ArchiveQuery(Strict):
    post_id: int | None = None
    cursor: int | None = None
    limit: int = Field(default=50, ge=1, le=200)


@api.route("GET", "/api/archive",
           summary="Original texts of edited and deleted posts and comments (moderators)",
           tags=["moderation"], query=ArchiveQuery, response=ArchivePage,
           roles=sorted(MODERATORS))  # fmt: skip
async def archive(ctx: Ctx, query: ArchiveQuery) -> ArchivePage:
    rows = ArchivedText.all()
    if query.post_id is not None:
        rows = rows.filter(post_id=query.post_id)
    if query.cursor is not None:
        rows = rows.filter(id__lt=query.cursor)
    found = await rows.order_by("-id").limit(query.limit + 1)
    items = [ArchivedOut.model_validate(r, from_attributes=True) for r in found[: query.limit]]
    more = len(found) > query.limit
    return ArchivePage(items=items, next_cursor=str(items[-1].id) if more else None)


class BannerList(BaseModel):
    items: list[PostOut]


@api.route("GET", "/api/banners", summary="Banners I may see, newest first", tags=TAGS,
           response=BannerList)  # fmt: skip
async def banners(ctx: Ctx) -> BannerList:
    viewer = await load_viewer(ctx.me)
    return BannerList(items=await posts_out(viewer, await banner_posts(viewer)))
