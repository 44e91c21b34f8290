"""Pre-summed spans of days, so that a breakdown over a month or a year reads a handful of
rows per cell instead of one per day.

A span of level k holds, for each breakdown cell, the sums of its daily figures over 2^k
consecutive days (k = 1..9: 2 to 512 days) starting on a day whose ordinal is a multiple
of 2^k, and the busiest day's active people (MAX, which combines as the sums do). Any
period splits into at most two spans per level, aligned as they are, plus at most a day at
each end, read from `analytics_daily` (`pieces`): a 30-day window is at most 8 pieces
instead of 30 days, a year at most 16 instead of 365. Months and weeks would not split a
rolling 30-day window into fewer pieces than days at its ends (up to 12).

A span is built from its two halves (level 0 is the daily table), so refreshing the spans
of one rolled day touches 9 spans of 2 x cells rows. Only the daily figures summed by the
breakdown are kept (not the trailing windows, WAU and MAU): re-rolling the windows of the
days after a late day does not change any span. The numbers are the same as the daily
table's by construction (integers added in another order), which the tests check.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server.analytics import figures
from server.community.sql import fetch, is_postgres, numbered

LEVELS = range(1, 10)  # 2 .. 512 days (a breakdown is at most 731 days)
# What a breakdown adds up: people per day, sums, and the sessions' seconds.
SUMMED = (*figures.SUMMED, *figures.AVERAGED, "session_seconds")


def pieces(start: date, end: date) -> tuple[list[date], list[tuple[int, date]]]:
    """[start, end] as single days (read from the daily table) and aligned spans (level,
    first day), disjoint and covering every day once: greedily the longest aligned span
    that starts at the next day and ends within the period."""
    days: list[date] = []
    spans: list[tuple[int, date]] = []
    n, last = start.toordinal(), end.toordinal()
    while n <= last:
        level = 0
        while (
            level < LEVELS[-1] and n % (2 ** (level + 1)) == 0 and n + 2 ** (level + 1) - 1 <= last
        ):
            level += 1
        if level == 0:
            days.append(date.fromordinal(n))
        else:
            spans.append((level, date.fromordinal(n)))
        n += 2**level
    return days, spans


def containing(days: Iterable[date]) -> dict[int, set[int]]:
    """The first days (ordinals) of the spans of each level that hold any of these days."""
    ordinals = {d.toordinal() for d in days}
    return {k: {n - n % 2**k for n in ordinals} for k in LEVELS}


def _bind(day: date, pg: bool) -> Any:
    return day if pg else day.isoformat()


_COLUMNS = ", ".join(f'"{c}"' for c in SUMMED)
_SUMS = ", ".join(f'SUM("{c}")' for c in SUMMED)


async def refresh(days: Iterable[date], client: BaseDBAsyncClient | None = None) -> None:
    """Rebuild every span holding one of these days from its two halves, level by level
    (after the days' cells were written). Idempotent, like the roll-up. `client`: the
    migration's connection (each span is then not a transaction of its own)."""
    pg = is_postgres(client)
    for level, starts in containing(days).items():
        half = 2 ** (level - 1)
        for first in sorted(starts):
            begin = date.fromordinal(first)
            middle = date.fromordinal(first + half)
            if level == 1:
                source = (
                    f'SELECT dimension, "key", active AS people, {_COLUMNS} FROM analytics_daily'  # noqa: S608
                    " WHERE day >= ? AND day <= ?"
                )
                params = [_bind(begin, pg), _bind(middle, pg)]
            else:
                source = (
                    f'SELECT dimension, "key", people, {_COLUMNS} FROM analytics_span'  # noqa: S608
                    " WHERE level = ? AND start IN (?, ?)"
                )
                params = [level - 1, _bind(begin, pg), _bind(middle, pg)]
            insert = (
                f'INSERT INTO analytics_span (level, start, dimension, "key", people, {_COLUMNS})'  # noqa: S608
                f' SELECT ?, ?, dimension, "key", MAX(people), {_SUMS} FROM ({source}) AS halves'
                ' GROUP BY dimension, "key"'
            )
            delete = "DELETE FROM analytics_span WHERE level = ? AND start = ?"
            values = [level, _bind(begin, pg), *params]
            async with _writer(client) as tx:
                await tx.execute_query(
                    numbered(delete) if pg else delete, [level, _bind(begin, pg)]
                )
                await tx.execute_query(numbered(insert) if pg else insert, values)


@asynccontextmanager
async def _writer(client: BaseDBAsyncClient | None) -> AsyncIterator[BaseDBAsyncClient]:
    if client is not None:
        yield client
        return
    async with in_transaction() as tx:
        yield tx


async def backfill(client: BaseDBAsyncClient) -> None:
    """Every span of the days already rolled up (the migration that adds the spans)."""
    rows = await client.execute_query_dict("SELECT DISTINCT day FROM analytics_daily")
    days = [
        d if isinstance(d, date) else date.fromisoformat(str(d)) for d in (r["day"] for r in rows)
    ]
    await refresh(days, client)


async def totals(dimension: str, start: date, end: date) -> list[dict[str, Any]]:
    """Per key of the dimension over [start, end]: `people` (the busiest day's active
    people) and the sum of each of `SUMMED`, as the daily table gives them."""
    pg = is_postgres()
    days, spans = pieces(start, end)
    # One SELECT per piece, each an index range of the cell rows (an OR of the pieces in
    # one WHERE made SQLite scan every span of the dimension).
    parts: list[str] = []
    params: list[Any] = []
    for day in days:
        parts.append(
            f'SELECT "key", active AS people, {_COLUMNS} FROM analytics_daily'  # noqa: S608
            " WHERE dimension = ? AND day = ?"
        )
        params += [dimension, _bind(day, pg)]
    for level, first in spans:
        parts.append(
            f'SELECT "key", people, {_COLUMNS} FROM analytics_span'  # noqa: S608
            " WHERE dimension = ? AND level = ? AND start = ?"
        )
        params += [dimension, level, _bind(first, pg)]
    sums = ", ".join(f'SUM("{c}") AS "{c}"' for c in SUMMED)
    sql = (
        f'SELECT "key", MAX(people) AS people, {sums} FROM ('  # noqa: S608
        + " UNION ALL ".join(parts)
        + ') AS pieces GROUP BY "key"'
    )
    return await fetch(sql, params)
