"""Raw SQL on both dialects: write `?` placeholders, get `$n` on PostgreSQL.

Only the hot paths (feed, search, visibility filters) use raw SQL; the rest is the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient


def connection() -> BaseDBAsyncClient:
    conn: BaseDBAsyncClient = connections.get("default")
    return conn


def is_postgres(conn: BaseDBAsyncClient | None = None) -> bool:
    return (conn or connection()).capabilities.dialect == "postgres"


def placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def numbered(sql: str) -> str:
    """`?` -> `$1, $2, ...` (our SQL never has a literal question mark)."""
    parts = sql.split("?")
    out = [parts[0]]
    for index, part in enumerate(parts[1:], start=1):
        out.append(f"${index}{part}")
    return "".join(out)


async def fetch(
    sql: str, values: Iterable[Any] = (), conn: BaseDBAsyncClient | None = None
) -> list[dict[str, Any]]:
    conn = conn or connection()
    query = numbered(sql) if is_postgres(conn) else sql
    return await conn.execute_query_dict(query, list(values))


def ints(values: Iterable[Any]) -> list[int]:
    """`values_list(name, flat=True)` results as ints (Tortoise types them as tuples)."""
    return [int(v) for v in values]
