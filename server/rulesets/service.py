"""Publishing rules: drafts, publication and roll-back, diffs, tests and the dry run.

Versions are immutable and named by their content hash; publications are an append-only
log, so the audit trail is the table itself.
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from redis.asyncio import Redis
from tortoise.transactions import in_transaction

from gamification import sql
from gamification.keys import Keys
from rules.dryrun import diff_rulesets
from rules.engine import Event, Profile
from rules.errors import RulesetInvalid
from rules.ruleset import Ruleset, default_text, load_ruleset
from rules.source import canonical_bytes
from server import audit
from server.errors import ApiError
from server.models import (
    ActivityEvent,
    Employee,
    RulesetPublication,
    RulesetVersion,
    ShopItem,
)
from server.rulesets.registry import announce

EMPTY_RULESET = "version: 1\nrules: []\n"
# Events are read from the database a window of time at a time, so a dry run over a month
# of a large company does not hold one giant result set twice: an hour at first, twice as
# long after a window with few rows, half as long after one with many.
_WINDOW = timedelta(hours=1)
_FEW, _MANY = 10_000, 60_000  # rows in one window
_SHORTEST, _LONGEST = timedelta(minutes=1), timedelta(days=366)


def compile_or_422(
    text: str, default_timezone: str, shop_items: Collection[str] | None = None
) -> Ruleset:
    try:
        return load_ruleset(text, "ruleset.yaml", default_timezone, shop_items)
    except RulesetInvalid as exc:
        raise invalid_file(exc, "ruleset_invalid") from None


def invalid_file(exc: RulesetInvalid, code: str) -> ApiError:
    """A checked YAML file's problems as a 422 naming the first (line, column) and all."""
    problems = [{"line": p.line, "column": p.column, "message": p.message} for p in exc.problems]
    first = exc.problems[0]
    return ApiError(
        422,
        code,
        count=len(problems),
        line=first.line,
        column=first.column,
        message=first.message,
        extra={"problems": problems},
    )


async def shop_item_ids() -> frozenset[str]:
    """The items a contest prize may name: the shop's active ones."""
    return frozenset(
        str(i) for i in await ShopItem.filter(active=True).values_list("id", flat=True)
    )


async def save_draft(
    text: str, author_id: int | None, message: str, default_timezone: str
) -> tuple[RulesetVersion, Ruleset]:
    """Store a checked ruleset; the same text twice is the same version. A contest prize
    must name an item the shop sells."""
    ruleset = compile_or_422(text, default_timezone, await shop_item_ids())
    row = await RulesetVersion.get_or_none(version=ruleset.version)
    if row is None:
        row = await RulesetVersion.create(
            version=ruleset.version,
            text=canonical_bytes(text).decode("utf-8"),
            author_id=author_id,
            message=message,
        )
    return row, ruleset


async def publish(
    row: RulesetVersion,
    *,
    by: int | None,
    message: str,
    redis: Redis,
    keys: Keys,
    action: str = "publish",
    audited: bool = True,
) -> RulesetPublication:
    """`audited`: a row in the audit log (`ruleset.publish` / `ruleset.rollback`), in the
    same transaction; only the shipped defaults' first publication goes without."""
    async with in_transaction():
        # Publication times must increase strictly: two publications in the same microsecond
        # would leave "which one was live" undefined for an event at that instant.
        last = await RulesetPublication.all().order_by("-published_at").first()
        moment = datetime.now(UTC)
        if last is not None and moment <= last.published_at:
            moment = last.published_at + timedelta(microseconds=1)
        publication = await RulesetPublication.create(
            ruleset=row, action=action, published_by_id=by, message=message, published_at=moment
        )
        if audited:
            await audit.record(
                by,
                f"ruleset.{action}",
                f"ruleset:{row.id}",
                {"version": row.version, "message": message},
            )
    await announce(redis, keys, row.version)
    return publication


async def live_publication() -> RulesetPublication | None:
    return (
        await RulesetPublication.all()
        .order_by("-published_at", "-id")
        .select_related("ruleset")
        .first()
    )


async def ensure_default(redis: Redis, keys: Keys, default_timezone: str) -> bool:
    """Publish the shipped rules/default.yaml if nothing was ever published."""
    if await RulesetPublication.exists():
        return False
    row, _ = await save_draft(default_text(), None, "the shipped default rules", default_timezone)
    await publish(row, by=None, message="initial rules", redis=redis, keys=keys, audited=False)
    return True


