"""Rewards seen and given by people: wallets and history, grants by comms, managers'
monthly allowances, badges by hand and for expertise, levels, leaderboards, and the
reciprocal-ring report."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gamification import abuse, sql, store
from gamification.boards import Boards, Standing
from gamification.leaderboard import (
    Scope,
    cumulative_by_day,
    current_boards,
    label,
    period_start,
    rank_per_head,
)
from gamification.ledger import (
    POINTS,
    SPINS,
    Transfer,
    budget_account,
    hold_account,
    system_account,
    user_account,
)
from gamification.levels import Level, level_for, parse_levels
from gamification.store import BadgeRow, InsufficientFunds
from server import audit
from server.errors import ApiError, not_found
from server.models import (
    ActivityEvent,
    BadgeAward,
    City,
    ContestPrize,
    Department,
    Employee,
    LedgerTransfer,
    Region,
    RulesetVersion,
    Store,
)
from server.services import Services


def key_id(kind: str, *parts: object) -> str:
    """A transfer id from an idempotency key: the same request twice is one transfer."""
    raw = "\x1f".join(str(p) for p in (kind, *parts))
    return f"{kind}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


# -- wallets -----------------------------------------------------------------------------------


async def lifetime_points(user_id: int) -> int:
    """Points earned ever (awards, gifts, grants, wheel points, less reversals): what the
    all-time leaderboard and the level count. Spending does not lower it."""
    mine = user_account(POINTS, user_id)
    rows = await sql.fetch(
        sql.default(),
        "SELECT COALESCE(SUM(CASE WHEN credit_id = ? THEN amount ELSE -amount END), 0) AS s "
        "FROM ledger_transfer WHERE user_id = ? AND ranked",
        [mine, user_id],
    )
    return int(rows[0]["s"])


def level(points: int, levels_spec: str) -> Level:
    return level_for(points, parse_levels(levels_spec))


async def wallet(user_id: int, levels_spec: str) -> dict[str, Any]:
    found = await store.balances(
        sql.default(),
        [user_account(POINTS, user_id), user_account(SPINS, user_id), hold_account(user_id)],
    )
    earned = await lifetime_points(user_id)
    current = level(earned, levels_spec)
    return {
        "points": found[user_account(POINTS, user_id)],
        "spins": found[user_account(SPINS, user_id)],
        "held": found[hold_account(user_id)],
        "lifetime_points": earned,
        "level": {
            "number": current.number,
            "name": current.name,
            "floor": current.floor,
            "next_at": current.next_at,
            "progress": round(current.progress(earned), 3),
        },
    }


async def history(user_id: int, limit: int, before: datetime | None) -> list[dict[str, Any]]:
    """The person's transfers, newest first, each with why ("3 of 3 this day ...")."""
    query = LedgerTransfer.filter(user_id=user_id)
    if before:
        query = query.filter(created_at__lt=before)
    rows = await query.order_by("-created_at", "-id").limit(limit)
    versions = {r.ruleset_version for r in rows if r.ruleset_version}
    titles: dict[tuple[str, str], dict[str, str]] = {}
    numbers: dict[str, int] = {}
    if versions:
        from server.rulesets.registry import RulesetRegistry

        compiler = RulesetRegistry("UTC")
        for version in await RulesetVersion.filter(version__in=versions):
            numbers[version.version] = version.id
            for rule in compiler.compile(version).rules:
                titles[(version.version, rule.id)] = dict(rule.title)
    events = {
        e.id: e for e in await ActivityEvent.filter(id__in={r.event_id for r in rows if r.event_id})
    }
    # A contest prize explains itself: "1st of 17 stores in the December contest".
    prize_ids = {r.id.rsplit(":", 1)[0] for r in rows if r.kind == "contest"}
    prizes = (
        {p.id: p.texts for p in await ContestPrize.filter(id__in=prize_ids)} if prize_ids else {}
    )
    out = []
    for r in rows:
        mine = user_account(r.currency, user_id)
        out.append(
            {
                "id": r.id,
                "kind": r.kind,
                "currency": r.currency,
                "amount": r.amount if r.credit_id == mine else -r.amount,
                "at": r.at.isoformat(),
                "created_at": r.created_at.isoformat(),
                "rule_id": r.rule_id,
                "title": (
                    prizes.get(r.id.rsplit(":", 1)[0], {})
                    if r.kind == "contest"
                    else titles.get((r.ruleset_version or "", r.rule_id or ""), {})
                ),
                "because": r.reason,
                "event_id": r.event_id,
                "reverses": r.reverses_id,
                "ruleset": numbers.get(r.ruleset_version or ""),
                "source": _source(events.get(r.event_id or "")),
            }
        )
    return out


