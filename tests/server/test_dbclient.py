"""Transactions: IMMEDIATE on SQLite (a reader that then writes waits for another process's
writer instead of failing), and a transaction cancelled at any point gives its connection
back on both databases."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from pathlib import Path

from tortoise import connections
from tortoise.transactions import in_transaction

from server.db import close_database, open_database
from server.settings import Settings
from tests.conftest import base_settings


def _write_elsewhere(path: str, started: threading.Event) -> None:
    """Another process's writer: its own connection, the same 5 s busy timeout."""
    other = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        started.set()
        other.execute("INSERT INTO counted (n) VALUES (2)")
    finally:
        other.close()


async def test_a_sqlite_transaction_that_reads_then_writes_waits_for_other_writers(
    tmp_path: Path, redis_socket: Path
) -> None:
    path = tmp_path / "immediate.sqlite3"
    settings = base_settings(tmp_path, redis_socket, f"sqlite://{path}")
    await open_database(settings)
    try:
        conn = connections.get("default")
        await conn.execute_script("CREATE TABLE counted (n INTEGER)")
        started = threading.Event()
        async with in_transaction() as tx:
            await tx.execute_query("SELECT COUNT(*) FROM counted")
            other = asyncio.create_task(asyncio.to_thread(_write_elsewhere, str(path), started))
            await asyncio.to_thread(started.wait, 5)
            await asyncio.sleep(0.2)  # begun DEFERRED, the other writer would commit here
            # ... and this write would fail at once with "database is locked".
            await tx.execute_query("INSERT INTO counted (n) VALUES (1)")
        await other
        rows = await conn.execute_query_dict("SELECT n FROM counted ORDER BY rowid")
    finally:
        await close_database()
    assert [r["n"] for r in rows] == [1, 2]  # the other writer waited for this commit


async def _one_transaction() -> None:
    async with in_transaction() as tx:
        await tx.execute_query("SELECT 1")
        await tx.execute_query("SELECT 2")


async def test_a_transaction_cancelled_anywhere_gives_its_connection_back(db: Settings) -> None:
    """arq cancels running jobs on SIGTERM. Tortoise's own transaction left the SQLite
    connection locked, or a PostgreSQL connection out of the pool, when cancelled while it
    began: the process's next query, and the worker's shutdown, waited forever."""
    for steps in range(60):
        task = asyncio.create_task(_one_transaction())
        for _ in range(steps):
            await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await asyncio.wait_for(_one_transaction(), 5)
        rows = await asyncio.wait_for(
            connections.get("default").execute_query_dict("SELECT 3 AS n"), 5
        )
        assert rows == [{"n": 3}]
    conn = connections.get("default")
    pool = getattr(conn, "_pool", None)
    if pool is not None:  # PostgreSQL: every connection is back in the pool
        assert pool.get_idle_size() == pool.get_size()
    else:
        assert not conn._lock.locked()
        assert not conn._connection.in_transaction