def text_diff(old: RulesetVersion, new: RulesetVersion) -> str:
    return "".join(
        difflib.unified_diff(
            old.text.splitlines(keepends=True),
            new.text.splitlines(keepends=True),
            fromfile=f"version {old.id} ({old.version[:12]})",
            tofile=f"version {new.id} ({new.version[:12]})",
        )
    )


def to_rules_event(row: ActivityEvent) -> Event:
    return Event(
        id=row.id,
        type=row.type,
        actor=str(row.actor_id),
        at=row.at,
        subject=str(row.subject_id) if row.subject_id is not None else None,
        fields=row.data,
    )


async def stored_events(
    since: datetime, until: datetime, between: Callable[[], None] | None = None
) -> list[Event]:
    """The events of a period, read by plain SQL (building an ORM object a row cost more
    than the dry run's replay of it, bench/dry_run.py), a window of time at a time.

    Each window is one range of the `at` index, read without ORDER BY or LIMIT: the replay
    sorts the events itself. Pages of "ORDER BY id LIMIT n" made SQLite walk the `at` range
    to its end and sort it for every page (a week of 1.5 M events: over ten minutes). Time
    without events is skipped (the next event's time is one index seek), and a window's
    length follows how many rows the last one had: a period since 2000 is a few reads, a
    busy week (1.5 M events) some forty reads of a few hours each. Reading the next window
    while this one becomes events gained nothing: the driver's thread builds the rows
    holding the GIL. `between` is called after each window (a dry run that was cancelled
    raises there)."""
    conn = sql.default()
    events: list[Event] = []
    query = (
        "SELECT id, type, actor_id, subject_id, at, data FROM activity_event "
        "WHERE at >= ? AND at < ?"
    )
    next_at = "SELECT MIN(at) AS at FROM activity_event WHERE at >= ? AND at < ?"
    loads = orjson.loads
    as_datetime = sql.as_datetime
    start, window = since, _WINDOW
    while start < until:
        first = (await sql.fetch(conn, next_at, [start, until]))[0]["at"]
        if first is None:
            break
        start = max(start, as_datetime(first))
        end = min(start + window, until)
        rows = await sql.fetch(conn, query, [start, end])
        for row in rows:
            data = row["data"]
            subject = row["subject_id"]
            events.append(
                Event(
                    id=row["id"],
                    type=row["type"],
                    actor=str(row["actor_id"]),
                    at=as_datetime(row["at"]),
                    subject=str(subject) if subject is not None else None,
                    fields=loads(data) if isinstance(data, str | bytes) else (data or {}),
                )
            )
        if len(rows) < _FEW:
            window = min(window * 2, _LONGEST)
        elif len(rows) > _MANY:
            window = max(window / 2, _SHORTEST)
        start = end
        if between is not None:
            between()
    return events


async def profiles() -> dict[str, Profile]:
    """What CEL sees as `actor` and `subject`: the org facts of every employee."""
    rows = await Employee.all().select_related("store__city__region", "department")
    found: dict[str, Profile] = {}
    for e in rows:
        store = e.store
        city = store.city if store else None
        region = city.region if city else None
        found[str(e.id)] = {
            "id": str(e.id),
            "store": store.code if store else "",
            "department": e.department.code if e.department else "",
            "city": city.code if city else "",
            "region": region.code if region else "",
            "role": e.role.value,
            "position": e.position,
        }
    return found


async def dry_run(
    draft: Ruleset,
    published: Ruleset | None,
    days: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    until = datetime.now(UTC)
    since = until - timedelta(days=days)
    # While reading, the progress stays "reading" (a total of 0), and a cancel is heard.
    events = await stored_events(since, until, (lambda: progress(0, 0)) if progress else None)
    people: Mapping[str, Profile] = await profiles()
    baseline = published or load_ruleset(EMPTY_RULESET, "empty", "UTC")
    from server.rewards.wheel import live_wheel  # it imports this module

    wheel = await live_wheel()
    # The replay is pure CPU work: keep the event loop free for other requests.
    result = await asyncio.to_thread(diff_rulesets, draft, baseline, events, people, 20, progress)
    report = result.as_dict()
    per_spin = wheel.spin_value()
    spins = report["spins"]
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "events": len(events),
        **report,
        "prize_cost": {
            "wheel_version": wheel.version,
            "per_spin": round(per_spin, 2),
            "published": round(spins["published"] * per_spin, 2),
            "draft": round(spins["draft"] * per_spin, 2),
        },
    }
