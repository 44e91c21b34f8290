"""Posts over HTTP: create, read, edit, delete, pin, read confirmations, the archive."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server.api import Api, Ctx
from server.community import audience
from server.community.access import CHANNEL_EDITORS, MODERATORS, load_viewer, visible_post
from server.feed.service import banner_posts
from server.models import ArchivedText, ItemKind, Post
from server.moderation.service import held_of
from server.posts import interactions, service
from server.posts.out import people, posts_out
from server.posts.render import render
from server.posts.schemas import (
    MAX_BODY,
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
    post = await Post.get_or_none(id=ctx.path_int("id"), author_id=viewer.id)
    if (
        post is not None
        and post.deleted_at is not None
        and await held_of(viewer.id, ItemKind.POST, [post.id])
    ):
        return (await posts_out(viewer, [post]))[0]  # mine, waiting for approval
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


class PreviewIn(Strict):
    body: str = Field(min_length=1, max_length=MAX_BODY)


class PreviewOut(BaseModel):
    html: str


@api.route("POST", "/api/posts/preview",
           summary="The sanitised HTML a post body would be stored as (nothing is saved)",
           tags=TAGS, body=PreviewIn, response=PreviewOut)  # fmt: skip
async def preview(ctx: Ctx, body: PreviewIn) -> PreviewOut:
    return PreviewOut(html=render(body.body).html)


class MentionQuery(Strict):
    q: str = Field(min_length=1, max_length=100)
    limit: int = Field(default=8, ge=1, le=20)


class MentionOut(BaseModel):
    kind: str  # person | department | store | group, as in @[Name](kind:id)
    id: int
    name: str
    detail: str  # position and department, a store's city, a group's members
    avatar_url: str | None


class MentionList(BaseModel):
    items: list[MentionOut]


@api.route("GET", "/api/mentions", summary='Who "@" + letters may mean: people, departments, '
           "stores and groups I may see", tags=TAGS, query=MentionQuery,
           response=MentionList)  # fmt: skip
async def mentions(ctx: Ctx, query: MentionQuery) -> MentionList:
    viewer = await load_viewer(ctx.me)
    return MentionList(
        items=[MentionOut(**m) for m in await service.mentions(viewer, query.q, query.limit)]
    )


class AudienceIn(Strict):
    tokens: list[str] = Field(max_length=200)


class AudienceCount(BaseModel):
    count: int  # active employees the audience reaches


@api.route("POST", "/api/audience/count", summary="How many people an audience reaches (comms)",
           tags=["channels"], body=AudienceIn, response=AudienceCount,
           roles=sorted(CHANNEL_EDITORS))  # fmt: skip
async def audience_count(ctx: Ctx, body: AudienceIn) -> AudienceCount:
    return AudienceCount(count=await audience.count(body.tokens))


class AudiencePlace(BaseModel):
    id: int
    name: str


class AudiencePlaces(BaseModel):
    regions: list[AudiencePlace]
    cities: list[AudiencePlace]
    stores: list[AudiencePlace]
    departments: list[AudiencePlace]
    roles: list[str]


@api.route("GET", "/api/audience/places",
           summary="Regions, cities, stores, departments and roles an audience may name (comms)",
           tags=["channels"], response=AudiencePlaces, roles=sorted(CHANNEL_EDITORS))  # fmt: skip
async def audience_places(ctx: Ctx) -> AudiencePlaces:
    found = await audience.places()

    def out(kind: str) -> list[AudiencePlace]:
        return [AudiencePlace(id=i, name=n) for i, n in found[kind]]

    return AudiencePlaces(
        regions=out("region"),
        cities=out("city"),
        stores=out("store"),
        departments=out("dept"),
        roles=sorted(audience.ROLES),
    )
