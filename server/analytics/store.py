"""The roll-up's database side: read one day's raw rows, write its person-days and cells.

Idempotent: rolling a day again replaces its rows with the same ones. A day whose raw rows
changed since its roll-up (late events, a visit still going at midnight) has a new
fingerprint and is rolled again by `roll_due`; the trailing windows (WAU, MAU) of the days
after it are recomputed from their stored person-days.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.functions import Count, Max
from tortoise.transactions import in_transaction

from server.analytics import rewards, rollup, spans
from server.community import audience
from server.community.sql import connection, fetch, is_postgres, numbered
from server.models import (
    ActivityEvent,
    Channel,
    DailyCell,
    Employee,
    GroupMember,
    LedgerTransfer,
    MemberState,
    PersonDay,
    Post,
    PostAudience,
    PostStat,
    PostView,
    ReadConfirmation,
    Redemption,
    RewardCell,
    RolledDay,
    Store,
    Visit,
    WheelSpin,
)

# Late data is looked for this many days back.
LOOKBACK_DAYS = 35
_WINDOW = max(rollup.WINDOWS.values())


async def where_people() -> dict[int, rollup.Person]:
    """Everyone's store, city, region, department and role, as strings."""
    stores = {
        s["id"]: (str(s["city_id"] or ""), str(s["city__region_id"] or ""))
        for s in await Store.all().values("id", "city_id", "city__region_id")
    }
    out: dict[int, rollup.Person] = {}
    for e in await Employee.all().values("id", "store_id", "department_id", "role"):
        city, region = stores.get(e["store_id"], ("", ""))
        out[e["id"]] = rollup.Person(
            store=str(e["store_id"] or ""),
            city=city,
            region=region,
            department=str(e["department_id"] or ""),
            role=str(e["role"]),
        )
    return out


async def fingerprint(day: date, zone: ZoneInfo) -> str:
    """Changes whenever a raw row of the day is added or a visit of it is extended."""
    start, end = rollup.day_bounds(day, zone)
    events = (
        await ActivityEvent.filter(at__gte=start, at__lt=end)
        .annotate(n=Count("id"), last=Max("id"))
        .values("n", "last")
    )[0]
    visits = (
        await Visit.filter(started_at__gte=start, started_at__lt=end)
        .annotate(n=Count("id"), last=Max("last_seen_at"))
        .values("n", "last")
    )[0]
    raw = f"{events['n']}|{events['last']}|{visits['n']}|{visits['last']}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _time(value: Any) -> datetime:
    """A stored time: asyncpg gives datetimes, SQLite the text Tortoise wrote."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _bound(at: datetime, pg: bool) -> Any:
    return at if pg else at.isoformat(sep=" ")  # the text Tortoise writes on SQLite


async def _raw(day: date, zone: ZoneInfo) -> tuple[list[rollup.Visit], list[rollup.Action]]:
    """One day's raw rows, read as plain tuples: a busy day has a quarter of a million
    events, and the ORM's time parsing would take most of the roll-up."""
    start, end = rollup.day_bounds(day, zone)
    pg = is_postgres()
    window = [_bound(start, pg), _bound(end, pg)]
    visits = [
        rollup.Visit(
            r["employee_id"], _time(r["started_at"]), _time(r["last_seen_at"]), bool(r["phone"])
        )
        for r in await fetch(
            "SELECT employee_id, started_at, last_seen_at, phone FROM analytics_visit"
            " WHERE started_at >= ? AND started_at < ?",
            window,
        )
    ]
    actions = [
        rollup.Action(r["actor_id"], r["type"], _time(r["at"]))
        for r in await fetch(
            "SELECT actor_id, type, at FROM activity_event WHERE at >= ? AND at < ?", window
        )
    ]
    return visits, actions


_PERSON_COLUMNS = (
    "day", "employee_id", "sessions", "session_seconds", "views", "posts", "comments",
    "reactions", "confirmations", "actions", "phone", "web", "new", "store", "city", "region",
    "department", "role",
)  # fmt: skip


def _from_values(v: tuple[Any, ...]) -> rollup.PersonDay:
    (day, who, sessions, seconds, views, posts, comments, reactions, confirmations, actions,
     phone, web, new, store_, city, region, department, role) = v  # fmt: skip
    return rollup.PersonDay(
        day=day if isinstance(day, date) else date.fromisoformat(str(day)),
        employee_id=who,
        sessions=sessions,
        session_seconds=seconds,
        views=views,
        posts=posts,
        comments=comments,
        reactions=reactions,
        confirmations=confirmations,
        actions=actions,
        phone=bool(phone),
        web=bool(web),
        new=bool(new),
        where=rollup.Person(store_, city, region, department, role),
    )


async def _stored(since: date, until: date) -> list[rollup.PersonDay]:
    """Stored person-days as plain values (tens of thousands a day: no model objects)."""
    rows = await PersonDay.filter(day__gte=since, day__lte=until).values_list(*_PERSON_COLUMNS)
    return [_from_values(tuple(r)) for r in rows]