def _source(event: ActivityEvent | None) -> dict[str, Any] | None:
    """What earned a transfer, for a link: the event's type, its time, and the post or the
    calendar event it was about (the ids the rules' events carry, as numbers)."""
    if event is None:
        return None

    def number(field: str) -> int | None:
        value = event.data.get(field)
        return int(value) if isinstance(value, str | int) and str(value).isdigit() else None

    return {
        "type": event.type,
        "at": event.at.isoformat(),
        "post_id": number("post_id"),
        "calendar_event_id": number("event_id"),
    }


# -- grants and gifts -------------------------------------------------------------------------


@dataclass(frozen=True)
class Posted:
    transfers: tuple[Transfer, ...]
    batch: int | None
    made: datetime | None
    new: bool


async def grant(currency: str, user_id: int, amount: int, by: int, reason: str, key: str) -> Posted:
    """Comms give points or spins by hand (e.g. the winners of a contest)."""
    if not await Employee.exists(id=user_id):
        raise not_found()
    now = datetime.now(UTC)
    transfer = Transfer(
        id=key_id("grant", by, key),
        kind="grant",
        currency=currency,
        debit=system_account(currency, "grant"),
        credit=user_account(currency, user_id),
        amount=amount,
        at=now,
        user_id=user_id,
        actor_id=by,
        reason=reason,
        org=await store.org_of(sql.default(), user_id),
    )
    detail = {"currency": currency, "amount": amount, "reason": reason, "transfer_id": transfer.id}
    return await _post_once(
        transfer, now, audited=(by, f"grant.{currency}", f"employee:{user_id}", detail)
    )


async def _post_once(
    transfer: Transfer,
    now: datetime,
    *,
    check: str | None = None,
    audited: tuple[int, str, str, dict[str, Any]] | None = None,
) -> Posted:
    """Posts one transfer once per id; `audited` (actor, action, target, detail) is written
    to the audit log in the same transaction."""
    if await LedgerTransfer.exists(id=transfer.id):
        return Posted((transfer,), None, None, False)
    try:
        async with in_transaction() as conn:
            batch = await store.post(conn, [transfer], now, check_funds=[check] if check else [])
            if audited is not None:
                await audit.record(*audited)
    except IntegrityError:  # the same key, concurrently: the other request posted it
        return Posted((transfer,), None, None, False)
    return Posted((transfer,), batch, now, True)


def month_of(moment: datetime, zone: tzinfo) -> str:
    return label("month", moment.astimezone(zone).date())


async def allowance(manager_id: int, monthly: int, zone: tzinfo) -> dict[str, Any]:
    month = month_of(datetime.now(UTC), zone)
    await _fund(manager_id, month, monthly)
    left = await store.balance(sql.default(), budget_account(manager_id, month))
    return {"month": month, "monthly": monthly, "left": left}


