"""Test set-up with real parts: a redis-server on a unix socket, a throwaway PostgreSQL
cluster (run as the `postgres` user), SQLite files, and the app served by uvicorn on a
loopback port. Each test gets its own database (copied from a migrated template) and its
own Redis key prefix.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import uvicorn

from realtime.direct import WS_PROTOCOL
from server.app import create_app
from server.db import apply_migrations, close_database, open_database
from server.settings import Settings

SECRET = "test-secret-" + "x" * 40
EMAIL_DOMAIN = "example.com"


# -- servers started once per test session --------------------------------------------------


@pytest.fixture(scope="session")
def redis_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("redis")
    sock = folder / "redis.sock"
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--dir",
            str(folder),
            "--save",
            "",
            "--appendonly",
            "no",
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(unix_socket_path=str(sock))
    _wait(lambda: client.ping(), "redis-server")
    yield sock
    process.terminate()
    process.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postgres_bin() -> Path:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    raise RuntimeError("PostgreSQL is not installed: `make test` installs the postgresql package")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL cluster in a temporary folder, listening on loopback only. PostgreSQL
    refuses to run as root, so it runs as the `postgres` user that the package creates."""
    if url := os.environ.get("PLAZA_TEST_POSTGRES_URL"):
        yield url
        return
    binaries = _postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="plaza-pg-"))
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    subprocess.run(
        [
            *as_postgres,
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale",
            "C",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    # Durability off: these databases live for one test run.
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    subprocess.run(
        [
            *as_postgres,
            str(binaries / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_postgres, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(folder, ignore_errors=True)


def _wait(probe: Any, what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            probe()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.05)


def base_settings(var_dir: Path, redis_sock: Path, database_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "var_dir": var_dir,
        "database_url": database_url,
        "redis_url": f"unix://{redis_sock}",
        "redis_prefix": f"t{uuid.uuid4().hex[:10]}",
        "secret_key": SECRET,
        "email_domains": (EMAIL_DOMAIN,),
        "log_format": "text",
        # Many apps start and stop in one test process: frozen objects would never be freed.
        "gc_freeze": False,
        **extra,
    }
    return Settings(**values)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, redis_socket: Path) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    settings = base_settings(folder, redis_socket, f"sqlite://{path}")
    asyncio.run(apply_migrations(settings))
    return path


@pytest.fixture(scope="session")
def postgres_template(
    postgres_url: str, redis_socket: Path, tmp_path_factory: pytest.TempPathFactory
) -> str:
    base = postgres_url.rsplit("/", 1)[0]
    # One template per xdist worker: with PLAZA_TEST_POSTGRES_URL they share one server.
    template = f"plaza_template_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    _psql(postgres_url, f"DROP DATABASE IF EXISTS {template}")
    _psql(postgres_url, f"CREATE DATABASE {template}")
    settings = base_settings(tmp_path_factory.mktemp("pg"), redis_socket, f"{base}/{template}")
    asyncio.run(apply_migrations(settings))
    return f"{base}/{template}"


def _psql(url: str, sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


_counter = itertools.count()


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`@pytest.mark.one_database` (or a module's `pytestmark`): the test runs on SQLite only.
    For tests that are not about storage (HTTP shapes, permissions, validation, live
    delivery...); anything about queries, migrations, transactions, concurrency, settlement,
    the ledger, analytics SQL or search keeps both (docs/development.md)."""
    if "database_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "one_database"
    ):
        # As a mark, read before the fixture's own params are applied (which it replaces).
        metafunc.definition.add_marker(
            pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
        )


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database of each kind for the test (parametrised: every database
    test runs on SQLite and on PostgreSQL, unless marked `one_database`)."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "plaza.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite://{path}"
    pg_template: str = request.getfixturevalue("postgres_template")
    base, template_name = pg_template.rsplit("/", 1)
    name = f"test_{os.getpid()}_{next(_counter)}"
    _psql(f"{base}/postgres", f"CREATE DATABASE {name} TEMPLATE {template_name}")
    return f"{base}/{name}"


@pytest.fixture
def settings(tmp_path: Path, redis_socket: Path, database_url: str) -> Settings:
    return base_settings(tmp_path, redis_socket, database_url)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Settings]:
    await open_database(settings)
    try:
        yield settings
    finally:
        await close_database()


# -- the app over real HTTP ----------------------------------------------------------------


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = create_app(settings, manage_database=False)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=0,
            lifespan="on",
            log_level="warning",
            proxy_headers=True,
            forwarded_allow_ips="127.0.0.1",
            ws=WS_PROTOCOL,
        )
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task[None] | None = None
        self.url = ""

    async def __aenter__(self) -> LiveServer:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task

    @property
    def services(self) -> Any:
        return self.app.state.services


@pytest.fixture
async def live(db: Settings) -> AsyncIterator[LiveServer]:
    async with LiveServer(db) as server:
        yield server


@contextlib.asynccontextmanager
async def http_client(base_url: str, **kwargs: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30, **kwargs) as client:
        yield client


@pytest.fixture
async def client(live: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(live.url) as c:
        yield c


@pytest.fixture
async def nodes(db: Settings) -> AsyncIterator[tuple[LiveServer, LiveServer]]:
    """Two web processes (two uvicorn servers on two ports) sharing one database and one
    Redis, as a deployment with several web processes runs them."""
    async with LiveServer(db) as a, LiveServer(db) as b:
        yield a, b
