"""/api/admin/employees: the IT admin's people list and the changes of access it makes.

Every change is audited in the same transaction as the change itself; the live effects
(sockets closed, rooms moved, caches dropped) follow once it has committed."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from server import audit
from server.api import Api, Ctx
from server.auth.sessions import now, revoke_all
from server.caching import invalidate
from server.errors import ApiError, not_found
from server.models import ApiToken, Employee, EmployeeStatus, Role, Session
from server.people import announce_access_change, rooms_changed
from server.schemas import Ref, Strict

api = Api()


class PeopleQuery(Strict):
    q: str = Field(default="", max_length=200)
    role: Role | None = None
    status: EmployeeStatus | None = None
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=25, ge=1, le=100)


class AdminPerson(BaseModel):
    id: int
    employee_id: str | None
    email: str
    name: str
    position: str
    role: str
    status: str
    store: Ref | None
    avatar_url: str | None
    dismissed_at: datetime | None
    sessions: int  # open sessions
    tokens: int  # API tokens not revoked


class PeoplePage(BaseModel):
    people: list[AdminPerson]
    total: int


class RoleBody(Strict):
    role: Role


async def _people_out(rows: list[Employee]) -> list[AdminPerson]:
    ids = [e.id for e in rows]
    moment = now()
    sessions = dict(
        await Session.filter(employee_id__in=ids, revoked_at=None, expires_at__gt=moment)
        .group_by("employee_id")
        .annotate(n=Count("id"))
        .values_list("employee_id", "n")
    )
    tokens = dict(
        await ApiToken.filter(employee_id__in=ids, revoked_at=None)
        .group_by("employee_id")
        .annotate(n=Count("id"))
        .values_list("employee_id", "n")
    )
    out = []
    for e in rows:
        store = e.store
        out.append(
            AdminPerson(
                id=e.id,
                employee_id=e.employee_id,
                email=e.email,
                name=e.name,
                position=e.position,
                role=e.role.value,
                status=e.status.value,
                store=Ref(id=store.id, name=store.name) if store else None,
                avatar_url=f"/api/employees/{e.id}/avatar" if e.avatar_path else None,
                dismissed_at=e.dismissed_at,
                sessions=int(sessions.get(e.id, 0)),
                tokens=int(tokens.get(e.id, 0)),
            )
        )
    return out


async def _one(employee_id: int) -> AdminPerson:
    employee = await Employee.get_or_none(id=employee_id).prefetch_related("store")
    if employee is None:
        raise not_found()
    return (await _people_out([employee]))[0]


@api.route("GET", "/api/admin/employees", summary="Find people (every status), for the IT admin",
           tags=["admin"], query=PeopleQuery, response=PeoplePage, roles=[Role.ADMIN])  # fmt: skip
async def list_people(ctx: Ctx, query: PeopleQuery) -> PeoplePage:
    rows = Employee.all()
    if query.q:
        rows = rows.filter(
            Q(name__icontains=query.q)
            | Q(email__icontains=query.q)
            | Q(employee_id__icontains=query.q)
            | Q(position__icontains=query.q)
        )
    if query.role is not None:
        rows = rows.filter(role=query.role)
    if query.status is not None:
        rows = rows.filter(status=query.status)
    total = await rows.count()
    page = (
        await rows.order_by("name", "id")
        .offset(query.offset)
        .limit(query.limit)
        .prefetch_related("store")
    )
    return PeoplePage(people=await _people_out(list(page)), total=total)


def _not_yourself(ctx: Ctx, employee_id: int) -> None:
    if employee_id == ctx.me.id:
        # An admin who demotes or locks out themselves may leave the company with no admin.
        raise ApiError(409, "own_account")


@api.route("PUT", "/api/admin/employees/{id:int}/role", summary="Change a person's role",
           tags=["admin"], body=RoleBody, response=AdminPerson, roles=[Role.ADMIN])  # fmt: skip
async def change_role(ctx: Ctx, body: RoleBody) -> AdminPerson:
    employee_id = ctx.path_int("id")
    async with in_transaction():
        employee = await Employee.filter(id=employee_id).select_for_update().first()
        if employee is None:
            raise not_found()
        _not_yourself(ctx, employee_id)
        before = employee.role
        if before != body.role:
            employee.role = body.role
            await employee.save(update_fields=["role", "updated_at"])
            await audit.record(
                ctx.me.id,
                "employee.role.change",
                f"employee:{employee_id}",
                {"from": before.value, "to": body.role.value, "name": employee.name},
            )
    if before != body.role:
        redis, keys = ctx.services.redis, ctx.services.keys
        await invalidate(redis, keys, employees=[employee_id])
        await rooms_changed(redis, keys, [employee_id])
    return await _one(employee_id)


@api.route("POST", "/api/admin/employees/{id:int}/deactivate",
           summary="Deactivate a person: sessions and tokens end, live sockets close at once",
           tags=["admin"], response=AdminPerson, roles=[Role.ADMIN])  # fmt: skip
async def deactivate(ctx: Ctx) -> AdminPerson:
    employee_id = ctx.path_int("id")
    async with in_transaction():
        employee = await Employee.filter(id=employee_id).select_for_update().first()
        if employee is None:
            raise not_found()
        _not_yourself(ctx, employee_id)
        changed = employee.is_active
        if changed:
            await Employee.filter(id=employee_id).update(
                status=EmployeeStatus.DISMISSED, dismissed_at=now()
            )
            ended = await revoke_all(employee_id, tokens=True)
            await audit.record(
                ctx.me.id,
                "employee.deactivate",
                f"employee:{employee_id}",
                {"name": employee.name, "sessions_ended": ended},
            )
    if changed:
        await announce_access_change(
            ctx.services.redis, ctx.services.keys, employee_id, "dismissed"
        )
    return await _one(employee_id)


@api.route("POST", "/api/admin/employees/{id:int}/reactivate",
           summary="Give a deactivated person their access back (they sign in again)",
           tags=["admin"], response=AdminPerson, roles=[Role.ADMIN])  # fmt: skip
async def reactivate(ctx: Ctx) -> AdminPerson:
    employee_id = ctx.path_int("id")
    async with in_transaction():
        employee = await Employee.filter(id=employee_id).select_for_update().first()
        if employee is None:
            raise not_found()
        changed = not employee.is_active
        if changed:
            await Employee.filter(id=employee_id).update(
                status=EmployeeStatus.ACTIVE, dismissed_at=None
            )
            await audit.record(
                ctx.me.id, "employee.reactivate", f"employee:{employee_id}", {"name": employee.name}
            )
    if changed:
        await invalidate(ctx.services.redis, ctx.services.keys, employees=[employee_id])
    return await _one(employee_id)
