"""Suggestions for newcomers: groups and people to follow, from department, store and skills."""

from __future__ import annotations

from pydantic import BaseModel
from tortoise.expressions import Q
from tortoise.functions import Count

from server.api import Api, Ctx
from server.community.access import load_viewer
from server.community.sql import ints
from server.groups.endpoints import GroupOut, group_out
from server.models import (
    Employee,
    EmployeeStatus,
    Follow,
    Group,
    GroupMember,
    MemberState,
    Visibility,
)
from server.posts.out import person_ref
from server.posts.schemas import PersonRef

api = Api()
SIZE = 10


class PersonSuggestion(BaseModel):
    person: PersonRef
    reasons: list[str]  # "department", "store", "skill:<name>"


class Suggestions(BaseModel):
    groups: list[GroupOut]
    people: list[PersonSuggestion]


@api.route("GET", "/api/suggestions", summary="Groups and people a newcomer may like",
           tags=["people"], response=Suggestions)  # fmt: skip
async def suggestions(ctx: Ctx) -> Suggestions:
    me = ctx.me
    viewer = await load_viewer(me)
    near = Q(employee__department_id=me.department_id) if me.department_id else Q(id=0)
    if me.store_id:
        near |= Q(employee__store_id=me.store_id)
    # Groups where colleagues of my department or store already are, most of them first.
    popular = (
        await GroupMember.filter(near, state=MemberState.MEMBER)
        .exclude(group_id__in=list(viewer.groups) or [0])
        .filter(group__visibility__not=Visibility.SECRET)
        .annotate(n=Count("id"))
        .group_by("group_id")
        .order_by("-n")
        .limit(SIZE)
        .values_list("group_id", "n")
    )
    ranked = [int(g) for g, _ in popular]
    if len(ranked) < SIZE:
        more = (
            await Group.filter(visibility=Visibility.PUBLIC)
            .exclude(id__in=[*viewer.groups, *ranked] or [0])
            .order_by("-member_count")
            .limit(SIZE - len(ranked))
            .values_list("id", flat=True)
        )
        ranked += ints(more)
    groups = {g.id: g for g in await Group.filter(id__in=ranked)}
    followed = set(await Follow.filter(follower_id=me.id).values_list("followee_id", flat=True))
    skills = set(me.skills or [])
    candidates = (
        await Employee.filter(
            Q(department_id=me.department_id) | Q(store_id=me.store_id),
            status=EmployeeStatus.ACTIVE,
        )
        .exclude(id__in=[me.id, *followed])
        .limit(200)
    )
    scored = []
    for person in candidates:
        reasons = []
        if me.department_id and person.department_id == me.department_id:
            reasons.append("department")
        if me.store_id and person.store_id == me.store_id:
            reasons.append("store")
        reasons += [f"skill:{s}" for s in sorted(skills & set(person.skills or []))]
        scored.append((len(reasons), person.id, person, reasons))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return Suggestions(
        groups=[group_out(viewer, groups[g], None) for g in ranked if g in groups],
        people=[PersonSuggestion(person=person_ref(p), reasons=r) for _, _, p, r in scored[:SIZE]],
    )
