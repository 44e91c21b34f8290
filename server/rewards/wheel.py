"""The wheel of fortune: publishing a wheel, the period seeds, a spin, verification.

A spin is one transaction: the spin row (its id comes from the idempotency key, so a
repeated request finds it), one spin debited, the draw, and the outcome. A prize leaves
stock by a conditional UPDATE whose row count is checked, inside a savepoint: when the
stock is gone the savepoint rolls back and the spin turns into a kind wish.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from importlib import resources
from typing import Any

import orjson
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gamification import sql, store
from gamification.leaderboard import period_end
from gamification.ledger import (
    POINTS,
    SPINS,
    Transfer,
    prize_currency,
    stock_account,
    system_account,
    user_account,
)
from gamification.store import InsufficientFunds
from gamification.wheel import (
    Wheel,
    draw,
    draw_wish,
    load_wheel,
    period_label,
    seed_hash,
    spin_id,
    verify_spin,
)
from rules.errors import RulesetInvalid
from server import audit
from server.errors import ApiError
from server.models import WheelSeed, WheelSpin, WheelVersion
from server.rulesets.service import invalid_file

_compiled: dict[str, Wheel] = {}


def default_wheel_text() -> str:
    return resources.files("gamification").joinpath("default_wheel.yaml").read_text("utf-8")


def compile_or_422(text: str) -> Wheel:
    try:
        return load_wheel(text)
    except RulesetInvalid as exc:
        raise invalid_file(exc, "wheel_invalid") from None


def _compile(row: WheelVersion) -> Wheel:
    found = _compiled.get(row.version)
    if found is None:
        found = _compiled[row.version] = load_wheel(row.text)
    return found


async def publish_wheel(text: str) -> Wheel:
    """Make a checked wheel live; prizes new to the ledger get their initial stock."""
    wheel = compile_or_422(text)
    now = datetime.now(UTC)
    async with in_transaction() as conn:
        # One statement, not a read then an insert: the first spins and the seeds cron
        # publish the shipped wheel at the same moment, and the slower one's insert failed
        # on the unique version (PostgreSQL) or on a stale read (SQLite).
        await sql.execute(
            conn,
            "INSERT INTO wheel_version (version, text, published_at) VALUES (?, ?, ?) "
            "ON CONFLICT (version) DO UPDATE SET published_at = excluded.published_at",
            [wheel.version, text, now],
        )
        for prize_id, prize in wheel.prizes.items():
            if prize.stock:
                currency = prize_currency(prize_id)
                await store.post_once(
                    conn,
                    Transfer(
                        id=f"stock:{prize_id}:initial",
                        kind="restock",
                        currency=currency,
                        debit=system_account(currency, "supply"),
                        credit=stock_account(currency),
                        amount=prize.stock,
                        at=now,
                        reason="initial stock from the wheel file",
                    ),
                    now,
                )
    return wheel


async def live_version_row() -> WheelVersion | None:
    return await WheelVersion.all().order_by("-published_at", "-id").first()


async def live_wheel() -> Wheel:
    row = await WheelVersion.all().order_by("-published_at", "-id").first()
    if row is None:
        return await publish_wheel(default_wheel_text())
    return _compile(row)


async def restock(prize_id: str, amount: int, key: str, by: int) -> int:
    """Add stock (idempotent per key); returns the stock now."""
    currency = prize_currency(prize_id)
    now = datetime.now(UTC)
    async with in_transaction() as conn:
        added = await store.post_once(
            conn,
            Transfer(
                id=f"stock:{prize_id}:{key}"[:64],
                kind="restock",
                currency=currency,
                debit=system_account(currency, "supply"),
                credit=stock_account(currency),
                amount=amount,
                at=now,
                actor_id=by,
                reason="restocked",
            ),
            now,
        )
        stock = await store.balance(conn, stock_account(currency))
        if added:
            await audit.record(
                by, "prize.stock.add", f"prize:{prize_id}", {"amount": amount, "stock": stock}
            )
        return stock


# -- seeds -------------------------------------------------------------------------------------


def period_bounds(label: str, zone: tzinfo) -> tuple[datetime, datetime]:
    period, _, first = label.partition(":")
    start_day = date.fromisoformat(first if period != "month" else f"{first}-01")
    starts = datetime.combine(start_day, time(), zone).astimezone(UTC)
    ends = None
    for known in ("day", "week", "month"):
        if period == known:
            ends = period_end(known, first, zone)
    if ends is None:
        raise ValueError(label)
    return starts, ends


async def ensure_seed(label: str, zone: tzinfo) -> WheelSeed:
    """The period's seed, made (and its hash thereby published) on first need."""
    found = await WheelSeed.get_or_none(period=label)
    if found is not None:
        return found
    seed = secrets.token_bytes(32)
    starts, ends = period_bounds(label, zone)
    await sql.execute(
        sql.default(),
        "INSERT INTO wheel_seed (period, seed, seed_hash, starts_at, ends_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (period) DO NOTHING",
        [label, seed.hex(), seed_hash(seed), starts, ends],
    )
    return await WheelSeed.get(period=label)


