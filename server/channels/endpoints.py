"""Company channels (comms), leader blogs and follows, saved audience segments."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server.api import Api, Ctx
from server.caching import invalidate
from server.channels import service
from server.community.access import CHANNEL_EDITORS
from server.posts.out import person_ref
from server.posts.schemas import Ok, PersonRef
from server.schemas import Strict

api = Api()
EDITORS = sorted(CHANNEL_EDITORS)


class ChannelIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    mandatory: bool = False


class ChannelEdit(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    mandatory: bool | None = None


class ChannelOut(BaseModel):
    id: int
    name: str
    description: str
    mandatory: bool
    subscribed: bool


class ChannelList(BaseModel):
    items: list[ChannelOut]


@api.route("GET", "/api/channels", summary="Company channels and whether I take them",
           tags=["channels"], response=ChannelList)  # fmt: skip
async def list_channels(ctx: Ctx) -> ChannelList:
    rows = await service.channels_for(ctx.me.id)
    return ChannelList(items=[ChannelOut(**r) for r in rows])


@api.route("POST", "/api/channels", summary="Create a channel (comms)", tags=["channels"],
           body=ChannelIn, response=ChannelOut, status=201, roles=EDITORS)  # fmt: skip
async def create_channel(ctx: Ctx, body: ChannelIn) -> ChannelOut:
    channel = await service.create_channel(ctx.me.id, body.name, body.description, body.mandatory)
    if channel.mandatory:  # in everyone's feed from now on
        await invalidate(ctx.services.redis, ctx.services.keys, everyone=True)
    return ChannelOut(
        id=channel.id,
        name=channel.name,
        description=channel.description,
        mandatory=channel.mandatory,
        subscribed=channel.mandatory,
    )


@api.route("PATCH", "/api/channels/{id:int}", summary="Edit a channel (comms)", tags=["channels"],
           body=ChannelEdit, response=ChannelOut, roles=EDITORS)  # fmt: skip
async def edit_channel(ctx: Ctx, body: ChannelEdit) -> ChannelOut:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    channel = await service.edit_channel(ctx.path_int("id"), changes)
    if "mandatory" in changes or "name" in changes:  # feeds; the name on cached cards
        await invalidate(ctx.services.redis, ctx.services.keys, everyone=True)
    rows = {r["id"]: r for r in await service.channels_for(ctx.me.id)}
    return ChannelOut(**rows[channel.id])


@api.route("PUT", "/api/channels/{id:int}/subscription", summary="Subscribe to a channel",
           tags=["channels"], response=Ok)  # fmt: skip
async def subscribe(ctx: Ctx) -> Ok:
    await service.subscribe(ctx.services, ctx.me.id, ctx.path_int("id"), True)
    return Ok()


@api.route("DELETE", "/api/channels/{id:int}/subscription",
           summary="Leave a channel (not a mandatory one)", tags=["channels"],
           response=Ok)  # fmt: skip
async def unsubscribe(ctx: Ctx) -> Ok:
    await service.subscribe(ctx.services, ctx.me.id, ctx.path_int("id"), False)
    return Ok()


@api.route("PUT", "/api/people/{id:int}/follow", summary="Follow a person's blog",
           tags=["people"], response=Ok)  # fmt: skip
async def follow(ctx: Ctx) -> Ok:
    await service.follow(ctx.services, ctx.me.id, ctx.path_int("id"), True)
    return Ok()


@api.route("DELETE", "/api/people/{id:int}/follow", summary="Stop following", tags=["people"],
           response=Ok)  # fmt: skip
async def unfollow(ctx: Ctx) -> Ok:
    await service.follow(ctx.services, ctx.me.id, ctx.path_int("id"), False)
    return Ok()


class BlogOut(BaseModel):
    author: PersonRef
    followers: int
    following: bool


class BlogList(BaseModel):
    items: list[BlogOut]


@api.route("GET", "/api/blogs", summary="Leader blogs (managers and executives) to follow",
           tags=["people"], response=BlogList)  # fmt: skip
async def blogs(ctx: Ctx) -> BlogList:
    rows = await service.leader_blogs(ctx.me.id)
    return BlogList(
        items=[BlogOut(author=person_ref(e), followers=n, following=f) for e, n, f in rows]
    )


@api.route("GET", "/api/people/{id:int}/blog",
           summary="A person's blog: followers and whether I follow it", tags=["people"],
           response=BlogOut)  # fmt: skip
async def blog(ctx: Ctx) -> BlogOut:
    person, followers, following = await service.blog_of(ctx.me.id, ctx.path_int("id"))
    return BlogOut(author=person_ref(person), followers=followers, following=following)


class SegmentIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    tokens: list[str] = Field(min_length=1, max_length=200)


class SegmentOut(BaseModel):
    id: int
    name: str
    tokens: list[str]
    size: int  # active employees in it now


class SegmentList(BaseModel):
    items: list[SegmentOut]


@api.route("GET", "/api/segments", summary="Saved audiences (comms)", tags=["channels"],
           response=SegmentList, roles=EDITORS)  # fmt: skip
async def list_segments(ctx: Ctx) -> SegmentList:
    return SegmentList(items=[SegmentOut(**s) for s in await service.segments()])


@api.route("POST", "/api/segments", summary="Save an audience (comms)", tags=["channels"],
           body=SegmentIn, response=SegmentOut, status=201, roles=EDITORS)  # fmt: skip
async def create_segment(ctx: Ctx, body: SegmentIn) -> SegmentOut:
    return SegmentOut(**await service.create_segment(ctx.me.id, body.name, body.tokens))


class SegmentEdit(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    tokens: list[str] | None = Field(default=None, min_length=1, max_length=200)


@api.route("PATCH", "/api/segments/{id:int}", summary="Rename or redefine a saved audience (comms)",
           tags=["channels"], body=SegmentEdit, response=SegmentOut, roles=EDITORS)  # fmt: skip
async def edit_segment(ctx: Ctx, body: SegmentEdit) -> SegmentOut:
    found = await service.edit_segment(ctx.me.id, ctx.path_int("id"), body.name, body.tokens)
    return SegmentOut(**found)


@api.route("DELETE", "/api/segments/{id:int}",
           summary="Delete a saved audience (posts already sent keep theirs; comms)",
           tags=["channels"], response=Ok, roles=EDITORS)  # fmt: skip
async def delete_segment(ctx: Ctx) -> Ok:
    await service.delete_segment(ctx.me.id, ctx.path_int("id"))
    return Ok()