async def _insert_person_days(rows: list[rollup.PersonDay]) -> None:
    """One multi-row INSERT per batch: the ORM's bulk_create builds a model per row, the
    slowest part of rolling up a day of 35,000 people."""
    conn = connection()
    pg = is_postgres(conn)
    columns = ", ".join(f'"{c}"' for c in _PERSON_COLUMNS)
    for start in range(0, len(rows), 500):
        batch = rows[start : start + 500]
        values: list[Any] = []
        for r in batch:
            w = r.where
            values += [r.day if pg else r.day.isoformat(), r.employee_id, r.sessions,
                       r.session_seconds, r.views, r.posts, r.comments, r.reactions,
                       r.confirmations, r.actions, r.phone, r.web, r.new, w.store, w.city,
                       w.region, w.department, w.role]  # fmt: skip
        one = "(" + ", ".join("?" for _ in _PERSON_COLUMNS) + ")"
        # Only our own column names and placeholders are joined in: the values are bound.
        sql = f"INSERT INTO analytics_person_day ({columns}) VALUES " + ", ".join(  # noqa: S608
            one for _ in batch
        )
        await conn.execute_query(numbered(sql) if pg else sql, values)


async def _write_cells(day: date, today: Iterable[rollup.PersonDay] | None = None) -> None:
    """The day's cells from today's person-days (given, or stored) and the stored ones of
    the window's days before it."""
    since = day - timedelta(days=_WINDOW - 1)
    if today is None:
        stored = await _stored(since, day)
        today = [r for r in stored if r.day == day]
        window = [r for r in stored if r.day < day]
    else:
        window = await _stored(since, day - timedelta(days=1))
    cells = rollup.cells(day, today, window)
    async with in_transaction():
        await DailyCell.filter(day=day).delete()
        await DailyCell.bulk_create(
            [
                DailyCell(day=day, dimension=d, key=k, **figures)
                for (d, k), figures in cells.items()
            ],
            batch_size=500,
        )


async def roll_day(
    day: date,
    zone: ZoneInfo,
    people: dict[int, rollup.Person] | None = None,
    *,
    refresh_later: bool = True,
    refresh_spans: bool = True,
) -> int:
    """Rolls one local day up from the raw rows (again, if it was); returns active people.
    `refresh_later`: recompute the windows of the rolled days after it (a rebuild that goes
    forward day by day does not need to); `refresh_spans`: the pre-summed spans holding the
    day (a rebuild refreshes them all once at its end)."""
    mark = await fingerprint(day, zone)
    visits, actions = await _raw(day, zone)
    if people is None:
        people = await where_people()
    ids = {v.employee_id for v in visits} | {a.employee_id for a in actions}
    earlier = (
        await PersonDay.filter(day__lt=day, employee_id__in=list(ids))
        .distinct()
        .values_list("employee_id", flat=True)
    )
    before = {int(i) for i in earlier}  # type: ignore[call-overload]
    rows = rollup.person_days(day, zone, visits, actions, people, before)
    async with in_transaction():
        await PersonDay.filter(day=day).delete()
        await _insert_person_days(rows)
        await RolledDay.update_or_create(
            day=day, defaults={"fingerprint": mark, "rolled_at": datetime.now(UTC)}
        )
    await _write_cells(day, rows)
    if refresh_spans:  # the windows of later days are not in the spans: only this day
        await spans.refresh([day])
    await _roll_rewards(day, zone)
    if not refresh_later:
        return len(rows)
    # The trailing windows of the days after this one include it.
    later = await RolledDay.filter(day__gt=day, day__lt=day + timedelta(days=_WINDOW)).values_list(
        "day", flat=True
    )
    for other in sorted(later):
        await _write_cells(other)  # type: ignore[arg-type]
    return len(rows)


async def roll_due(zone: ZoneInfo, now: datetime | None = None) -> list[date]:
    """Rolls today (so far) and every day of the last weeks whose raw rows changed since
    their roll-up. What the worker's cron runs; safe to run twice at once (same rows)."""
    today = rollup.local_day(now or datetime.now(UTC), zone)
    done = dict(
        await RolledDay.filter(day__gte=today - timedelta(days=LOOKBACK_DAYS)).values_list(
            "day", "fingerprint"
        )
    )
    people = await where_people()
    rolled: list[date] = []
    for back in range(LOOKBACK_DAYS, -1, -1):
        day = today - timedelta(days=back)
        mark = await fingerprint(day, zone)
        if done.get(day) == mark or (day not in done and mark == await _empty_mark()):
            continue
        await roll_day(day, zone, people)
        rolled.append(day)
    await roll_posts(zone, today - timedelta(days=LOOKBACK_DAYS))
    return rolled


async def rebuild(since: date, zone: ZoneInfo, until: date | None = None) -> int:
    """Recomputes every day from `since` to `until` (today) from the raw data."""
    until = until or rollup.local_day(datetime.now(UTC), zone)
    people = await where_people()
    rolled: list[date] = []
    day = since
    while day <= until:
        await roll_day(day, zone, people, refresh_later=day == until, refresh_spans=False)
        rolled.append(day)
        day += timedelta(days=1)
    await spans.refresh(rolled)
    days = len(rolled)
    await roll_posts(zone, since)
    return days


