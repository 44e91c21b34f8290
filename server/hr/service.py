"""Applying an HR export: upsert employees by employee id, dismiss those a full export omits.

Idempotent: a row that matches what is stored writes nothing, so importing the same file
twice reports everything as unchanged the second time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from redis.asyncio import Redis
from tortoise.transactions import in_transaction

from gamification.keys import Keys
from server.caching import invalidate
from server.community.sql import ints
from server.hr.parse import HrRow, Parsed, Rejected
from server.models import City, Department, Employee, EmployeeStatus, Region, Role, Store
from server.people import ROOM_FIELDS, dismiss, rooms_changed

Progress = Callable[[int], None]


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dismissed: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def slug(name: str) -> str:
    return re.sub(r"[^\w]+", "-", name.strip().lower()).strip("-")[:64]


class _OrgCache:
    """Finds or creates regions, cities, stores and departments once per import."""

    def __init__(self) -> None:
        self.regions: dict[str, Region] = {}
        self.cities: dict[str, City] = {}
        self.stores: dict[str, Store] = {}
        self.departments: dict[str, Department] = {}
        # Moved in this import (a store to another city, a city to another region): their
        # people's `city:` and `region:` rooms change although their own rows do not.
        self.moved_stores: set[int] = set()
        self.moved_cities: set[int] = set()

    async def load(self) -> None:
        self.regions = {r.code: r for r in await Region.all()}
        self.cities = {c.code: c for c in await City.all()}
        self.stores = {s.code: s for s in await Store.all()}
        self.departments = {d.code: d for d in await Department.all()}

    async def region(self, row: HrRow) -> Region | None:
        code = row.region_code or slug(row.region)
        if not code:
            return None
        if code not in self.regions:
            self.regions[code] = await Region.create(code=code, name=row.region or code)
        return self.regions[code]

    async def city(self, row: HrRow) -> City | None:
        code = row.city_code or slug(row.city)
        if not code:
            return None
        region = await self.region(row)
        city = self.cities.get(code)
        if city is None:
            city = self.cities[code] = await City.create(
                code=code, name=row.city or code, region=region
            )
        elif region is not None and city.region_id != region.id:  # type: ignore[attr-defined]
            city.region = region
            await city.save(update_fields=["region_id"])
            self.moved_cities.add(city.id)
        return city

    async def store(self, row: HrRow) -> Store | None:
        code = row.store_code or slug(row.store)
        if not code:
            return None
        city = await self.city(row)
        store = self.stores.get(code)
        if store is None:
            store = self.stores[code] = await Store.create(
                code=code, name=row.store or code, city=city
            )
        elif city is not None and store.city_id != city.id:  # type: ignore[attr-defined]
            store.city = city
            await store.save(update_fields=["city_id"])
            self.moved_stores.add(store.id)
        return store

    async def department(self, row: HrRow) -> Department | None:
        code = row.department_code or slug(row.department)
        if not code:
            return None
        if code not in self.departments:
            self.departments[code] = await Department.create(code=code, name=row.department or code)
        return self.departments[code]


async def import_rows(
    parsed: Parsed,
    *,
    full: bool,
    redis: Redis,
    keys: Keys,
    progress: Progress | None = None,
) -> Summary:
    summary = Summary(rejected=list(parsed.rejected))
    org = _OrgCache()
    await org.load()
    by_hr_id = {e.employee_id: e for e in await Employee.filter(employee_id__not_isnull=True)}
    by_email = {e.email: e for e in await Employee.all()}
    to_dismiss: list[int] = []
    managers: list[tuple[int, Employee, str]] = []

    for line, row in parsed.rows:
        moved = False
        async with in_transaction():
            employee = by_hr_id.get(row.employee_id) or by_email.get(row.email)
            if employee is not None and employee.employee_id not in (None, row.employee_id):
                summary.rejected.append(
                    Rejected(
                        line,
                        row.employee_id,
                        f"email {row.email} belongs to employee {employee.employee_id}",
                    )
                )
                continue
            values = await _values(row, org)
            if employee is None:
                employee = await Employee.create(**values, role=row.role or Role.EMPLOYEE)
                summary.created += 1
            else:
                changed = _apply(employee, values, row)
                moved = not ROOM_FIELDS.isdisjoint(changed)
                if changed:
                    await employee.save(update_fields=[*changed, "updated_at"])
                    summary.updated += 1
                else:
                    summary.unchanged += 1
            by_hr_id[row.employee_id] = by_email[row.email] = employee
            if row.status is EmployeeStatus.DISMISSED and employee.is_active:
                to_dismiss.append(employee.id)
            managers.append((line, employee, row.manager_employee_id))
        if moved:  # committed: their open tabs move now, not at their next connect
            await rooms_changed(redis, keys, [employee.id])
        if progress:
            progress(1)

    for line, employee, manager_hr_id in managers:
        manager = by_hr_id.get(manager_hr_id) if manager_hr_id else None
        if manager_hr_id and manager is None:
            summary.warnings.append(f"line {line}: manager {manager_hr_id} is not in the HR list")
        manager_id = manager.id if manager else None
        if manager_id != employee.manager_id and manager_id != employee.id:
            employee.manager_id = manager_id
            await employee.save(update_fields=["manager_id"])

    if full:
        if parsed.rows:
            missing = [
                e.id
                for hr_id, e in by_hr_id.items()
                if hr_id not in parsed.mentioned_ids and e.is_active
            ]
            to_dismiss.extend(missing)
        else:
            summary.warnings.append("no valid rows: nobody was dismissed")
    if org.moved_stores or org.moved_cities:
        await rooms_changed(redis, keys, await _people_of(org.moved_stores, org.moved_cities))
    summary.dismissed = await dismiss(sorted(set(to_dismiss)), redis, keys)
    if summary.created or summary.updated or summary.dismissed:
        # Names, roles, stores and places moved: simpler to drop every cached viewer and
        # credential than to work out whose tokens changed (imports run once a day).
        await invalidate(redis, keys, everyone=True)
    return summary


async def _people_of(stores: set[int], cities: set[int]) -> list[int]:
    query = Employee.filter(status=EmployeeStatus.ACTIVE)
    ids: list[int] = []
    if stores:
        ids += ints(await query.filter(store_id__in=sorted(stores)).values_list("id", flat=True))
    if cities:
        in_cities = query.filter(store__city_id__in=sorted(cities))
        ids += ints(await in_cities.values_list("id", flat=True))
    return ids


async def _values(row: HrRow, org: _OrgCache) -> dict[str, Any]:
    department = await org.department(row)
    store = await org.store(row)
    if store is None:
        await org.city(row)  # a row may name only a city or a region
    return {
        "employee_id": row.employee_id,
        "email": row.email,
        "name": row.name,
        "position": row.position,
        "department_id": department.id if department else None,
        "store_id": store.id if store else None,
        "skills": row.skills,
        "interests": row.interests,
        "hr_listed": row.status is EmployeeStatus.ACTIVE,
        **({"locale": row.locale} if row.locale else {}),
        **({"timezone": row.timezone} if row.timezone else {}),
    }


def _apply(employee: Employee, values: dict[str, Any], row: HrRow) -> list[str]:
    changed = []
    for name, value in values.items():
        if name == "hr_listed" and not value:
            continue  # dismissal is done by dismiss(), which also ends sessions
        if getattr(employee, name) != value:
            setattr(employee, name, value)
            changed.append(name)
    if row.role is not None and employee.role != row.role:
        employee.role = row.role
        changed.append("role")
    if row.status is EmployeeStatus.ACTIVE and not employee.is_active:
        # Re-hired: the HR list says active again.
        employee.status, employee.dismissed_at = EmployeeStatus.ACTIVE, None
        changed.extend(["status", "dismissed_at"])
    return changed
