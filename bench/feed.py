"""Benchmark of the home feed and of writing a post: prints figures, asserts nothing.

    python -m bench.feed            # 50,000 employees, 300 groups, 1,000,000 posts
    python -m bench.feed --quick    # 1,000 employees, 20 groups, 5,000 posts, seconds
    python -m bench.feed --db postgres --posts 200000
    python -m bench.feed --workers 2   # uvicorn processes, for Plaza and the ceiling alike

For each database (SQLite, and PostgreSQL in a throwaway cluster run as the `postgres`
user), it seeds the data with bulk SQL, starts Plaza under uvicorn (one process unless
--workers) and measures, with 64 concurrent clients over loopback HTTP: a home-feed page
(20 posts), the same load against a plain Starlette JSON endpoint returning a page of the
same size from the same process(es) (the ceiling), and writing a post. Prints p50/p99
latency, requests/s and the feed/ceiling ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/feed.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from tortoise import connections

from server.db import apply_migrations, close_database, open_database
from server.settings import Settings

SERVER_PIDS: list[int] = []  # the server under test, for its memory figure
CONCURRENCY = 64
PAGE = 20
TOKEN_USERS = 500  # distinct signed-in users the clients rotate through


@dataclass
class Size:
    employees: int
    groups: int
    posts: int
    requests: int


FULL = Size(50_000, 300, 1_000_000, 20_000)
QUICK = Size(1_000, 20, 5_000, 300)


# -- infrastructure ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(probe: Callable[[], object], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            probe()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.05)


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    import redis

    sock = folder / "redis.sock"
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--save",
            "",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    wait_for(lambda: redis.Redis(unix_socket_path=str(sock)).ping(), "redis-server")
    try:
        yield f"unix://{sock}"
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway cluster, as tests/conftest.py starts one (as `postgres` when root)."""
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)[0]
    folder = Path(tempfile.mkdtemp(prefix="plaza-bench-pg-"))
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    subprocess.run(
        [*as_postgres, str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A",
         "trust", "--no-sync", "-E", "UTF8", "--locale", "C"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    port = free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
        "-c shared_buffers=256MB"
    )
    subprocess.run(
        [*as_postgres, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
         str(folder / "log"), "-w", "start"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        import asyncpg

        async def create() -> None:
            conn = await asyncpg.connect(f"postgres://postgres@127.0.0.1:{port}/postgres")
            await conn.execute("CREATE DATABASE plaza_bench")
            await conn.close()

        asyncio.run(create())
        yield f"postgres://postgres@127.0.0.1:{port}/plaza_bench"
    finally:
        subprocess.run(
            [*as_postgres, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


# -- seeding with bulk SQL ---------------------------------------------------------------


class Seeder:
    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres

    def series(self, table: str, columns: str, expressions: str, n: int) -> str:
        if self.postgres:
            return (
                f"INSERT INTO {table} ({columns}) SELECT {expressions} "
                f"FROM generate_series(1, {n}) AS s(g)"
            )
        return (
            f"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {n}) "
            f"INSERT INTO {table} ({columns}) SELECT {expressions} FROM s"
        )

    def ago(self, seconds: str) -> str:
        if self.postgres:
            return f"now() - ({seconds}) * interval '1 second'"
        return f"strftime('%Y-%m-%d %H:%M:%S', 'now', '-' || ({seconds}) || ' seconds') || '+00:00'"

    def json(self, expression: str) -> str:
        return f"CAST({expression} AS jsonb)" if self.postgres else expression

    def now(self) -> str:
        return "now()" if self.postgres else "strftime('%Y-%m-%d %H:%M:%S', 'now') || '+00:00'"


async def seed(size: Size, postgres: bool) -> None:
    conn = connections.get("default")
    s = Seeder(postgres)
    n, g_count, p_count = size.employees, size.groups, size.posts
    managers = max(1, n // 500)
    statements = [
        s.series("region", "code, name", "'r' || g, 'Region ' || g", 10),
        s.series("city", "code, name, region_id", "'c' || g, 'City ' || g, (g % 10) + 1", 30),
        s.series("store", "code, name, city_id", "'s' || g, 'Store ' || g, (g % 30) + 1", 300),
        s.series("department", "code, name", "'d' || g, 'Department ' || g", 20),
        s.series(
            "employee",
            "email, name, position, department_id, store_id, skills, interests, locale, "
            "timezone, role, status, hr_listed, created_at, updated_at",
            "'e' || g || '@bench.example.com', 'Employee ' || g, 'Associate', (g % 20) + 1, "
            f"(g % 300) + 1, {s.json(chr(39) + '[]' + chr(39))}, "
            f"{s.json(chr(39) + '[]' + chr(39))}, 'en', '', "
            "CASE WHEN g = 1 THEN 'comms' WHEN g % 500 = 0 THEN 'manager' ELSE 'employee' END, "
            f"'active', FALSE, {s.now()}, {s.now()}",
            n,
        ),
        s.series(
            "channel",
            "name, description, mandatory, created_by_id, created_at",
            f"'Channel ' || g, '', g <= 3, 1, {s.now()}",
            8,
        ),
        s.series(
            "community_group",
            "name, description, visibility, member_count, created_by_id, created_at",
            "'Group ' || g, 'About topic ' || g, CASE WHEN g % 25 = 0 THEN 'secret' "
            f"WHEN g % 10 = 0 THEN 'private' ELSE 'public' END, 0, 1, {s.now()}",
            g_count,
        ),
        # Five groups per employee: 250,000 memberships at full size.
        s.series(
            "group_member",
            "group_id, employee_id, state, moderator, created_at",
            f"((((g - 1) / 5) * 7 + ((g - 1) % 5) * 61) % {g_count}) + 1, ((g - 1) / 5) + 1, "
            f"'member', FALSE, {s.now()}",
            n * 5 if g_count >= 305 else n,
        ),
        s.series(
            "channel_subscription",
            "channel_id, employee_id, created_at",
            f"(g % 5) + 4, g, {s.now()}",
            n,
        ),
        s.series(
            "follow",
            "follower_id, followee_id, created_at",
            f"((g - 1) / 3) + 1, (((((g - 1) / 3) * 13 + ((g - 1) % 3) * 7) % {managers}) + 1) "
            f"* 500, {s.now()}",
            n * 3 if managers >= 3 else 0,
        ),
        # 20% channel news (1% of it targeted at a region), 70% group posts, 10% blogs.
        s.series(
            "post",
            "kind, stream, author_id, channel_id, group_id, body, html, audience_all, pinned, "
            "banner, needs_confirmation, comment_count, reaction_count, view_count, created_at",
            "CASE WHEN g % 10 < 2 THEN 'news' ELSE 'post' END, "
            "CASE WHEN g % 10 < 2 THEN 'c:' || ((g % 8) + 1) "
            f"WHEN g % 10 < 9 THEN 'g:' || (((g * 7) % {g_count}) + 1) "
            f"ELSE 'u:' || ((((g % {managers})) + 1) * 500) END, "
            "CASE WHEN g % 10 < 2 THEN 1 "
            f"WHEN g % 10 < 9 THEN ((g * 31) % {n}) + 1 ELSE (((g % {managers})) + 1) * 500 END, "
            "CASE WHEN g % 10 < 2 THEN (g % 8) + 1 END, "
            f"CASE WHEN g % 10 >= 2 AND g % 10 < 9 THEN ((g * 7) % {g_count}) + 1 END, "
            "'Post number ' || g || ' about the shelves and the stores', "
            "'<p>Post number ' || g || ' about the shelves and the stores</p>', "
            "NOT (g % 10 < 2 AND g % 100 = 0), FALSE, FALSE, FALSE, g % 7, g % 11, g % 50, "
            + s.ago(f"{p_count} - g"),
            p_count,
        ),
        "INSERT INTO post_audience (post_id, token) SELECT id, 'region:' || ((id % 10) + 1) "
        "FROM post WHERE NOT audience_all",
        "UPDATE community_group SET member_count = (SELECT count(*) FROM group_member m "
        "WHERE m.group_id = community_group.id)",
    ]
    for statement in statements:
        await conn.execute_script(statement)
    tokens = [
        (hashlib.sha256(f"bench-{i}".encode()).hexdigest(), f"bench-{i}"[:16], i)
        for i in range(1, TOKEN_USERS + 1)
    ]
    for digest, prefix, employee in tokens:
        await conn.execute_query(
            "INSERT INTO api_token (token_hash, prefix, name, employee_id, created_at) "
            + ("VALUES ($1, $2, 'bench', $3, now())" if postgres else
               "VALUES (?, ?, 'bench', ?, strftime('%Y-%m-%d %H:%M:%S', 'now') || '+00:00')"),
            [digest, prefix, employee],
        )  # fmt: skip
    await conn.execute_script("ANALYZE")


# -- the server under test ---------------------------------------------------------------


def server_app() -> Any:
    """uvicorn factory: Plaza plus the ceiling, a plain Starlette JSON endpoint."""
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from server.app import create_app

    app = create_app()
    page = json.loads(Path(os.environ["PLAZA_BENCH_CEILING"]).read_text())

    async def ceiling(request: Request) -> JSONResponse:
        return JSONResponse(page)

    app.router.routes.insert(0, Route("/ceiling", ceiling))
    return app


def resident_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn --workers), in MB."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    for one in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


@contextlib.contextmanager
def serve(env: dict[str, str], workers: int = 1) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.feed:server_app", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
         "--workers", str(workers)],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: httpx.get(f"{url}/healthz").raise_for_status(), "plaza")
        SERVER_PIDS.append(process.pid)
        yield url
    finally:
        process.terminate()
        process.wait(20)


@dataclass
class Figures:
    p50: float
    p99: float
    rps: float
    errors: int


class Connection:
    """A minimal HTTP/1.1 keep-alive client: httpx spends more CPU per request than the
    endpoints under test, which on a small machine would measure the client, not the server."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        return cls(*await asyncio.open_connection(host, port))

    async def request(self, method: str, path: str, token: str, body: bytes = b"") -> int:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        self.writer.close()


Request = Callable[[Connection, int], Awaitable[int]]


async def load(url: str, total: int, request: Request) -> Figures:
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))
    connections_ = [await Connection.open(host, int(port)) for _ in range(CONCURRENCY)]

    async def worker(connection: Connection) -> None:
        nonlocal errors
        for index in counter:
            started = time.perf_counter()
            status = await request(connection, index)
            latencies.append(time.perf_counter() - started)
            if status >= 300:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in connections_))
    elapsed = time.perf_counter() - started
    for connection in connections_:
        connection.close()
    latencies.sort()
    return Figures(
        p50=statistics.median(latencies) * 1000,
        p99=latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000,
        rps=len(latencies) / elapsed,
        errors=errors,
    )


def token(index: int) -> str:
    return f"bench-{(index % TOKEN_USERS) + 1}"


async def measure(url: str, size: Size) -> dict[str, Figures]:
    async def feed(connection: Connection, index: int) -> int:
        return await connection.request("GET", f"/api/feed?limit={PAGE}", token(index))

    async def ceiling(connection: Connection, index: int) -> int:
        return await connection.request("GET", "/ceiling", token(index))

    async def write(connection: Connection, index: int) -> int:
        body = json.dumps({"body": f"Benchmark post {index} about **shelves**"}).encode()
        return await connection.request("POST", "/api/posts", token(index), body)

    # Every signed-in user's first visit after the start: the caches fill (the reader, the
    # heads of the streams, the cards). Reported on its own line; what follows is the steady
    # state of people re-opening their feed.
    first = await load(url, TOKEN_USERS, feed)
    await load(url, CONCURRENCY * 2, ceiling)  # warm-up: connections
    return {
        "first visits": first,
        "feed": await load(url, size.requests, feed),
        "ceiling": await load(url, size.requests, ceiling),
        "post": await load(url, max(size.requests // 3, CONCURRENCY), write),
    }


def run_one(
    kind: str, database_url: str, redis_url: str, folder: Path, size: Size, workers: int = 1
) -> None:
    settings = Settings(
        var_dir=folder, database_url=database_url, redis_url=redis_url,
        redis_prefix=f"bench-{kind}", secret_key="bench-" + "x" * 40,
    )  # fmt: skip
    started = time.perf_counter()
    asyncio.run(apply_migrations(settings))

    async def seeding() -> None:
        await open_database(settings)
        try:
            await seed(size, kind == "postgres")
        finally:
            await close_database()

    asyncio.run(seeding())
    seeded = time.perf_counter() - started
    env = {
        "PLAZA_VAR_DIR": str(folder),
        "PLAZA_DATABASE_URL": database_url,
        "PLAZA_REDIS_URL": redis_url,
        "PLAZA_REDIS_PREFIX": f"bench-{kind}",
        "PLAZA_SECRET_KEY": "bench-" + "x" * 40,
        "PLAZA_WRITES_PER_MINUTE": "1000000",
        "PLAZA_LOG_FORMAT": "text",
        "PLAZA_ACCESS_LOG": "false",  # as uvicorn's (--no-access-log), for both endpoints
        "PLAZA_BENCH_CEILING": str(folder / "ceiling.json"),
    }
    (folder / "ceiling.json").write_text("{}")
    with serve(env) as url:
        sample = httpx.get(
            f"{url}/api/feed",
            params={"limit": PAGE},
            headers={"Authorization": f"Bearer {token(0)}"},
            timeout=60,
        )
        sample.raise_for_status()
        (folder / "ceiling.json").write_text(sample.text)
    with serve(env, workers) as url:  # restarted so the ceiling serves the real page
        started_mb = resident_mb(SERVER_PIDS[-1])
        figures = asyncio.run(measure(url, size))
        memory = (started_mb, resident_mb(SERVER_PIDS[-1]))
    feed, ceiling, post = figures["feed"], figures["ceiling"], figures["post"]
    first = figures["first visits"]
    print(
        f"\n{kind}: {size.employees:,} employees, {size.groups} groups, {size.posts:,} posts "
        f"(seeded in {seeded:.1f} s), {CONCURRENCY} concurrent clients, page of {PAGE} "
        f"({len(sample.content):,} bytes), {workers} uvicorn process(es) serving both"
    )
    rows = (
        ("first visits", first),
        ("home feed", feed),
        ("ceiling", ceiling),
        ("create post", post),
    )
    for name, f in rows:
        print(
            f"  {name:12} p50 {f.p50:7.1f} ms   p99 {f.p99:7.1f} ms   {f.rps:8.0f} req/s"
            f"   errors {f.errors}"
        )
    print(f"  (first visits: each of the {TOKEN_USERS} users once, right after the start)")
    print(f"  server memory: {memory[0]:.0f} MB at start, {memory[1]:.0f} MB after the run")
    ratio = feed.rps / ceiling.rps
    print(f"  feed / ceiling: {ratio:.2f}x requests/s")
    if kind == "postgres" and size == QUICK:
        print("  target: judged by the full run (--quick is a smoke run of 300 requests)")
    elif kind == "postgres":
        met = ratio >= 0.5 and feed.p99 < 50 and feed.errors == 0
        print(
            f"  target (>= 0.5x the ceiling, p99 < 50 ms, no errors): {'met' if met else 'NOT met'}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small data: a smoke run")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--posts", type=int, help="override the number of posts")
    parser.add_argument("--requests", type=int, help="override the number of feed requests")
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn processes (Plaza and the ceiling alike)"
    )
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    if args.posts:
        size = Size(size.employees, size.groups, args.posts, size.requests)
    if args.requests:
        size = Size(size.employees, size.groups, size.posts, args.requests)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    with tempfile.TemporaryDirectory(prefix="plaza-bench-") as tmp:
        root = Path(tmp)
        with redis_server(root) as redis_url:
            for kind in kinds:
                folder = root / kind
                folder.mkdir()
                if kind == "sqlite":
                    run_one(
                        kind,
                        f"sqlite://{folder / 'bench.sqlite3'}",
                        redis_url,
                        folder,
                        size,
                        args.workers,
                    )
                else:
                    with postgres_server() as url:
                        run_one(kind, url, redis_url, folder, size, args.workers)


if __name__ == "__main__":
    main()