async def _fund(manager_id: int, month: str, monthly: int) -> None:
    """The month's budget, put in on first use. When the comms team change the allowance
    during the month, the budget follows: a raise is added at once, a cut takes back what
    is left, down to the new allowance (what was given stays given)."""
    now = datetime.now(UTC)
    budget = budget_account(manager_id, month)
    async with in_transaction() as conn:
        rows = await sql.fetch(
            conn,
            "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN credit_id = ? THEN amount "
            "ELSE -amount END), 0) AS s FROM ledger_transfer WHERE kind = 'allowance' "
            "AND (credit_id = ? OR debit_id = ?)",
            [budget, budget, budget],
        )
        count, funded = int(rows[0]["n"]), int(rows[0]["s"])
        if count == 0 and monthly <= 0:
            return
        change = monthly - funded
        if change < 0:
            change = -min(-change, await store.balance(conn, budget))
        if change == 0:
            return
        pool = system_account(POINTS, "allowance")
        await store.post_once(
            conn,
            Transfer(
                # The first funding keeps its old id; each later change is the n-th.
                id=f"allowance:{manager_id}:{month}" + (f":{count}" if count else ""),
                kind="allowance",
                currency=POINTS,
                debit=pool if change > 0 else budget,
                credit=budget if change > 0 else pool,
                amount=abs(change),
                at=now,
                actor_id=manager_id,
                reason=f"allowance for {month}",
            ),
            now,
        )


async def give(
    manager_id: int,
    recipient_id: int,
    amount: int,
    message: str,
    key: str,
    *,
    monthly: int,
    zone: tzinfo,
) -> Posted:
    """A manager thanks someone with points from this month's allowance. The allowance
    expires at the month's end; what was given stays with the recipient."""
    if recipient_id == manager_id:
        raise ApiError(422, "self_reward")
    if not await Employee.exists(id=recipient_id):
        raise not_found()
    now = datetime.now(UTC)
    month = month_of(now, zone)
    await _fund(manager_id, month, monthly)
    budget = budget_account(manager_id, month)
    transfer = Transfer(
        id=key_id("gift", manager_id, key),
        kind="gift",
        currency=POINTS,
        debit=budget,
        credit=user_account(POINTS, recipient_id),
        amount=amount,
        at=now,
        user_id=recipient_id,
        actor_id=manager_id,
        reason=message,
        org=await store.org_of(sql.default(), recipient_id),
    )
    try:
        return await _post_once(transfer, now, check=budget)
    except InsufficientFunds:
        left = await store.balance(sql.default(), budget)
        raise ApiError(409, "allowance_exceeded", left=left) from None


async def expire_allowances(zone: tzinfo, now: datetime | None = None) -> int:
    """What is left of past months' budgets goes back: returns how many expired."""
    now = now or datetime.now(UTC)
    current = month_of(now, zone)
    rows = await sql.fetch(
        sql.default(),
        "SELECT id, balance FROM ledger_account WHERE id LIKE 'points:budget:%' AND balance > 0",
    )
    expired = 0
    for row in rows:
        if row["id"].rsplit(":", 1)[1] >= current:
            continue
        async with in_transaction() as conn:
            left = await store.balance(conn, row["id"])
            if left > 0 and await store.post_once(
                conn,
                Transfer(
                    id=f"expire:{row['id']}"[:64],
                    kind="expiry",
                    currency=POINTS,
                    debit=row["id"],
                    credit=system_account(POINTS, "allowance"),
                    amount=left,
                    at=now,
                    reason="the month's allowance expired",
                ),
                now,
            ):
                expired += 1
    return expired


# -- badges ----------------------------------------------------------------------------------


def _badge_out(b: BadgeAward) -> dict[str, Any]:
    return {
        "id": b.id,
        "badge": b.badge_id,
        "kind": b.kind,
        "tier": b.tier,
        "title": b.title or {},
        "topic": b.topic,
        "rule_id": b.rule_id,
        "given_by_id": b.given_by_id,
        "reason": b.reason,
        "created_at": b.created_at.isoformat(),
    }


async def badges_of(user_id: int) -> list[dict[str, Any]]:
    rows = await BadgeAward.filter(user_id=user_id).order_by("-created_at")
    return [_badge_out(b) for b in rows]


