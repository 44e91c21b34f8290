"""The rewards admin of the comms workspace: the whole catalogue, the wheel's prize stock,
the monthly allowances (managers' gifts, kudos) and the reward part of the audit log.

Every change here is recorded with `server.audit.record` in the change's transaction."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from gamification import sql, store
from gamification.ledger import prize_currency, stock_account
from server import audit
from server.errors import not_found
from server.models import (
    AuditEntry,
    Employee,
    EmployeeStatus,
    Post,
    PostKind,
    RewardAllowance,
    Role,
)
from server.rewards import wheel
from server.rewards.service import month_of

MANAGER, KUDOS = "manager", "kudos"
# The audit log's actions this view shows: the shop, grants, badges by hand, decisions on
# redemptions, prize stock and allowances.
AREAS = ("shop.", "grant.", "badge.", "redemption.", "prize.", "allowance.")


# -- prizes -------------------------------------------------------------------------------------


async def prizes() -> list[dict[str, Any]]:
    """The live wheel's prizes with the stock left of each."""
    live = await wheel.live_wheel()
    ids = sorted(live.prizes)
    stock = await store.balances(sql.default(), [stock_account(prize_currency(p)) for p in ids])
    return [
        {
            "id": p,
            "title": dict(live.prizes[p].title),
            "stock": stock[stock_account(prize_currency(p))],
        }
        for p in ids
    ]


# -- allowances ---------------------------------------------------------------------------------


async def manager_monthly(manager_id: int, default: int) -> int:
    """A manager's monthly gift allowance: their own if set, else every manager's."""
    rows = {
        r.key: r.monthly
        for r in await RewardAllowance.filter(key__in=[MANAGER, f"{MANAGER}:{manager_id}"])
    }
    return rows.get(f"{MANAGER}:{manager_id}", rows.get(MANAGER, default))


async def kudos_monthly() -> int:
    """How many kudos one person may give a month; 0: no limit."""
    row = await RewardAllowance.get_or_none(key=KUDOS)
    return row.monthly if row else 0


async def kudos_given_this_month(author_id: int, zone: tzinfo) -> int:
    now = datetime.now(UTC)
    local = now.astimezone(zone)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    mine = Post.filter(author_id=author_id, kind=PostKind.KUDOS, created_at__gte=start)
    return await mine.count()


async def allowances(default_manager: int, zone: tzinfo) -> dict[str, Any]:
    """Every allowance with what the managers have left of theirs this month."""
    from server.rewards import service

    rows = {r.key: r for r in await RewardAllowance.all()}
    manager_row = rows.get(MANAGER)
    everyone = manager_row.monthly if manager_row else default_manager
    month = month_of(datetime.now(UTC), zone)
    managers = Employee.filter(role=Role.MANAGER, status=EmployeeStatus.ACTIVE)
    out = []
    for person in await managers.order_by("name", "id"):
        own = rows.get(f"{MANAGER}:{person.id}")
        monthly = own.monthly if own else everyone
        left = await service.allowance(person.id, monthly, zone)
        out.append(
            {
                "id": person.id,
                "name": person.name,
                "position": person.position,
                "monthly": monthly,
                "own": own is not None,
                "left": left["left"],
            }
        )
    kudos = rows.get(KUDOS)
    return {
        "month": month,
        "manager_monthly": everyone,
        "manager_default": default_manager,
        "kudos_monthly": kudos.monthly if kudos else 0,
        "managers": out,
    }


async def set_allowance(key: str, monthly: int | None, by: int) -> None:
    """Set (or, with None, remove) one allowance; audited in the same transaction."""
    now = datetime.now(UTC)
    async with in_transaction() as conn:
        before = await RewardAllowance.get_or_none(key=key, using_db=conn)
        old = before.monthly if before else None
        if monthly is None:
            if before is not None:
                await RewardAllowance.filter(key=key).using_db(conn).delete()
        elif before is None:
            await RewardAllowance.create(
                key=key, monthly=monthly, updated_at=now, updated_by_id=by, using_db=conn
            )
        else:
            before.monthly, before.updated_at, before.updated_by_id = monthly, now, by
            await before.save(using_db=conn)
        if old != monthly:
            await audit.record(
                by, "allowance.set", f"allowance:{key}", {"from": old, "to": monthly}
            )


async def manager_exists(manager_id: int) -> None:
    if not await Employee.exists(id=manager_id, role=Role.MANAGER):
        raise not_found()


# -- the audit trail ----------------------------------------------------------------------------


async def trail(limit: int, before: int | None, area: str | None) -> list[dict[str, Any]]:
    """The reward actions of the audit log, newest first (`before`: a `seq` cursor)."""
    areas = [a for a in AREAS if area is None or a == f"{area}."]
    query = AuditEntry.filter(Q(*[Q(action__startswith=a) for a in areas], join_type="OR"))
    if before is not None:
        query = query.filter(seq__lt=before)
    entries = await query.order_by("-seq").limit(limit)
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    for e in entries:
        if e.target.startswith("employee:") and e.target[9:].isdigit():
            ids.add(int(e.target[9:]))
    names = {p.id: p.name for p in await Employee.filter(id__in=ids).only("id", "name")}
    return [
        {
            "seq": e.seq,
            "at": e.at.isoformat(),
            "actor_id": e.actor_id,
            "actor_name": names.get(e.actor_id) if e.actor_id is not None else None,
            "action": e.action,
            "target": e.target,
            "target_name": (
                names.get(int(e.target[9:]))
                if e.target.startswith("employee:") and e.target[9:].isdigit()
                else None
            ),
            "detail": e.detail,
        }
        for e in entries
    ]
