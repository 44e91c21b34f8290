"""The pre-summed spans: any period splits into aligned spans and end days that cover it
once, and a breakdown read through them equals the sums over the daily table, for random
windows, after a day is rolled again, on both databases."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from tortoise.expressions import Q

from server.analytics import spans, store
from server.community.sql import fetch, is_postgres
from server.models import (
    DailyCell,
    Employee,
    Group,
    GroupMember,
    MemberState,
    Post,
    PostAudience,
    PostStat,
)
from server.settings import Settings
from tests.community import make_org

FIRST = date(2026, 1, 1)
DAYS = 140
KEYS = [str(k) for k in range(1, 8)]


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2999, 1, 1)),
    length=st.integers(min_value=1, max_value=731),
)
def test_pieces_cover_the_period_once_with_aligned_spans(start: date, length: int) -> None:
    end = start + timedelta(days=length - 1)
    days, found = spans.pieces(start, end)
    covered = [d.toordinal() for d in days]
    for level, first in found:
        assert level in spans.LEVELS
        assert first.toordinal() % 2**level == 0  # aligned: the span the roll-up keeps
        covered += range(first.toordinal(), first.toordinal() + 2**level)
    assert sorted(covered) == list(range(start.toordinal(), end.toordinal() + 1))
    # At most two pieces a level (and a day at each end): 30 days are at most 8 pieces.
    assert len(days) <= 2
    assert len(days) + len(found) <= 2 * length.bit_length()


async def _daily(dimension: str, start: date, end: date) -> dict[str, dict[str, int]]:
    """The breakdown's sums straight from the daily table (the query before the spans)."""
    pg = is_postgres()
    sums = ", ".join(f'SUM("{n}") AS "{n}"' for n in spans.SUMMED)
    rows = await fetch(
        f'SELECT "key", MAX("active") AS people, {sums} FROM analytics_daily'
        ' WHERE dimension = ? AND day >= ? AND day <= ? GROUP BY "key"',
        [dimension, *(d if pg else d.isoformat() for d in (start, end))],
    )
    return _plain(rows)


def _plain(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    return {str(r["key"]): {n: int(r[n] or 0) for n in ("people", *spans.SUMMED)} for r in rows}


def _cell(rng: random.Random, day: date, dimension: str, key: str) -> DailyCell:
    values = {n: rng.randint(0, 50) for n in spans.SUMMED}
    values["session_seconds"] = rng.randint(0, 10**7)
    return DailyCell(day=day, dimension=dimension, key=key, wau=1, mau=1, **values)


async def test_breakdown_through_spans_equals_the_daily_table(db: Settings) -> None:
    rng = random.Random(13)
    cells = [
        _cell(rng, FIRST + timedelta(days=n), dimension, key)
        for n in range(DAYS)
        if rng.random() < 0.9  # some days nobody was active
        for dimension, keys in (("store", KEYS), ("region", ["1", "2"]))
        for key in keys
        if rng.random() < 0.8  # and some cells are missing on a day
    ]
    await DailyCell.bulk_create(cells, batch_size=500)
    await spans.refresh(FIRST + timedelta(days=n) for n in range(DAYS))
    windows = [(FIRST, FIRST + timedelta(days=DAYS - 1)), (FIRST, FIRST)]
    for _ in range(120):
        a, b = sorted(rng.randrange(-10, DAYS + 10) for _ in range(2))
        windows.append((FIRST + timedelta(days=a), FIRST + timedelta(days=b)))
    for start, end in windows:
        for dimension in ("store", "region"):
            expected = await _daily(dimension, start, end)
            assert _plain(await spans.totals(dimension, start, end)) == expected, (start, end)

    # A day rolled again (late data): its spans follow, and nothing else moves.
    day = FIRST + timedelta(days=77)
    await DailyCell.filter(day=day).delete()
    await DailyCell.bulk_create([_cell(rng, day, "store", k) for k in [*KEYS, "99"]])
    await spans.refresh([day])
    for start, end in [(FIRST, FIRST + timedelta(days=DAYS - 1)), (day - timedelta(days=20), day)]:
        expected = await _daily("store", start, end)
        assert "99" in expected
        assert _plain(await spans.totals("store", start, end)) == expected


async def test_roll_posts_counts_each_audience_as_before(db: Settings) -> None:
    """The batched audience sizes: a group's members, everyone, or the people an audience's
    tokens name (posts sharing an audience share its count)."""
    org = await make_org()
    group = await Group.create(name="Runners")
    for who, state in ((org.alice, MemberState.MEMBER), (org.bob, MemberState.MEMBER),
                       (org.carol, MemberState.REQUESTED)):  # fmt: skip
        await GroupMember.create(group=group, employee=who, state=state)
    now = datetime.now(UTC)

    async def post(tokens: list[str] | None = None, group_id: int | None = None) -> Post:
        made = await Post.create(
            stream="x", author=org.comms, body="b", html="b", created_at=now,
            audience_all=not tokens, group_id=group_id,
        )  # fmt: skip
        for t in tokens or []:
            await PostAudience.create(post_id=made.id, token=t)
        return made

    posts = [
        await post(),
        await post(group_id=group.id),
        await post([f"store:{org.store_n.id}"]),
        await post([f"store:{org.store_n.id}"]),
        await post([f"dept:{org.it.id}", "role:manager"]),
    ]
    zone = ZoneInfo("Europe/Moscow")
    assert await store.roll_posts(zone, date.today() - timedelta(days=2)) == len(posts)
    stats = dict(await PostStat.all().values_list("post_id", "audience"))
    everyone = await Employee.filter(status="active").count()
    north = await Employee.filter(store_id=org.store_n.id).count()
    it_or_managers = await Employee.filter(Q(department_id=org.it.id) | Q(role="manager")).count()
    assert [stats[p.id] for p in posts] == [everyone, 2, north, north, it_or_managers]