async def award_badge(
    *,
    by: int,
    user_id: int,
    kind: str,
    title: dict[str, str],
    tier: str | None,
    topic: str | None,
    reason: str,
    key: str,
) -> dict[str, Any]:
    """By hand: a badge "for merit" (any number of times) or an expertise badge, which
    makes the person findable as an expert in `topic` (at most one per topic)."""
    if user_id == by:
        raise ApiError(422, "self_reward")
    if not await Employee.exists(id=user_id):
        raise not_found()
    ident = key_id("badge", by, key)[:64]
    badge_id = f"expert_{topic}" if kind == "expertise" else "merit"
    unique = f"expert:{user_id}:{topic}" if kind == "expertise" else None
    async with in_transaction() as conn:
        existed = await BadgeAward.exists(id=ident, using_db=conn)
        await store.insert_badges(
            conn,
            [
                BadgeRow(
                    id=ident,
                    user_id=user_id,
                    badge_id=badge_id,
                    kind=kind,
                    tier=tier,
                    title=title,
                    topic=topic,
                    rule_id=None,
                    event_id=None,
                    given_by_id=by,
                    reason=reason,
                    unique_key=unique,
                    created_at=datetime.now(UTC),
                )
            ],
        )
        if not existed and await BadgeAward.exists(id=ident, using_db=conn):
            await audit.record(
                by,
                "badge.award",
                f"employee:{user_id}",
                {
                    "badge": badge_id,
                    "kind": kind,
                    "tier": tier,
                    "title": title,
                    "topic": topic,
                    "reason": reason,
                },
            )
    found = await BadgeAward.get_or_none(id=ident)
    if found is None and unique is not None:
        found = await BadgeAward.get_or_none(unique_key=unique)
    if found is None:
        raise ApiError(409, "badge_conflict")
    return _badge_out(found)


async def experts(topic: str) -> list[dict[str, Any]]:
    rows = await BadgeAward.filter(kind="expertise", topic=topic).order_by("created_at")
    people = {e.id: e for e in await Employee.filter(id__in=[r.user_id for r in rows])}
    return [
        {"id": r.user_id, "name": people[r.user_id].name, "position": people[r.user_id].position}
        for r in rows
        if r.user_id in people and people[r.user_id].is_active
    ]


# -- leaderboards ----------------------------------------------------------------------------


async def leaderboard(
    services: Services, scope: Scope, period: str, me: Employee, *, limit: int, per_head: bool
) -> dict[str, Any]:
    zone = services.settings.zone
    boards = Boards(services.redis, services.keys, zone)
    now = datetime.now(UTC)
    current = current_boards(scope, now, zone)
    board = current[period]  # type: ignore[index]
    store_code = None
    if me.store_id is not None:
        await me.fetch_related("store")
        store_code = me.store.code if me.store else None
    if per_head and scope == "store":
        return await _per_head(boards, board, store_code, limit)
    standing = await boards.read(
        board,
        limit=limit,
        me=str(me.id) if scope == "user" else None,
        my_store_board=current_boards("store", now, zone)[period],  # type: ignore[index]
        my_store=store_code,
    )
    return await _standing_out(standing, scope, me)


_PLACES: dict[str, Any] = {
    "store": Store,
    "city": City,
    "region": Region,
    "department": Department,
}


async def place_names(scope: str, members: Iterable[str]) -> dict[str, str]:
    """A board's members by name: people by id, the organisation's places by code."""
    wanted = sorted(set(members))
    if not wanted:
        return {}
    if scope == "user":
        ids = [int(m) for m in wanted if m.isdigit()]
        return {str(e.id): e.name for e in await Employee.filter(id__in=ids).only("id", "name")}
    model = _PLACES[scope]
    return {p.code: p.name for p in await model.filter(code__in=wanted).only("code", "name")}