async def ensure_seeds_ahead(zone: tzinfo, now: datetime | None = None) -> list[str]:
    """This period's seed and the next one's, so each hash is public before it is used."""
    wheel = await live_wheel()
    now = now or datetime.now(UTC)
    current = period_label(wheel.period, now.astimezone(zone).date())
    _, ends = period_bounds(current, zone)
    following = period_label(wheel.period, ends.astimezone(zone).date())
    for label in (current, following):
        await ensure_seed(label, zone)
    return [current, following]


async def seeds(now: datetime | None = None, limit: int = 20) -> list[dict[str, Any]]:
    now = now or datetime.now(UTC)
    rows = await WheelSeed.all().order_by("-starts_at").limit(limit)
    return [
        {
            "period": r.period,
            "seed_hash": r.seed_hash,
            "starts_at": r.starts_at.isoformat(),
            "ends_at": r.ends_at.isoformat(),
            "seed": r.seed if r.ends_at <= now else None,
        }
        for r in rows
    ]


# -- a spin -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpinResult:
    id: str
    segment: str
    outcome: str
    prize: str | None
    amount: int
    wish: dict[str, str] | None
    fallback: bool
    period: str
    batch: int | None = None
    made: datetime | None = None
    transfers: tuple[Transfer, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "segment": self.segment,
            "outcome": self.outcome,
            "prize": self.prize,
            "amount": self.amount,
            "wish": self.wish,
            "fallback": self.fallback,
            "period": self.period,
        }


def _result(row: WheelSpin) -> SpinResult:
    return SpinResult(
        id=row.id,
        segment=row.segment,
        outcome=row.outcome,
        prize=row.prize,
        amount=row.amount,
        wish=orjson.loads(row.wish) if row.wish else None,
        fallback=row.fallback,
        period=row.period,
    )


