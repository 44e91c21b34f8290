"""Every query of the rewards core: the ledger, the engine's memory, settlement's reads.

Functions take the connection (a transaction, usually) so a caller composes them into
one transaction. Plain SQL: see gamification/sql.py for why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient

from gamification import sql
from gamification.ledger import (
    NO_ORG,
    AccountRow,
    Org,
    Transfer,
    currency_of,
    never_negative,
    owner_of,
    violations,
)
from gamification.state import Snapshot, SnapshotState, streak_day
from rules.state import StreakProgress, TierProgress


class InsufficientFunds(Exception):
    """A debit would take an account that must not go negative below zero."""

    def __init__(self, account: str) -> None:
        super().__init__(account)
        self.account = account


def utc(moment: datetime) -> datetime:
    # SQLite compares timestamps as text: every stored one must be in the same zone.
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


# -- the settlement lane ---------------------------------------------------------------------


async def take_lane(conn: BaseDBAsyncClient, lane: int = 1) -> None:
    """Wait for, then hold until commit, the one settlement lane (see LedgerLane)."""
    await sql.execute(
        conn, "INSERT INTO ledger_lane (id, n) VALUES (?, 0) ON CONFLICT (id) DO NOTHING", [lane]
    )
    await sql.execute(conn, "UPDATE ledger_lane SET n = n + 1 WHERE id = ?", [lane])


# -- events ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventRow:
    id: str
    type: str
    actor_id: int
    subject_id: int | None
    at: datetime
    data: dict[str, Any]


def _event(row: sql.Row) -> EventRow:
    data = row["data"]
    if isinstance(data, str | bytes):
        data = orjson.loads(data)
    return EventRow(
        id=row["id"],
        type=row["type"],
        actor_id=int(row["actor_id"]),
        subject_id=int(row["subject_id"]) if row["subject_id"] is not None else None,
        at=sql.as_datetime(row["at"]),
        data=data or {},
    )


_EVENT_COLUMNS = "id, type, actor_id, subject_id, at, data"


async def unsettled_events(
    conn: BaseDBAsyncClient, ids: Sequence[str] | None, limit: int, older_than: datetime | None
) -> list[EventRow]:
    """Unsettled events, oldest first: the given ones, or any."""
    if ids is not None:
        rows: list[sql.Row] = []
        for given, values in sql.member_of(conn, "id", ids, 5000):
            rows += await sql.fetch(
                conn,
                f"SELECT {_EVENT_COLUMNS} FROM activity_event WHERE settled_at IS NULL AND {given}",
                values,
            )
    else:
        where = "settled_at IS NULL"
        since: list[Any] = []
        if older_than is not None:
            where += " AND at < ?"
            since.append(utc(older_than))
        rows = await sql.fetch(
            conn,
            f"SELECT {_EVENT_COLUMNS} FROM activity_event WHERE {where} ORDER BY at, id LIMIT ?",
            [*since, limit],
        )
    events = [_event(r) for r in rows]
    events.sort(key=lambda e: (e.at, e.id))
    return events


async def unsettled_ids(conn: BaseDBAsyncClient, older_than: datetime, limit: int) -> list[str]:
    rows = await sql.fetch(
        conn,
        "SELECT id FROM activity_event WHERE settled_at IS NULL AND at < ? ORDER BY at, id LIMIT ?",
        [utc(older_than), limit],
    )
    return [r["id"] for r in rows]


async def mark_settled(conn: BaseDBAsyncClient, ids: Sequence[str], moment: datetime) -> None:
    for where, values in sql.member_of(conn, "id", ids, 5000):
        await sql.execute(
            conn, f"UPDATE activity_event SET settled_at = ? WHERE {where}", [utc(moment), *values]
        )


# -- people ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    profile: dict[str, Any]  # what CEL sees as actor / subject
    org: Org


async def people(conn: BaseDBAsyncClient, ids: Iterable[int]) -> dict[str, Person]:
    wanted = sorted(set(ids))
    found: dict[str, Person] = {}
    for where, values in sql.member_of(conn, "e.id", wanted, 5000, "int"):
        rows = await sql.fetch(
            conn,
            "SELECT e.id, e.role, e.position, s.code AS store, d.code AS department, "
            "c.code AS city, r.code AS region FROM employee e "
            "LEFT JOIN store s ON s.id = e.store_id LEFT JOIN city c ON c.id = s.city_id "
            "LEFT JOIN region r ON r.id = c.region_id "
            "LEFT JOIN department d ON d.id = e.department_id "
            f"WHERE {where}",
            values,
        )
        for r in rows:
            ident = str(r["id"])
            found[ident] = Person(
                profile={
                    "id": ident,
                    "store": r["store"] or "",
                    "department": r["department"] or "",
                    "city": r["city"] or "",
                    "region": r["region"] or "",
                    "role": r["role"],
                    "position": r["position"],
                },
                org=Org(r["store"], r["city"], r["region"], r["department"]),
            )
    return found


async def org_of(conn: BaseDBAsyncClient, user_id: int) -> Org:
    """Where a person works now: what a grant, a gift or a wheel win counts for on the
    store, city, region and department boards (as an award's settlement does)."""
    person = (await people(conn, [user_id])).get(str(user_id))
    return person.org if person else NO_ORG


# -- the engine's memory -------------------------------------------------------------------------


async def load_snapshot(conn: BaseDBAsyncClient, owners: set[str], windows: set[str]) -> Snapshot:
    snap = Snapshot(owners=set(owners), windows=set(windows))
    users = sorted(owners)
    # Two lists in one statement (owners, windows): stay under SQLite's 32,766 parameters.
    in_windows = sql.one_of(conn, "window_label", sorted(windows)) if windows else None
    for part in sql.chunks(users, 5000):
        if in_windows is not None:
            owned, values = sql.one_of(conn, "owner", part)
            rows = await sql.fetch(
                conn,
                f"SELECT id, count FROM reward_counter WHERE {owned} AND {in_windows[0]}",
                [*values, *in_windows[1]],
            )
            snap.counters.update((r["id"], int(r["count"])) for r in rows)
        numeric = [int(u) for u in part if u.isdigit()]
        if numeric:
            badged, values = sql.one_of(conn, "user_id", numeric, "int")
            rows = await sql.fetch(
                conn, f"SELECT user_id, badge_id FROM badge_award WHERE {badged}", values
            )
            snap.badges.update((str(r["user_id"]), r["badge_id"]) for r in rows)
        mine, values = sql.one_of(conn, "user_id", part)
        rows = await sql.fetch(
            conn, f"SELECT id, events, awarded FROM reward_tier WHERE {mine}", values
        )
        for r in rows:
            awarded = r["awarded"]
            if isinstance(awarded, str | bytes):
                awarded = orjson.loads(awarded)
            snap.tiers[r["id"]] = TierProgress(int(r["events"]), frozenset(awarded or ()))
        rows = await sql.fetch(
            conn, f"SELECT id, last_day, length FROM reward_streak WHERE {mine}", values
        )
        for r in rows:
            snap.streaks[r["id"]] = StreakProgress(streak_day(r["last_day"]), int(r["length"]))
    return snap


async def save_state(conn: BaseDBAsyncClient, state: SnapshotState) -> None:
    """Absolute values: the lane makes this batch the only writer of these rows."""
    await sql.execute_many(
        conn,
        "INSERT INTO reward_counter (id, owner, window_label, count) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET count = excluded.count",
        [(k, *state.counter_meta[k], v) for k, v in state.counters.items()],
    )
    await sql.execute_many(
        conn,
        "INSERT INTO reward_tier (id, user_id, events, awarded) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET events = excluded.events, awarded = excluded.awarded",
        [
            (
                k,
                user,
                p.events,
                orjson.dumps(sorted(p.awarded)).decode(),
            )
            for k, (user, p) in state.tiers.items()
        ],
    )
    await sql.execute_many(
        conn,
        "INSERT INTO reward_streak (id, user_id, last_day, length) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET last_day = excluded.last_day, length = excluded.length",
        [(k, user, p.last_day, p.length) for k, (user, p) in state.streaks.items()],
    )


# -- the ledger ------------------------------------------------------------------------------------

_TRANSFER_COLUMNS = (
    "id, kind, currency, debit_id, credit_id, amount, at, created_at, user_id, actor_id, "
    "event_id, rule_id, ruleset_version, ref, reversible, reverses_id, reason, ranked, "
    "batch_id, store, city, region, department"
)
_TRANSFER_TYPES = list(
    zip(
        [c.strip() for c in _TRANSFER_COLUMNS.split(",")],
        ["varchar", "varchar", "varchar", "varchar", "varchar", "bigint", "timestamptz",
         "timestamptz", "int", "int", "varchar", "varchar", "varchar", "varchar", "bool",
         "varchar", "text", "bool", "int", "varchar", "varchar", "varchar", "varchar"],
        strict=True,
    )
)  # fmt: skip
_INSERT_TRANSFER = (
    f"INSERT INTO ledger_transfer ({_TRANSFER_COLUMNS}) VALUES ({sql.placeholders(23)})"
)


def _transfer_values(t: Transfer, now: datetime, batch: int) -> tuple[Any, ...]:
    return (
        t.id,
        t.kind,
        t.currency,
        t.debit,
        t.credit,
        t.amount,
        utc(t.at),
        now,
        t.user_id,
        t.actor_id,
        t.event_id,
        t.rule_id,
        t.ruleset_version,
        t.ref,
        t.reversible,
        t.reverses,
        t.reason,
        t.ranked,
        batch,
        *t.org,
    )


async def new_batch(conn: BaseDBAsyncClient, now: datetime, *, ranked: bool = True) -> int:
    """A batch of transfers; one with nothing for the leaderboards is born ranked."""
    rows = await sql.fetch(
        conn,
        "INSERT INTO ledger_batch (created_at, ranked_at) VALUES (?, ?) RETURNING id",
        [utc(now), None if ranked else utc(now)],
    )
    return int(rows[0]["id"])


async def post(
    conn: BaseDBAsyncClient,
    transfers: Sequence[Transfer],
    now: datetime,
    *,
    check_funds: Iterable[str] = (),
) -> int | None:
    """Record transfers as one batch and move the balances, in the caller's transaction;
    returns the batch id (None when there was nothing to post).

    A duplicate transfer id raises IntegrityError (the caller's transaction then rolls
    back). An account that must not go negative (or one in `check_funds`) is debited with
    a conditional UPDATE whose row count is checked: under any concurrency on either
    database, its balance never passes zero; InsufficientFunds is raised instead.
    """
    if not transfers:
        return None
    now = utc(now)
    # Balances first: a debit refused leaves no transfer row behind (the caller still
    # rolls back its transaction or savepoint, for the balances already moved).
    await move(conn, transfers, check_funds=check_funds)
    batch = await new_batch(conn, now, ranked=any(t.ranked for t in transfers))
    await sql.insert_rows(
        conn,
        "ledger_transfer",
        _TRANSFER_TYPES,
        [_transfer_values(t, now, batch) for t in transfers],
    )
    return batch


async def post_once(conn: BaseDBAsyncClient, transfer: Transfer, now: datetime) -> bool:
    """Record a transfer unless one with its id exists; True when this call recorded it."""
    now = utc(now)
    batch = await new_batch(conn, now, ranked=transfer.ranked)
    # RETURNING, not the row count: asyncpg reports "INSERT 0 1", whose second word
    # Tortoise reads as the count (it is the OID).
    inserted = await sql.fetch(
        conn,
        _INSERT_TRANSFER + " ON CONFLICT (id) DO NOTHING RETURNING id",
        _transfer_values(transfer, now, batch),
    )
    if inserted:
        await move(conn, [transfer])
    return bool(inserted)


async def move(
    conn: BaseDBAsyncClient, transfers: Sequence[Transfer], *, check_funds: Iterable[str] = ()
) -> None:
    deltas: dict[str, int] = defaultdict(int)
    for t in transfers:
        deltas[t.debit] -= t.amount
        deltas[t.credit] += t.amount
    guarded = set(check_funds)
    upserts = []
    for account, delta in sorted(deltas.items()):
        if delta < 0 and (never_negative(account) or account in guarded):
            changed = await sql.execute(
                conn,
                "UPDATE ledger_account SET balance = balance + ? WHERE id = ? AND balance + ? >= 0",
                [delta, account, delta],
            )
            if not changed:
                raise InsufficientFunds(account)
        else:  # a zero net change still creates the account: verify expects its row
            upserts.append(
                (account, currency_of(account), owner_of(account), delta, never_negative(account))
            )
    await sql.insert_rows(
        conn,
        "ledger_account",
        [("id", "varchar"), ("currency", "varchar"), ("owner_id", "int"), ("balance", "bigint"),
         ("never_negative", "bool")],
        upserts,
        "ON CONFLICT (id) DO UPDATE SET balance = ledger_account.balance + excluded.balance",
    )  # fmt: skip


async def ensure_account(conn: BaseDBAsyncClient, account: str) -> None:
    await sql.execute(
        conn,
        "INSERT INTO ledger_account (id, currency, owner_id, balance, never_negative) "
        "VALUES (?, ?, ?, 0, ?) ON CONFLICT (id) DO NOTHING",
        [account, currency_of(account), owner_of(account), never_negative(account)],
    )


async def balance(conn: BaseDBAsyncClient, account: str) -> int:
    rows = await sql.fetch(conn, "SELECT balance FROM ledger_account WHERE id = ?", [account])
    return int(rows[0]["balance"]) if rows else 0


async def balances(conn: BaseDBAsyncClient, accounts: Sequence[str]) -> dict[str, int]:
    out = dict.fromkeys(accounts, 0)
    for where, values in sql.member_of(conn, "id", accounts):
        rows = await sql.fetch(
            conn, f"SELECT id, balance FROM ledger_account WHERE {where}", values
        )
        out.update((r["id"], int(r["balance"])) for r in rows)
    return out


def transfer_from_row(r: Mapping[str, Any]) -> Transfer:
    return Transfer(
        id=r["id"],
        kind=r["kind"],
        currency=r["currency"],
        debit=r["debit_id"],
        credit=r["credit_id"],
        amount=int(r["amount"]),
        at=sql.as_datetime(r["at"]),
        user_id=r["user_id"],
        actor_id=r["actor_id"],
        event_id=r["event_id"],
        rule_id=r["rule_id"],
        ruleset_version=r["ruleset_version"],
        ref=r["ref"],
        reversible=bool(r["reversible"]),
        reverses=r["reverses_id"],
        reason=r["reason"],
        org=Org(r["store"], r["city"], r["region"], r["department"]),
    )


async def reversible_transfers(conn: BaseDBAsyncClient, refs: Sequence[str]) -> list[Transfer]:
    """Awards that a deletion of these posts or comments takes back, not yet reversed."""
    found: list[Transfer] = []
    for where, values in sql.member_of(conn, "t.ref", refs):
        rows = await sql.fetch(
            conn,
            f"SELECT {_TRANSFER_COLUMNS} FROM ledger_transfer t WHERE t.reversible "
            f"AND {where} AND NOT EXISTS "
            "(SELECT 1 FROM ledger_transfer r WHERE r.reverses_id = t.id)",
            values,
        )
        found += [transfer_from_row(r) for r in rows]
    return found


async def tombstones(conn: BaseDBAsyncClient, refs: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for where, values in sql.member_of(conn, "ref", sorted(set(refs))):
        rows = await sql.fetch(conn, f"SELECT ref FROM reward_tombstone WHERE {where}", values)
        found.update(r["ref"] for r in rows)
    return found


async def bury(conn: BaseDBAsyncClient, refs: Sequence[tuple[str, str]]) -> None:
    """Record deleted posts and comments: (ref, deleting event id)."""
    await sql.execute_many(
        conn,
        "INSERT INTO reward_tombstone (ref, event_id) VALUES (?, ?) ON CONFLICT (ref) DO NOTHING",
        refs,
    )


async def transfers_by_ids(conn: BaseDBAsyncClient, ids: Sequence[str]) -> list[Transfer]:
    found: list[Transfer] = []
    for where, values in sql.member_of(conn, "id", ids):
        rows = await sql.fetch(
            conn, f"SELECT {_TRANSFER_COLUMNS} FROM ledger_transfer WHERE {where}", values
        )
        found += [transfer_from_row(r) for r in rows]
    return found


async def unranked_batches(
    conn: BaseDBAsyncClient, older_than: datetime, limit: int
) -> list[tuple[int, datetime]]:
    rows = await sql.fetch(
        conn,
        "SELECT id, created_at FROM ledger_batch WHERE ranked_at IS NULL AND created_at < ? "
        "ORDER BY created_at LIMIT ?",
        [utc(older_than), limit],
    )
    return [(int(r["id"]), sql.as_datetime(r["created_at"])) for r in rows]


async def batch_transfers(conn: BaseDBAsyncClient, batch: int) -> list[Transfer]:
    rows = await sql.fetch(
        conn,
        f"SELECT {_TRANSFER_COLUMNS} FROM ledger_transfer WHERE batch_id = ? AND ranked",
        [batch],
    )
    return [transfer_from_row(r) for r in rows]


async def mark_ranked(conn: BaseDBAsyncClient, batches: Sequence[int], moment: datetime) -> None:
    for where, values in sql.member_of(conn, "id", batches, kind="int"):
        await sql.execute(
            conn,
            f"UPDATE ledger_batch SET ranked_at = ? WHERE ranked_at IS NULL AND {where}",
            [utc(moment), *values],
        )


async def ranked_transfers(conn: BaseDBAsyncClient) -> list[sql.Row]:
    """Every transfer that counts on the leaderboards, with its batch: a rebuild's input."""
    return await sql.fetch(
        conn,
        "SELECT t.id, t.user_id, t.currency, t.debit_id, t.credit_id, t.amount, t.at, "
        "t.batch_id, b.created_at, b.ranked_at, t.store, t.city, t.region, t.department "
        "FROM ledger_transfer t JOIN ledger_batch b ON b.id = t.batch_id WHERE t.ranked",
    )


async def unranked_batch_count(conn: BaseDBAsyncClient) -> int:
    rows = await sql.fetch(
        conn,
        "SELECT COUNT(DISTINCT t.batch_id) AS n FROM ledger_transfer t "
        "JOIN ledger_batch b ON b.id = t.batch_id WHERE t.ranked AND b.ranked_at IS NULL",
    )
    return int(rows[0]["n"])


# -- badges ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BadgeRow:
    id: str
    user_id: int
    badge_id: str
    kind: str
    tier: str | None
    title: dict[str, str] | None
    topic: str | None
    rule_id: str | None
    event_id: str | None
    given_by_id: int | None
    reason: str
    unique_key: str | None
    created_at: datetime


async def insert_badges(conn: BaseDBAsyncClient, badges: Sequence[BadgeRow]) -> None:
    await sql.execute_many(
        conn,
        "INSERT INTO badge_award (id, user_id, badge_id, kind, tier, title, topic, rule_id, "
        "event_id, given_by_id, reason, unique_key, created_at) "
        f"VALUES ({sql.placeholders(13)}) ON CONFLICT DO NOTHING",
        [
            (
                b.id,
                b.user_id,
                b.badge_id,
                b.kind,
                b.tier,
                orjson.dumps(b.title).decode() if b.title is not None else None,
                b.topic,
                b.rule_id,
                b.event_id,
                b.given_by_id,
                b.reason,
                b.unique_key,
                utc(b.created_at),
            )
            for b in badges
        ],
    )


# -- verification --------------------------------------------------------------------------------


async def verify(conn: BaseDBAsyncClient) -> list[str]:
    """Every broken ledger invariant (see gamification.ledger.violations)."""
    accounts = [
        AccountRow(r["id"], r["currency"], int(r["balance"]), bool(r["never_negative"]))
        for r in await sql.fetch(
            conn, "SELECT id, currency, balance, never_negative FROM ledger_account"
        )
    ]
    derived: dict[str, int] = defaultdict(int)
    for r in await sql.fetch(
        conn, "SELECT credit_id AS a, SUM(amount) AS s FROM ledger_transfer GROUP BY credit_id"
    ):
        derived[r["a"]] += int(r["s"])
    for r in await sql.fetch(
        conn, "SELECT debit_id AS a, SUM(amount) AS s FROM ledger_transfer GROUP BY debit_id"
    ):
        derived[r["a"]] -= int(r["s"])
    bad = [
        f"transfer {r['id']}: amount {r['amount']} is not positive"
        for r in await sql.fetch(conn, "SELECT id, amount FROM ledger_transfer WHERE amount <= 0")
    ]
    bad += [
        f"transfer {r['id']}: debits and credits the same account"
        for r in await sql.fetch(conn, "SELECT id FROM ledger_transfer WHERE debit_id = credit_id")
    ]
    for r in await sql.fetch(conn, "SELECT id, currency, debit_id, credit_id FROM ledger_transfer"):
        if (
            currency_of(r["debit_id"]) != r["currency"]
            or currency_of(r["credit_id"]) != r["currency"]
        ):
            bad.append(f"transfer {r['id']}: accounts of another currency than {r['currency']}")
    for r in await sql.fetch(
        conn,
        "SELECT r.id, r.amount, r.debit_id, r.credit_id, o.amount AS oa, o.debit_id AS od, "
        "o.credit_id AS oc FROM ledger_transfer r LEFT JOIN ledger_transfer o "
        "ON o.id = r.reverses_id WHERE r.reverses_id IS NOT NULL",
    ):
        if r["oa"] is None:
            bad.append(f"transfer {r['id']}: reverses a transfer that does not exist")
        elif (r["amount"], r["debit_id"], r["credit_id"]) != (r["oa"], r["oc"], r["od"]):
            bad.append(f"transfer {r['id']}: is not the mirror of the transfer it reverses")
    return violations(accounts, derived, bad)
