"""Plain SQL on Tortoise's connections, for the paths where building model objects would
cost more than the work: one settlement batch writes thousands of rows.

Statements are written once with `?` placeholders and portable syntax (`INSERT ... ON
CONFLICT`, which SQLite has since 3.24); PostgreSQL gets `$1, $2, ...`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import asyncpg
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, OperationalError

Row = dict[str, Any]
# From this many rows a plain insert goes to PostgreSQL by binary COPY: 1,000 transfers
# took ~14 ms and 3 ms of the worker's CPU, against ~21 ms and 7 ms by INSERT ... unnest.
COPY_FROM = 100


def is_postgres(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


@lru_cache(maxsize=512)
def _numbered(sql: str) -> str:
    counter = iter(range(1, 100_000))
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


def dialect(conn: BaseDBAsyncClient, sql: str) -> str:
    return _numbered(sql) if is_postgres(conn) else sql


def default() -> BaseDBAsyncClient:
    conn: BaseDBAsyncClient = connections.get("default")
    return conn


async def fetch(conn: BaseDBAsyncClient, sql: str, values: Sequence[Any] = ()) -> list[Row]:
    return await conn.execute_query_dict(dialect(conn, sql), list(values))


async def execute(conn: BaseDBAsyncClient, sql: str, values: Sequence[Any] = ()) -> int:
    """Runs a statement; returns the number of rows it changed."""
    count, _ = await conn.execute_query(dialect(conn, sql), list(values))
    return int(count)


async def execute_many(conn: BaseDBAsyncClient, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    if rows:
        # Tuples as they are: both drivers take any sequence (copying 23,000 values a
        # batch into lists cost more than the INSERT's Python side).
        await conn.execute_many(dialect(conn, sql), rows)  # type: ignore[arg-type]


async def insert_rows(
    conn: BaseDBAsyncClient,
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    suffix: str = "",
) -> None:
    """Many rows in one statement. `columns` are (name, PostgreSQL type). On PostgreSQL one
    INSERT ... SELECT FROM unnest(arrays) (executemany runs the statement once a row, and
    1,000 executions a batch were a third of settlement's time there), or a COPY for many
    rows without `suffix` (an ON CONFLICT clause). On SQLite (one in-process library call
    a row, no round trips) executemany is as fast."""
    if not rows:
        return
    names = ", ".join(name for name, _ in columns)
    if is_postgres(conn) and not suffix and len(rows) >= COPY_FROM:
        await _copy(conn, table, [name for name, _ in columns], rows)
        return
    if not is_postgres(conn):
        await execute_many(
            conn,
            f"INSERT INTO {table} ({names}) VALUES ({placeholders(len(columns))}) {suffix}",
            rows,
        )
        return
    arrays = [list(values) for values in zip(*rows, strict=True)]
    unnest = ", ".join(f"${i}::{kind}[]" for i, (_, kind) in enumerate(columns, start=1))
    await conn.execute_query(
        f"INSERT INTO {table} ({names}) SELECT * FROM unnest({unnest}) {suffix}", arrays
    )


async def _copy(
    conn: BaseDBAsyncClient, table: str, names: list[str], rows: Sequence[Sequence[Any]]
) -> None:
    try:
        async with conn.acquire_connection() as raw:
            await raw.copy_records_to_table(table, records=rows, columns=names)
    # Errors as Tortoise raises them for its own statements: a duplicate id is an
    # IntegrityError to the callers, a passing failure an OperationalError.
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise IntegrityError(exc) from exc
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise OperationalError(exc) from exc


def member_of(
    conn: BaseDBAsyncClient,
    column: str,
    items: Sequence[Any],
    size: int = 500,
    kind: str = "varchar",
) -> list[tuple[str, list[Any]]]:
    """`column IN items` as (condition, values) per statement: one on PostgreSQL (see
    `one_of`), `size` placeholders each on SQLite (it allows 32,766 parameters)."""
    if not items:
        return []
    if is_postgres(conn):
        return [one_of(conn, column, items, kind)]
    return [one_of(conn, column, part) for part in chunks(items, size)]


def one_of(
    conn: BaseDBAsyncClient, column: str, items: Sequence[Any], kind: str = "varchar"
) -> tuple[str, list[Any]]:
    """`column IN items` as (condition, values); `kind` is the items' PostgreSQL type.

    PostgreSQL gets one array parameter, `column IN (SELECT unnest(?::kind[]))`: its text
    never changes, so asyncpg prepares it once, where a list of placeholders of another
    length was prepared again on almost every call (and pushed other statements out of
    asyncpg's cache). Not `column = ANY(?)`: once PostgreSQL settles on a generic plan
    for it, a table without statistics is scanned, each row searched in the array: ~50 ms
    for 1,600 ids, against ~2 ms for this semi-join."""
    if is_postgres(conn):
        return f"{column} IN (SELECT unnest(?::{kind}[]))", [list(items)]
    return f"{column} IN ({placeholders(len(items))})", list(items)


def placeholders(count: int) -> str:
    return ", ".join("?" * count)


def as_datetime(value: Any) -> datetime:
    """A timestamp read back by plain SQL: SQLite gives text, PostgreSQL a datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def chunks(items: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    """SQLite allows 32,766 parameters per statement; keep `IN (...)` lists well below."""
    return [items[i : i + size] for i in range(0, len(items), size)]
