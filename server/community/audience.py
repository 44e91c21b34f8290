"""Audiences as tokens with union semantics.

A post's audience is a set of tokens ("region:3", "store:12", "role:manager", ...); an
employee has a set of tokens too (their region, city, store, department, role, their own
"employee:<id>", and "group:<id>" for each group they belong to). An employee is in the
audience when the two sets meet. Saved segments are expanded into their tokens when used,
so the check stays one indexed `token IN (...)` in SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tortoise.expressions import Q

from server.community.sql import ints
from server.errors import ApiError
from server.models import (
    City,
    Department,
    Employee,
    EmployeeStatus,
    GroupMember,
    MemberState,
    Region,
    Role,
    Segment,
    Store,
)

KINDS = ("region", "city", "store", "dept", "role", "employee", "group")
_TOKEN = re.compile(r"^(region|city|store|dept|employee|group|segment):(\d{1,10})$|^role:(\w+)$")
ROLES = frozenset(r.value for r in Role)
MAX_TOKENS = 200


def parse_token(token: str) -> tuple[str, str]:
    match = _TOKEN.match(token)
    if match is None or (match.group(3) is not None and match.group(3) not in ROLES):
        raise ApiError(422, "validation_failed", field="audience", reason=f"bad token {token!r}")
    kind, value = token.split(":", 1)
    return kind, value


async def expand(tokens: Iterable[str]) -> list[str]:
    """Validate tokens and replace each saved segment by its tokens."""
    result: set[str] = set()
    for token in tokens:
        kind, value = parse_token(token)
        if kind == "segment":
            segment = await Segment.get_or_none(id=int(value))
            if segment is None:
                raise ApiError(
                    422, "validation_failed", field="audience", reason=f"no segment {value}"
                )
            for inner in segment.tokens:
                if parse_token(inner)[0] != "segment":
                    result.add(inner)
        else:
            result.add(token)
    if len(result) > MAX_TOKENS:
        raise ApiError(
            422, "validation_failed", field="audience", reason=f"at most {MAX_TOKENS} tokens"
        )
    return sorted(result)


def tokens_of(
    employee: Employee, group_ids: Iterable[int], city_id: int | None, region_id: int | None
) -> frozenset[str]:
    """An employee's tokens, given their groups and their store's city and region."""
    tokens = {f"employee:{employee.id}", f"role:{employee.role.value}"}
    if employee.department_id:
        tokens.add(f"dept:{employee.department_id}")
    if employee.store_id:
        tokens.add(f"store:{employee.store_id}")
        if city_id:
            tokens.add(f"city:{city_id}")
        if region_id:
            tokens.add(f"region:{region_id}")
    tokens.update(f"group:{g}" for g in group_ids)
    return frozenset(tokens)


def members_filter(tokens: Iterable[str]) -> Q:
    """Employees who hold at least one of the tokens, as a query filter."""
    by_kind: dict[str, list[str]] = {}
    for token in tokens:
        kind, value = token.split(":", 1)
        by_kind.setdefault(kind, []).append(value)
    ints = {k: [int(v) for v in vs] for k, vs in by_kind.items() if k != "role"}
    clauses: list[Q] = []
    if "region" in ints:
        clauses.append(Q(store__city__region_id__in=ints["region"]))
    if "city" in ints:
        clauses.append(Q(store__city_id__in=ints["city"]))
    if "store" in ints:
        clauses.append(Q(store_id__in=ints["store"]))
    if "dept" in ints:
        clauses.append(Q(department_id__in=ints["dept"]))
    if "employee" in ints:
        clauses.append(Q(id__in=ints["employee"]))
    if "role" in by_kind:
        clauses.append(Q(role__in=by_kind["role"]))
    if "group" in ints:
        members = GroupMember.filter(
            group_id__in=ints["group"], state=MemberState.MEMBER
        ).values_list("employee_id", flat=True)
        clauses.append(Q(id__in=members))
    if not clauses:
        return Q(id__in=[])
    return Q(*clauses, join_type="OR")


async def members_of(tokens: Iterable[str]) -> set[int]:
    """Ids of active employees holding at least one of the tokens."""
    ids = await Employee.filter(members_filter(tokens), status=EmployeeStatus.ACTIVE).values_list(
        "id", flat=True
    )
    return set(ints(ids))


async def count(tokens: Iterable[str]) -> int:
    """How many active employees an audience reaches (segments expanded first)."""
    expanded = await expand(tokens)
    if not expanded:
        return 0
    return await Employee.filter(members_filter(expanded), status=EmployeeStatus.ACTIVE).count()


async def places() -> dict[str, list[tuple[int, str]]]:
    """Regions, cities, stores and departments an audience may name, by name."""
    result: dict[str, list[tuple[int, str]]] = {}
    for kind, model in (("region", Region), ("city", City), ("store", Store), ("dept", Department)):
        rows = await model.all().order_by("name").limit(500).values_list("id", "name")
        result[kind] = [(int(i), str(n)) for i, n in rows]
    return result


async def mention_places(q: str, limit: int) -> list[tuple[str, int, str]]:
    """Departments and stores whose name contains q, for the editor's "@" list."""
    found: list[tuple[str, int, str]] = []
    for kind, model in (("department", Department), ("store", Store)):
        rows = await model.filter(name__icontains=q).order_by("name").limit(limit)
        found.extend((kind, r.id, r.name) for r in rows)
    return found[:limit]
