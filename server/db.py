"""Database connection: Tortoise configuration from settings, start-up and migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise import Tortoise
from tortoise.backends.base import executor as tortoise_executor
from tortoise.migrations.api import migrate as tortoise_migrate

from server.settings import Settings

APP_LABEL = "plaza"
MODEL_MODULES = ["server.models"]
MIGRATIONS_MODULE = "server.migrations"
# Tortoise's own clients, with transactions that begin IMMEDIATE on SQLite and survive
# being cancelled (see server/dbclient/).
SQLITE_ENGINE = "server.dbclient.sqlite_client"
POSTGRES_ENGINE = "server.dbclient.asyncpg_client"


async def _keep_session(connection: object) -> None:
    """Release a pooled connection without asyncpg's reset statement (`pg_advisory_unlock_all();
    CLOSE ALL; UNLISTEN *; RESET ALL`): one extra round trip per query, and Plaza never takes
    advisory locks, opens cursors, listens or changes session settings. Tortoise acquires and
    releases a connection for every query, so this halves the round trips of a read. An
    open transaction is still rolled back: asyncpg does that itself before calling this."""


def connection_config(database_url: str, pool: int = 20) -> dict[str, Any]:
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {
            "engine": SQLITE_ENGINE,
            "credentials": {
                "file_path": path,
                "journal_mode": "WAL",
                # Writers queue for up to 5 s instead of failing with "database is locked"
                # when the web process and the worker write at the same moment (with
                # transactions that begin IMMEDIATE: server/dbclient/).
                "busy_timeout": 5000,
                "synchronous": "NORMAL",
            },
        }
    parts = urlsplit(database_url)
    return {
        "engine": POSTGRES_ENGINE,
        "credentials": {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": parts.username or "postgres",
            "password": parts.password or "",
            "database": parts.path.lstrip("/") or "plaza",
            "minsize": 1,
            "maxsize": pool,
            "reset": _keep_session,
        },
    }


def tortoise_config(settings: Settings) -> dict[str, Any]:
    default = connection_config(settings.database_url, settings.database_pool)
    return {
        "connections": {"default": default},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "migrations": MIGRATIONS_MODULE,
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def open_database(settings: Settings) -> None:
    # Tortoise caches each model's INSERT statement by connection name only, not by dialect:
    # after SQLite and then PostgreSQL in one process (the test suite does exactly that),
    # PostgreSQL would get SQLite's "?" placeholders. Start every opening from a clean cache.
    tortoise_executor.EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


async def apply_migrations(settings: Settings) -> None:
    await tortoise_migrate(config=tortoise_config(settings))
    await Tortoise.close_connections()