async def _standing_out(standing: Standing, scope: str, me: Employee) -> dict[str, Any]:
    names = await place_names(scope, [r.member for r in standing.top])
    store_names = await place_names(
        "store", [standing.my_store.member] if standing.my_store else []
    )
    return {
        "scope": scope,
        "period": standing.board.period,
        "label": standing.board.label,
        "size": standing.size,
        "top": [
            {
                "id": r.member,
                "name": names.get(r.member, r.member),
                "rank": r.rank,
                "points": r.points,
            }
            for r in standing.top
        ],
        "me": _rank(standing.me),
        "my_store": _rank(standing.my_store, store_names),
    }


def _rank(rank: Any, names: dict[str, str] | None = None) -> dict[str, Any] | None:
    if rank is None:
        return None
    out = {"id": rank.member, "rank": rank.rank, "points": rank.points}
    if names is not None:
        out["name"] = names.get(rank.member, rank.member)
    return out


async def _per_head(boards: Boards, board: Any, my_store: str | None, limit: int) -> dict[str, Any]:
    scores = await boards.scores(board)
    rows = await sql.fetch(
        sql.default(),
        "SELECT s.code AS code, COUNT(*) AS n FROM employee e JOIN store s ON s.id = e.store_id "
        "WHERE e.status = 'active' GROUP BY s.code",
    )
    heads = {r["code"]: int(r["n"]) for r in rows}
    ranked = rank_per_head(scores, heads)
    names = await place_names("store", [m for m, _, _ in ranked])
    mine = next(
        (
            {"id": m, "name": names.get(m, m), "rank": i, "points": p, "per_head": per}
            for i, (m, per, p) in enumerate(ranked, 1)
            if m == my_store
        ),
        None,
    )
    return {
        "scope": "store",
        "period": board.period,
        "label": board.label,
        "per_head": True,
        "size": len(ranked),
        "top": [
            {
                "id": m,
                "name": names.get(m, m),
                "rank": i,
                "points": p,
                "per_head": per,
                "employees": heads.get(m, 0),
            }
            for i, (m, per, p) in enumerate(ranked[:limit], 1)
        ],
        "me": None,
        "my_store": mine,
    }


_PLACE_COLUMN: dict[str, str] = {
    "user": "store",
    "store": "store",
    "city": "city",
    "region": "region",
    "department": "department",
}


async def progress(services: Services, scope: Scope, period: str, me: Employee) -> dict[str, Any]:
    """My points and my place's (my store's; on the city, region and department boards my
    city's, region's, department's) earned up to each day of the current period, in the
    company's time zone: the same transfers, with the same signs, as the boards."""
    zone = services.settings.zone
    now = datetime.now(UTC)
    board = current_boards(scope, now, zone)[period]  # type: ignore[index]
    start = period_start(board.period, board.label, zone)
    conn = sql.default()
    org = await store.org_of(conn, me.id)
    column = _PLACE_COLUMN[scope]
    place = dict(zip(("store", "city", "region", "department"), org, strict=True))[column]
    since = "" if start is None else " AND t.at >= ?"
    since_value = [] if start is None else [start]
    mine = [
        (at, points)
        for at, points, _ in await _signed_rows(
            conn, f"t.user_id = ?{since}", [me.id, *since_value]
        )
    ]
    theirs = (
        [
            (at, points)
            for at, points, _ in await _signed_rows(
                conn, f"t.{column} = ?{since}", [place, *since_value]
            )
        ]
        if place
        else []
    )
    today = now.astimezone(zone).date()
    if start is not None:
        first = start.astimezone(zone).date()
    else:
        first = min((at.astimezone(zone).date() for at, _ in mine + theirs), default=today)
    days = [(first + timedelta(days=n)).isoformat() for n in range((today - first).days + 1)]
    place_scope = "store" if scope == "user" else scope
    names = await place_names(place_scope, [place] if place else [])
    return {
        "scope": scope,
        "period": board.period,
        "label": board.label,
        "days": days,
        "me": cumulative_by_day(mine, zone, first, today),
        "place": None
        if not place
        else {
            "scope": place_scope,
            "id": place,
            "name": names.get(place, place),
            "points": cumulative_by_day(theirs, zone, first, today),
        },
    }