async def _empty_mark() -> str:
    return hashlib.sha256(b"0|None|0|None").hexdigest()


async def _roll_rewards(day: date, zone: ZoneInfo) -> None:
    """The day's rewards figures, from the ledger (by the time each was earned), spins,
    redemptions and kudos."""
    start, end = rollup.day_bounds(day, zone)
    transfers = [
        rewards.Transfer(**t)
        for t in await LedgerTransfer.filter(at__gte=start, at__lt=end).values(
            "kind", "currency", "debit_id", "credit_id", "amount", "rule_id", "user_id"
        )
    ]
    prizes = await WheelSpin.filter(
        created_at__gte=start, created_at__lt=end, outcome="prize"
    ).values_list("prize", flat=True)
    asked = await Redemption.filter(created_at__gte=start, created_at__lt=end).values_list(
        "status", "price"
    )
    kudos = await ActivityEvent.filter(at__gte=start, at__lt=end, type="kudos.given").values_list(
        "actor_id", "subject_id"
    )
    figures = rewards.reward_figures(
        transfers,
        [str(p) for p in prizes if p],
        [(str(status), int(price)) for status, price in asked],
        [(int(giver), int(to) if to is not None else None) for giver, to in kudos],
    )
    async with in_transaction():
        await RewardCell.filter(day=day).delete()
        await RewardCell.bulk_create(
            [RewardCell(day=day, metric=m, key=k[:64], value=v) for (m, k), v in figures.items()],
            batch_size=500,
        )


async def _audience_sizes(posts: list[Post], everyone: int) -> dict[int, int]:
    """Each post's audience, in a few queries for all of them: one count per group (a
    GROUP BY), one read of the posts' audience tokens, and one count per distinct audience
    (channel posts to the same stores or roles share it)."""
    groups = {p.group_id for p in posts if p.group_id is not None}
    members: dict[int, int] = {}
    if groups:
        rows = (
            await GroupMember.filter(group_id__in=list(groups), state=MemberState.MEMBER)
            .annotate(n=Count("id"))
            .group_by("group_id")
            .values_list("group_id", "n")
        )
        members = {int(g): int(n) for g, n in rows}
    targeted = [p.id for p in posts if p.group_id is None and not p.audience_all]
    tokens: dict[int, list[str]] = {}
    if targeted:
        for post_id, token in await PostAudience.filter(post_id__in=targeted).values_list(
            "post_id", "token"
        ):
            tokens.setdefault(int(post_id), []).append(str(token))
    counted: dict[frozenset[str], int] = {}
    sizes: dict[int, int] = {}
    for p in posts:
        if p.group_id is not None:
            sizes[p.id] = members.get(p.group_id, 0)
        elif p.audience_all:
            sizes[p.id] = everyone
        else:
            audience_of = frozenset(tokens.get(p.id, ()))
            if audience_of not in counted:
                counted[audience_of] = await audience.count(sorted(audience_of))
            sizes[p.id] = counted[audience_of]
    return sizes


async def roll_posts(zone: ZoneInfo, since: date) -> int:
    """Reach of every post published since `since`: its audience, who of it saw it, what
    they did. Rewritten whole each run (a few hundred rows a day)."""
    start, _ = rollup.day_bounds(since, zone)
    posts = await Post.filter(created_at__gte=start, deleted_at__isnull=True)
    if not posts:
        return 0
    ids = [p.id for p in posts]
    everyone = await Employee.filter(status="active").count()
    mandatory: set[object] = set(await Channel.filter(mandatory=True).values_list("id", flat=True))
    viewers: dict[int, int] = {}
    for post_id in await PostView.filter(post_id__in=ids).values_list("post_id", flat=True):
        viewers[int(post_id)] = viewers.get(int(post_id), 0) + 1  # type: ignore[call-overload]
    confirmed: dict[int, int] = {}
    for post_id in await ReadConfirmation.filter(post_id__in=ids).values_list("post_id", flat=True):
        confirmed[int(post_id)] = confirmed.get(int(post_id), 0) + 1  # type: ignore[call-overload]
    sizes = await _audience_sizes(posts, everyone)
    rows = [
        PostStat(
            post_id=p.id,
            day=rollup.local_day(p.created_at, zone),
            channel_id=p.channel_id,
            group_id=p.group_id,
            mandatory=p.channel_id in mandatory,
            audience=sizes[p.id],
            viewers=viewers.get(p.id, 0),
            reactions=p.reaction_count,
            comments=p.comment_count,
            confirmations=confirmed.get(p.id, 0),
            needs_confirmation=p.needs_confirmation,
        )
        for p in posts
    ]
    async with in_transaction():
        await PostStat.filter(post_id__in=ids).delete()
        await PostStat.bulk_create(rows, batch_size=500)
    return len(rows)
