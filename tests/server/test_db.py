"""Migrations apply on an empty database of both kinds, and match the models."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.autodetector import MigrationAutodetector

from server.db import APP_LABEL, apply_migrations, close_database, open_database, tortoise_config
from tests.conftest import _psql, base_settings

EXPECTED_TABLES = {"employee", "session", "api_token", "activity_event", "store", "region"}


async def _tables(url: str) -> set[str]:
    conn = connections.get("default")
    if url.startswith("sqlite"):
        rows = await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type='table'")
        return {r["name"] for r in rows}
    rows = await conn.execute_query_dict(
        "SELECT tablename AS name FROM pg_tables WHERE schemaname='public'"
    )
    return {r["name"] for r in rows}


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_migrations_apply_on_an_empty_database_twice(
    kind: str, tmp_path: Path, redis_socket: Path, request: pytest.FixtureRequest
) -> None:
    if kind == "sqlite":
        url = f"sqlite://{tmp_path / 'empty.sqlite3'}"
    else:
        server: str = request.getfixturevalue("postgres_url")
        _psql(server, "DROP DATABASE IF EXISTS empty_check")
        _psql(server, "CREATE DATABASE empty_check")
        url = server.rsplit("/", 1)[0] + "/empty_check"
    settings = base_settings(tmp_path, redis_socket, url)
    asyncio.run(apply_migrations(settings))
    asyncio.run(apply_migrations(settings))  # a second run is a no-op, not an error

    async def check() -> set[str]:
        await open_database(settings)
        try:
            return await _tables(url)
        finally:
            await close_database()

    assert asyncio.run(check()) >= EXPECTED_TABLES


async def test_sqlite_runs_in_wal_mode(tmp_path: Path, redis_socket: Path) -> None:
    settings = base_settings(tmp_path, redis_socket, f"sqlite://{tmp_path / 'wal.sqlite3'}")
    await open_database(settings)
    try:
        rows = await connections.get("default").execute_query_dict("PRAGMA journal_mode")
        timeout = await connections.get("default").execute_query_dict("PRAGMA busy_timeout")
    finally:
        await close_database()
    assert rows[0]["journal_mode"] == "wal"
    assert next(iter(timeout[0].values())) == 5000


async def test_committed_migrations_match_the_models(tmp_path: Path, redis_socket: Path) -> None:
    """A model change without its migration fails here, not on someone's production."""
    settings = base_settings(tmp_path, redis_socket, f"sqlite://{tmp_path / 'm.sqlite3'}")
    config = tortoise_config(settings)
    await Tortoise.init(config=config, init_connections=False)
    try:
        detector = MigrationAutodetector(Tortoise.apps, {APP_LABEL: config["apps"][APP_LABEL]})
        changes = await detector.changes()
    finally:
        await Tortoise.close_connections()
    assert not changes, f"models changed without a migration: {changes}"
