"""Groups over HTTP."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.api import Api, Ctx
from server.caching import invalidate
from server.community.access import Viewer, load_viewer, visible_group
from server.groups import service
from server.models import Group
from server.posts.out import people
from server.posts.schemas import Ok, PersonRef
from server.schemas import Strict

api = Api()
TAGS = ["groups"]


class GroupIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    visibility: Literal["public", "private", "secret"] = "public"


class GroupEdit(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    visibility: Literal["public", "private", "secret"] | None = None


class GroupOut(BaseModel):
    id: int
    name: str
    description: str
    visibility: str
    member_count: int
    my_state: str | None  # member, requested, invited or none
    i_moderate: bool


class GroupPage(BaseModel):
    items: list[GroupOut]
    next_cursor: str | None


class GroupQuery(Strict):
    q: str | None = Field(default=None, max_length=200)
    mine: bool = False
    invited: bool = False  # only the groups I am invited to
    cursor: int = 0
    limit: int = Field(default=50, ge=1, le=200)


def group_out(viewer: Viewer, group: Group, state: str | None) -> GroupOut:
    return GroupOut(
        id=group.id,
        name=group.name,
        description=group.description,
        visibility=group.visibility.value,
        member_count=group.member_count,
        my_state=state,
        i_moderate=group.id in viewer.moderates,
    )


@api.route("GET", "/api/groups", summary="Groups I may see (search with q)", tags=TAGS,
           query=GroupQuery, response=GroupPage)  # fmt: skip
async def list_groups(ctx: Ctx, query: GroupQuery) -> GroupPage:
    viewer = await load_viewer(ctx.me)
    rows, more, pending = await service.list_groups(
        viewer, query.q, query.mine, query.cursor, query.limit, query.invited
    )
    return GroupPage(
        items=[
            group_out(viewer, g, "member" if g.id in viewer.groups else pending.get(g.id))
            for g in rows
        ],
        next_cursor=str(rows[-1].id) if more else None,
    )


@api.route("POST", "/api/groups", summary="Create a group (I become its moderator)", tags=TAGS,
           body=GroupIn, response=GroupOut, status=201)  # fmt: skip
async def create_group(ctx: Ctx, body: GroupIn) -> GroupOut:
    viewer = await load_viewer(ctx.me)
    group = await service.create_group(
        ctx.services, viewer, body.name, body.description, body.visibility
    )
    viewer = await load_viewer(ctx.me)
    return group_out(viewer, group, "member")


@api.route("GET", "/api/groups/{id:int}", summary="A group", tags=TAGS, response=GroupOut)
async def get_group(ctx: Ctx) -> GroupOut:
    viewer = await load_viewer(ctx.me)
    group = await visible_group(viewer, ctx.path_int("id"))
    return group_out(viewer, group, (await service.membership(viewer, group.id)).state)


@api.route("PATCH", "/api/groups/{id:int}", summary="Edit a group (its moderators)", tags=TAGS,
           body=GroupEdit, response=GroupOut)  # fmt: skip
async def edit_group(ctx: Ctx, body: GroupEdit) -> GroupOut:
    viewer = await load_viewer(ctx.me)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    group = await service.update_group(viewer, ctx.path_int("id"), changes)
    if "name" in changes:  # cached feed cards show the group's name
        await invalidate(ctx.services.redis, ctx.services.keys, everyone=True)
    return group_out(viewer, group, (await service.membership(viewer, group.id)).state)


class JoinOut(BaseModel):
    state: str


@api.route("POST", "/api/groups/{id:int}/join",
           summary="Join a public group, ask to join a private one, accept an invitation",
           tags=TAGS, response=JoinOut)  # fmt: skip
async def join(ctx: Ctx) -> JoinOut:
    viewer = await load_viewer(ctx.me)
    return JoinOut(state=await service.join(ctx.services, viewer, ctx.path_int("id")))


@api.route("POST", "/api/groups/{id:int}/leave", summary="Leave a group (or drop a request)",
           tags=TAGS, response=Ok)  # fmt: skip
async def leave(ctx: Ctx) -> Ok:
    await service.leave(ctx.services, await load_viewer(ctx.me), ctx.path_int("id"))
    return Ok()


class MemberOut(BaseModel):
    person: PersonRef
    state: str
    moderator: bool


class MemberPage(BaseModel):
    items: list[MemberOut]
    next_cursor: str | None


class MemberQuery(Strict):
    state: Literal["member", "requested", "invited"] = "member"
    cursor: int = 0
    limit: int = Field(default=100, ge=1, le=500)


@api.route("GET", "/api/groups/{id:int}/members",
           summary="Members (or, for moderators, requests and invitations)", tags=TAGS,
           query=MemberQuery, response=MemberPage)  # fmt: skip
async def members(ctx: Ctx, query: MemberQuery) -> MemberPage:
    viewer = await load_viewer(ctx.me)
    rows, more = await service.members(
        viewer, ctx.path_int("id"), query.state, query.cursor, query.limit
    )
    persons = await people({r.employee_id for r in rows})
    return MemberPage(
        items=[
            MemberOut(person=persons[r.employee_id], state=r.state.value, moderator=r.moderator)
            for r in rows
        ],
        next_cursor=str(rows[-1].id) if more else None,
    )


@api.route("POST", "/api/groups/{id:int}/members/{employee_id:int}/approve",
           summary="Approve a request to join (group moderators)", tags=TAGS,
           response=Ok)  # fmt: skip
async def approve(ctx: Ctx) -> Ok:
    viewer = await load_viewer(ctx.me)
    await service.approve(ctx.services, viewer, ctx.path_int("id"), ctx.path_int("employee_id"))
    return Ok()


@api.route("DELETE", "/api/groups/{id:int}/members/{employee_id:int}",
           summary="Remove a member or turn a request down (group moderators)", tags=TAGS,
           response=Ok)  # fmt: skip
async def remove_member(ctx: Ctx) -> Ok:
    viewer = await load_viewer(ctx.me)
    await service.remove_member(
        ctx.services, viewer, ctx.path_int("id"), ctx.path_int("employee_id")
    )
    return Ok()


@api.route("PUT", "/api/groups/{id:int}/moderators/{employee_id:int}",
           summary="Make a member a group moderator", tags=TAGS, response=Ok)  # fmt: skip
async def add_moderator(ctx: Ctx) -> Ok:
    viewer = await load_viewer(ctx.me)
    await service.set_moderator(viewer, ctx.path_int("id"), ctx.path_int("employee_id"), True)
    await invalidate(ctx.services.redis, ctx.services.keys, viewers=[ctx.path_int("employee_id")])
    return Ok()


@api.route("DELETE", "/api/groups/{id:int}/moderators/{employee_id:int}",
           summary="Take group moderation away", tags=TAGS, response=Ok)  # fmt: skip
async def remove_moderator(ctx: Ctx) -> Ok:
    viewer = await load_viewer(ctx.me)
    await service.set_moderator(viewer, ctx.path_int("id"), ctx.path_int("employee_id"), False)
    await invalidate(ctx.services.redis, ctx.services.keys, viewers=[ctx.path_int("employee_id")])
    return Ok()


class InviteIn(Strict):
    employee_ids: list[int] = Field(min_length=1, max_length=500)


class InviteOut(BaseModel):
    invited: int


@api.route("POST", "/api/groups/{id:int}/invite", summary="Invite colleagues to a group",
           tags=TAGS, body=InviteIn, response=InviteOut)  # fmt: skip
async def invite(ctx: Ctx, body: InviteIn) -> InviteOut:
    viewer = await load_viewer(ctx.me)
    count = await service.invite(ctx.services, viewer, ctx.path_int("id"), body.employee_ids)
    return InviteOut(invited=count)