async def store_board(
    services: Services, period: str, me: Employee, *, limit: int
) -> dict[str, Any]:
    """A store director's home: my store's rank among stores, and its best people (their
    points earned for this store in the period, from the ledger, as the store board sums
    them)."""
    zone = services.settings.zone
    now = datetime.now(UTC)
    board = current_boards("store", now, zone)[period]  # type: ignore[index]
    out: dict[str, Any] = {
        "period": board.period,
        "label": board.label,
        "store": None,
        "people": [],
    }
    if me.store_id is None:
        return out
    await me.fetch_related("store")
    if me.store is None:
        return out
    code = me.store.code
    standing = await Boards(services.redis, services.keys, zone).read(board, limit=1, me=code)
    out["store"] = {
        "id": code,
        "name": me.store.name,
        "rank": standing.me.rank if standing.me else None,
        "points": standing.me.points if standing.me else 0,
        "size": standing.size,
    }
    start = period_start(board.period, board.label, zone)
    since = "" if start is None else " AND t.at >= ?"
    rows = await _signed_rows(
        sql.default(), f"t.store = ?{since}", [code, *([] if start is None else [start])]
    )
    totals: dict[int, int] = {}
    for _, points, user in rows:
        totals[user] = totals.get(user, 0) + points
    ranked = sorted(((p, u) for u, p in totals.items() if p > 0), key=lambda x: (-x[0], x[1]))
    names = await place_names("user", [str(u) for _, u in ranked[:limit]])
    out["people"] = [
        {"id": str(u), "name": names.get(str(u), str(u)), "rank": i, "points": p}
        for i, (p, u) in enumerate(ranked[:limit], 1)
    ]
    return out


async def _signed_rows(conn: Any, where: str, values: list[Any]) -> list[tuple[datetime, int, int]]:
    rows = await sql.fetch(
        conn,
        # `where` is a fixed column (from _PLACE_COLUMN) and `?` placeholders, never values.
        f"SELECT t.at, t.amount, t.credit_id, t.user_id FROM ledger_transfer t WHERE t.ranked AND {where}",  # noqa: S608, E501
        values,
    )
    out = []
    for r in rows:
        amount = int(r["amount"])
        gained = r["credit_id"] == user_account(POINTS, r["user_id"])
        out.append((sql.as_datetime(r["at"]), amount if gained else -amount, int(r["user_id"])))
    return out


# -- abuse ------------------------------------------------------------------------------------


async def abuse_rings(days: int, min_count: int, share: float) -> list[dict[str, Any]]:
    """Who rewards whom (kudos, reactions: the actor caused the beneficiary's points)."""
    since = datetime.now(UTC) - timedelta(days=days)
    rows = await sql.fetch(
        sql.default(),
        "SELECT actor_id, user_id, COUNT(*) AS n FROM ledger_transfer "
        "WHERE kind IN ('award', 'gift') AND currency = 'points' AND actor_id IS NOT NULL "
        "AND actor_id <> user_id AND at >= ? GROUP BY actor_id, user_id",
        [since.astimezone(UTC)],
    )
    found = abuse.rings(
        ((int(r["actor_id"]), int(r["user_id"]), int(r["n"])) for r in rows),
        min_count=min_count,
        share=share,
    )
    ids = {m for ring in found for m in ring.members}
    names = {e.id: e.name for e in await Employee.filter(id__in=ids).only("id", "name")}
    return [
        {
            "members": [{"id": m, "name": names.get(m, "")} for m in ring.members],
            "rewards": ring.rewards,
            "given_share": ring.given_share,
            "received_share": ring.received_share,
        }
        for ring in found
    ]