async def spin(user_id: int, key: str, zone: tzinfo) -> tuple[SpinResult, bool]:
    """(result, new): the same key always gives the same result, and spins once."""
    ident = spin_id(user_id, key)
    existing = await WheelSpin.get_or_none(id=ident)
    if existing is not None:
        return _result(existing), False
    wheel = await live_wheel()
    now = datetime.now(UTC)
    label = period_label(wheel.period, now.astimezone(zone).date())
    seed = bytes.fromhex((await ensure_seed(label, zone)).seed)
    index = draw(seed, ident, wheel.weights)
    segment = wheel.segments[index]
    try:
        async with in_transaction() as conn:
            # First, so a concurrent request with the same key waits here, then fails.
            await sql.execute(
                conn,
                "INSERT INTO wheel_spin (id, user_id, wheel_version, period, segment, outcome, "
                "amount, wish, fallback, created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, '', "
                "?, ?)",
                [ident, user_id, wheel.version, label, segment.id, False, now],
            )
            mine = user_account(SPINS, user_id)
            paid = Transfer(
                id=f"spin:{ident}",
                kind="spin",
                currency=SPINS,
                debit=mine,
                credit=system_account(SPINS, "wheel"),
                amount=1,
                at=now,
                user_id=user_id,
                reason=f"wheel spin {ident}",
            )
            try:
                batch = await store.post(conn, [paid], now, check_funds=[mine])
            except InsufficientFunds:
                raise ApiError(409, "no_spins") from None
            outcome, prize, amount, fallback = "wish", None, 0, False
            won: list[Transfer] = []
            # Every move of the person's own accounts, for the wallet's live event: the spin
            # paid, whatever it won (a wish wins nothing, and still costs a spin).
            paid_and_won: list[Transfer] = [paid]
            if segment.prize is not None:
                currency = prize_currency(segment.prize)
                got = Transfer(
                    id=f"prize:{ident}",
                    kind="prize",
                    currency=currency,
                    debit=stock_account(currency),
                    credit=user_account(currency, user_id),
                    amount=1,
                    at=now,
                    user_id=user_id,
                    reason=f"won on the wheel, spin {ident}",
                )
                try:
                    async with in_transaction() as savepoint:
                        await store.post(savepoint, [got], now)
                    outcome, prize, amount = "prize", segment.prize, 1
                    paid_and_won.append(got)
                except InsufficientFunds:
                    fallback = True  # out of stock: a kind wish instead
            elif segment.points is not None or segment.spins is not None:
                currency = POINTS if segment.points is not None else SPINS
                amount = segment.points or segment.spins or 0
                won.append(
                    Transfer(
                        id=f"wheel:{ident}",
                        kind="wheel",
                        currency=currency,
                        debit=system_account(currency, "wheel"),
                        credit=user_account(currency, user_id),
                        amount=amount,
                        at=now,
                        user_id=user_id,
                        reason=f"won on the wheel, spin {ident}",
                        org=await store.org_of(conn, user_id),
                    )
                )
                outcome = currency
                batch = await store.post(conn, won, now) or batch
            wish = None
            if outcome == "wish" and wheel.wishes:
                wish = wheel.wishes[draw_wish(seed, ident, len(wheel.wishes))]
            await sql.execute(
                conn,
                "UPDATE wheel_spin SET outcome = ?, prize = ?, amount = ?, wish = ?, "
                "fallback = ? WHERE id = ?",
                [
                    outcome,
                    prize,
                    amount,
                    orjson.dumps(wish).decode() if wish else "",
                    fallback,
                    ident,
                ],
            )
    except IntegrityError:
        # The same key, spun concurrently: the other request's spin is the answer.
        return _result(await WheelSpin.get(id=ident)), False
    result = SpinResult(
        id=ident,
        segment=segment.id,
        outcome=outcome,
        prize=prize,
        amount=amount,
        wish=wish,
        fallback=fallback,
        period=label,
        batch=batch,
        made=now,
        transfers=(*paid_and_won, *won),
    )
    return result, True


async def history(user_id: int, limit: int = 50) -> list[dict[str, Any]]:
    rows = await WheelSpin.filter(user_id=user_id).order_by("-created_at").limit(limit)
    return [{**_result(r).as_dict(), "created_at": r.created_at.isoformat()} for r in rows]


# -- verification -------------------------------------------------------------------------------


async def verify(now: datetime | None = None) -> tuple[int, list[str]]:
    """Recompute every spin of every period whose seed is revealed: (checked, problems)."""
    now = now or datetime.now(UTC)
    checked, problems = 0, []
    wheels: dict[str, Wheel] = {}
    for row in await WheelVersion.all():
        wheels[row.version] = _compile(row)
    for period in await WheelSeed.filter(ends_at__lte=now):
        seed = bytes.fromhex(period.seed)
        for spun in await WheelSpin.filter(period=period.period):
            wheel = wheels.get(spun.wheel_version)
            if wheel is None:
                problems.append(f"spin {spun.id}: unknown wheel version {spun.wheel_version}")
                continue
            ids = [s.id for s in wheel.segments]
            if spun.segment not in ids:
                problems.append(f"spin {spun.id}: unknown segment {spun.segment}")
                continue
            index = ids.index(spun.segment)
            wrong = verify_spin(seed, period.seed_hash, spun.id, wheel.weights, index)
            checked += 1
            if wrong is not None:
                problems.append(f"spin {spun.id} ({period.period}): {wrong}")
    return checked, problems
