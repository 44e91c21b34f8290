"""Employees as the API shows them, and the account changes that affect live access."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import orjson
from redis.asyncio import Redis

from gamification.keys import Keys
from realtime.server import publish_rooms_changed
from server.auth.sessions import revoke_all
from server.caching import invalidate
from server.models import Employee, EmployeeStatus
from server.schemas import EmployeeOut, Ref


async def employee_out(employee: Employee) -> EmployeeOut:
    await employee.fetch_related("department", "store", "manager")
    department, store, manager = employee.department, employee.store, employee.manager
    return EmployeeOut(
        id=employee.id,
        employee_id=employee.employee_id,
        email=employee.email,
        name=employee.name,
        position=employee.position,
        role=employee.role.value,
        status=employee.status.value,
        locale=employee.locale,
        timezone=employee.timezone,
        department=Ref(id=department.id, name=department.name) if department else None,
        store=Ref(id=store.id, name=store.name) if store else None,
        manager=Ref(id=manager.id, name=manager.name) if manager else None,
        skills=list(employee.skills or []),
        interests=list(employee.interests or []),
        avatar_url=f"/api/employees/{employee.id}/avatar" if employee.avatar_path else None,
        created_at=employee.created_at,
    )


async def announce_access_change(redis: Redis, keys: Keys, employee_id: int, reason: str) -> None:
    """Tell every web process that this employee's live connections must close (and that
    what it cached of them is stale)."""
    await invalidate(redis, keys, employees=[employee_id])
    message = orjson.dumps({"employee_id": employee_id, "reason": reason})
    await redis.publish(keys.account_events, message)


# What an employee's organisation rooms are made of (`server/live.py:org_rooms`, the
# audience tokens, `staff`): a change of any of these moves their open sockets.
ROOM_FIELDS = frozenset({"role", "store_id", "department_id"})


async def rooms_changed(redis: Redis, keys: Keys, employee_ids: Iterable[int]) -> None:
    """After a change of role, store or department commits: every web process resolves
    these employees' rooms again and moves their open sockets (`store:`, `city:`,
    `region:`, `dept:`, `role:`, `staff`), so targeted posts follow them without a
    reconnect."""
    await publish_rooms_changed(redis, keys, employee_ids)


async def dismiss(employee_ids: list[int], redis: Redis, keys: Keys) -> int:
    """Dismiss employees: status, every session and token revoked, live sockets told."""
    if not employee_ids:
        return 0
    moment = datetime.now(UTC)
    changed = await Employee.filter(id__in=employee_ids, status=EmployeeStatus.ACTIVE).update(
        status=EmployeeStatus.DISMISSED, dismissed_at=moment, hr_listed=False
    )
    for employee_id in employee_ids:
        await revoke_all(employee_id, tokens=True)
        await announce_access_change(redis, keys, employee_id, "dismissed")
    return changed
