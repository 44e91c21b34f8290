"""Groups: public (anyone joins), private (join by a moderator's approval, content for
members), secret (only members know it). Members, moderators, invitations, leaving."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from realtime import rooms
from server import activity
from server.community import live
from server.community.access import Viewer, can_read_group, require, visible_group
from server.community.sql import ints
from server.errors import ApiError, not_found
from server.models import (
    Employee,
    EmployeeStatus,
    Group,
    GroupMember,
    MemberState,
    Visibility,
)
from server.notifications.service import notify
from server.search import index
from server.search.backend import match
from server.services import Services

MAX_LIST = 200


@dataclass
class Membership:
    state: str | None
    moderator: bool


async def membership(viewer: Viewer, group_id: int) -> Membership:
    row = await GroupMember.get_or_none(group_id=group_id, employee_id=viewer.id)
    return Membership(row.state.value if row else None, bool(row and row.moderator))


async def create_group(
    services: Services, viewer: Viewer, name: str, description: str, visibility: str
) -> Group:
    async with in_transaction() as conn:
        group = await Group.create(
            name=name,
            description=description,
            visibility=Visibility(visibility),
            created_by_id=viewer.id,
            member_count=1,
            using_db=conn,
        )
        await GroupMember.create(
            group_id=group.id, employee_id=viewer.id, moderator=True, using_db=conn
        )
        await index.put("group", group.id, f"{name} {description}", using_db=conn)
    await live.enter(services, viewer.id, rooms.group(group.id))
    return group


async def list_groups(
    viewer: Viewer, q: str | None, mine: bool, after: int, limit: int, invited: bool = False
) -> tuple[list[Group], bool, dict[int, str]]:
    """Visible groups by id: public and private ones, secret ones I am in or invited to.
    Also my pending states (requested, invited) by group id, for the list to show."""
    pending = {
        int(group_id): MemberState(state).value
        for group_id, state in await GroupMember.filter(employee_id=viewer.id)
        .exclude(state=MemberState.MEMBER)
        .values_list("group_id", "state")
    }
    invitations = [g for g, state in pending.items() if state == MemberState.INVITED.value]
    query = Group.filter(id__gt=after)
    if mine:
        query = query.filter(id__in=list(viewer.groups))
    if invited:
        query = query.filter(id__in=invitations)
    if q:
        query = query.filter(id__in=[ref for _, ref, _ in await match(["group"], q, 500)])
    known = list(viewer.groups) + invitations
    if known:
        visible = query.filter(Q(visibility__not=Visibility.SECRET) | Q(id__in=known))
    else:
        visible = query.filter(visibility__not=Visibility.SECRET)
    rows = await visible.order_by("id").limit(limit + 1)
    return rows[:limit], len(rows) > limit, pending


async def update_group(viewer: Viewer, group_id: int, changes: dict[str, object]) -> Group:
    group = await visible_group(viewer, group_id)
    require(group.id in viewer.moderates or viewer.is_moderator)
    for name, value in changes.items():
        setattr(group, name, Visibility(str(value)) if name == "visibility" else value)
    if changes:
        await group.save(update_fields=list(changes))
        await index.put("group", group.id, f"{group.name} {group.description}")
    return group


async def _become_member(services: Services, group: Group, employee_id: int) -> None:
    async with in_transaction() as conn:
        row = await GroupMember.get_or_none(
            group_id=group.id, employee_id=employee_id, using_db=conn
        )
        if row is not None and row.state == MemberState.MEMBER:
            return
        if row is None:
            await GroupMember.create(group_id=group.id, employee_id=employee_id, using_db=conn)
        else:
            row.state = MemberState.MEMBER
            await row.save(update_fields=["state"], using_db=conn)
        await Group.filter(id=group.id).using_db(conn).update(member_count=F("member_count") + 1)
        event = await activity.record(
            "group.joined", employee_id, {"group_id": str(group.id)}, using_db=conn
        )
    await live.enter(services, employee_id, rooms.group(group.id))
    await activity.hand_off(services, [event.id] if event else [])


async def join(services: Services, viewer: Viewer, group_id: int) -> str:
    """Public: a member at once. Private: a request to the moderators. Secret: only with an
    invitation (anyone else gets a 404, as if the group did not exist)."""
    group = await Group.get_or_none(id=group_id)
    if group is None:
        raise not_found()
    row = await GroupMember.get_or_none(group_id=group.id, employee_id=viewer.id)
    if row is not None and row.state == MemberState.MEMBER:
        return MemberState.MEMBER.value
    invited = row is not None and row.state == MemberState.INVITED
    if group.visibility == Visibility.SECRET and not invited:
        raise not_found()
    if group.visibility == Visibility.PUBLIC or invited:
        await _become_member(services, group, viewer.id)
        return MemberState.MEMBER.value
    if row is None:
        await GroupMember.create(
            group_id=group.id, employee_id=viewer.id, state=MemberState.REQUESTED
        )
        moderators = await GroupMember.filter(group_id=group.id, moderator=True).values_list(
            "employee_id", flat=True
        )
        await notify(
            services,
            ints(moderators),
            "group.join_requested",
            {"group_id": group.id, "group": group.name, "employee_id": viewer.id},
            f"{group.id}:{viewer.id}",
        )
    return MemberState.REQUESTED.value


async def leave(services: Services, viewer: Viewer, group_id: int) -> None:
    group = await visible_group(viewer, group_id)
    async with in_transaction() as conn:
        row = await GroupMember.get_or_none(group_id=group.id, employee_id=viewer.id, using_db=conn)
        if row is None:
            return
        await row.delete(using_db=conn)
        if row.state == MemberState.MEMBER:
            await (
                Group.filter(id=group.id).using_db(conn).update(member_count=F("member_count") - 1)
            )
    await live.leave(services, viewer.id, rooms.group(group.id))


async def members(
    viewer: Viewer, group_id: int, state: str, after: int, limit: int
) -> tuple[list[GroupMember], bool]:
    group = await visible_group(viewer, group_id)
    if state == MemberState.MEMBER.value:
        if not can_read_group(viewer, group):
            raise ApiError(403, "not_a_member")
    else:
        require(group.id in viewer.moderates or viewer.is_moderator)
    rows = (
        await GroupMember.filter(group_id=group.id, state=MemberState(state), id__gt=after)
        .order_by("id")
        .limit(limit + 1)
    )
    return rows[:limit], len(rows) > limit


async def _moderated(viewer: Viewer, group_id: int) -> Group:
    group = await visible_group(viewer, group_id)
    require(group.id in viewer.moderates or viewer.is_moderator)
    return group


async def approve(services: Services, viewer: Viewer, group_id: int, employee_id: int) -> None:
    group = await _moderated(viewer, group_id)
    row = await GroupMember.get_or_none(group_id=group.id, employee_id=employee_id)
    if row is None or row.state != MemberState.REQUESTED:
        raise not_found()
    await _become_member(services, group, employee_id)
    await notify(
        services,
        [employee_id],
        "group.join_approved",
        {"group_id": group.id, "group": group.name},
        f"{group.id}",
    )


async def remove_member(
    services: Services, viewer: Viewer, group_id: int, employee_id: int
) -> None:
    """A moderator removes a member or turns a request down."""
    group = await _moderated(viewer, group_id)
    async with in_transaction() as conn:
        row = await GroupMember.get_or_none(
            group_id=group.id, employee_id=employee_id, using_db=conn
        )
        if row is None:
            raise not_found()
        await row.delete(using_db=conn)
        if row.state == MemberState.MEMBER:
            await (
                Group.filter(id=group.id).using_db(conn).update(member_count=F("member_count") - 1)
            )
    await live.leave(services, employee_id, rooms.group(group.id))


async def set_moderator(viewer: Viewer, group_id: int, employee_id: int, on: bool) -> None:
    group = await _moderated(viewer, group_id)
    changed = await GroupMember.filter(
        group_id=group.id, employee_id=employee_id, state=MemberState.MEMBER
    ).update(moderator=on)
    if not changed:
        raise not_found()


async def invite(services: Services, viewer: Viewer, group_id: int, employee_ids: list[int]) -> int:
    """Members invite to public groups; moderators to private and secret ones. A pending
    request is approved by the invitation."""
    group = await visible_group(viewer, group_id)
    if group.visibility == Visibility.PUBLIC:
        require(group.id in viewer.groups)
    else:
        require(group.id in viewer.moderates)
    people = ints(
        await Employee.filter(id__in=employee_ids, status=EmployeeStatus.ACTIVE).values_list(
            "id", flat=True
        )
    )
    invited = []
    for employee_id in people:
        row = await GroupMember.get_or_none(group_id=group.id, employee_id=employee_id)
        if row is None:
            await GroupMember.create(
                group_id=group.id, employee_id=employee_id, state=MemberState.INVITED
            )
            invited.append(employee_id)
        elif row.state == MemberState.REQUESTED:
            await _become_member(services, group, employee_id)
    await notify(
        services,
        invited,
        "group.invited",
        {"group_id": group.id, "group": group.name, "by": viewer.id},
        f"{group.id}",
    )
    return len(invited)
