"""Settlement throughput end to end, against arq's own ceiling, in one run; and the
leaderboard read (top 100 + my rank + my store's rank) with 50,000 members.

    python -m bench.settle            # 20,000 awards, SQLite
    python -m bench.settle --quick    # a few seconds (make test runs this)
    python -m bench.settle --postgres postgres://postgres@127.0.0.1:5432/postgres

End to end: a producer commits events in small transactions and hands each transaction's
events off (as web requests do); one worker process (`plaza worker`) settles them; the
clock stops when the last award is in the ledger AND on the leaderboards. Every event
earns exactly one award, and the run checks the total is exact.

Before the clock starts, a warm-up of awards to other employees is settled and not
counted: it takes what a worker pays once (compiling the ruleset, loading its scripts,
preparing statements), not what it pays per award (the people it meets are new to it).
The 5,000 awards/s target is judged by the full run: a quick run is too short to.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from arq.worker import Worker
from redis.asyncio import Redis

from gamification import sql, store
from gamification.boards import Boards, board_key
from gamification.leaderboard import Board, encode
from server.activity import hand_off, new_event_id
from server.db import apply_migrations, close_database, open_database
from server.models import City, Department, Employee, Region, Store
from server.rulesets.service import publish, save_draft
from server.services import Services, arq_redis_settings, job_deserializer, job_serializer
from server.settings import Settings

# Employees who earn only the warm-up's awards.
WARM_USERS = 100
RULES = """\
version: 1
rules:
  - id: post
    event: post.created
    award: {points: 3}
"""


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], Path]:
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
    for _ in range(200):
        if sock.exists():
            break
        time.sleep(0.02)
    return process, sock


async def people(count: int) -> list[int]:
    """`count` employees in 60 stores, 17 cities, 5 regions, 8 departments; their ids."""
    regions = [await Region.create(code=f"r{i}", name=f"Region {i}") for i in range(5)]
    cities = [
        await City.create(code=f"c{i}", name=f"City {i}", region=regions[i % 5]) for i in range(17)
    ]
    stores = [
        await Store.create(code=f"s{i}", name=f"Store {i}", city=cities[i % 17]) for i in range(60)
    ]
    departments = [await Department.create(code=f"d{i}", name=f"Dep {i}") for i in range(8)]
    await Employee.bulk_create(
        [
            Employee(
                email=f"u{i}@example.com",
                name=f"User {i}",
                store=stores[i % 60],
                department=departments[i % 8],
            )
            for i in range(count)
        ]
    )
    return sorted(e.id for e in await Employee.all().only("id"))


async def produce(
    services: Services, users: list[int], events: int, chunk: int, tag: str = "p"
) -> float:
    conn = sql.default()
    started = time.perf_counter()
    insert = (
        "INSERT INTO activity_event (id, type, actor_id, subject_id, at, data) "
        "VALUES (?, ?, ?, ?, ?, ?)"
    )
    for start in range(0, events, chunk):
        rows = []
        now = datetime.now(UTC)
        for n in range(start, min(start + chunk, events)):
            data = orjson.dumps(
                {"post_id": f"{tag}{n}", "body_length": 300, "has_image": False, "kind": "post"}
            ).decode()
            rows.append((new_event_id(now), "post.created", users[n % len(users)], None, now, data))
        await sql.execute_many(conn, insert, rows)  # one transaction
        await hand_off(services, [r[0] for r in rows])
        await asyncio.sleep(0)
    return time.perf_counter() - started


async def wait_settled(seconds: float) -> None:
    """Until every event is settled and every batch is on the boards: two index lookups a
    poll, so that watching costs the worker (on the same two cores) next to nothing."""
    conn = sql.default()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = await sql.fetch(
            conn,
            "SELECT (SELECT COUNT(*) FROM activity_event WHERE settled_at IS NULL) AS events, "
            "(SELECT COUNT(*) FROM ledger_batch WHERE ranked_at IS NULL) AS batches",
        )
        if (int(rows[0]["events"]), int(rows[0]["batches"])) == (0, 0):
            return
        await asyncio.sleep(0.05)
    raise SystemExit(f"timed out: not every award settled within {seconds} s")


async def noop(ctx: dict[str, Any]) -> None:
    return None


async def arq_ceiling(settings: Settings, jobs: int) -> float:
    """No-op jobs enqueued one by one, then drained by one arq worker: jobs per second."""
    services = await Services.start(settings)
    queue = f"{settings.redis_prefix}:ceiling"
    try:
        for n in range(jobs):
            await services.jobs.enqueue_job("noop", _queue_name=queue, _job_id=f"noop:{n}")
        worker = Worker(
            functions=[noop],
            redis_settings=arq_redis_settings(settings),
            queue_name=queue,
            burst=True,
            poll_delay=0.01,
            keep_result=0,
            job_serializer=job_serializer,
            job_deserializer=job_deserializer,
            handle_signals=False,
        )
        started = time.perf_counter()
        await worker.main()
        elapsed = time.perf_counter() - started
        await worker.close()
        return jobs / elapsed
    finally:
        await services.close()


async def board_read(settings: Settings, members: int, reads: int) -> list[float]:
    redis = Redis.from_url(settings.redis_url)
    try:
        boards = Boards(
            redis, __import__("gamification.keys").keys.Keys(settings.redis_prefix), settings.zone
        )
        board = Board("user", "week", "2026-03-02")
        stores_board = Board("store", "week", "2026-03-02")
        key = board_key(boards.keys, board)
        rng = random.Random(7)
        pipe = redis.pipeline(transaction=False)
        for start in range(0, members, 5000):
            pipe.zadd(
                key,
                {
                    str(n): encode(rng.randrange(10_000), rng.randrange(1 << 20))
                    for n in range(start, min(start + 5000, members))
                },
            )
        pipe.zadd(
            board_key(boards.keys, stores_board),
            {f"s{n}": encode(rng.randrange(10**6), 5) for n in range(60)},
        )
        await pipe.execute()
        timings = []
        for _ in range(reads):
            me = str(rng.randrange(members))
            started = time.perf_counter()
            await boards.read(
                board,
                limit=100,
                me=me,
                my_store_board=stores_board,
                my_store=f"s{rng.randrange(60)}",
            )
            timings.append((time.perf_counter() - started) * 1000)
        return timings
    finally:
        await redis.aclose()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="plaza-bench-"))
    redis_process, sock = start_redis(folder)
    database = f"sqlite://{folder / 'bench.sqlite3'}" if not args.postgres else args.postgres
    if args.postgres:
        import asyncpg

        base = args.postgres.rsplit("/", 1)[0]
        name = f"bench_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(args.postgres)
        await conn.execute(f"CREATE DATABASE {name}")
        await conn.close()
        database = f"{base}/{name}"
    env = {
        "PLAZA_VAR_DIR": str(folder),
        "PLAZA_DATABASE_URL": database,
        "PLAZA_REDIS_URL": f"unix://{sock}",
        "PLAZA_REDIS_PREFIX": "bench",
        "PLAZA_SECRET_KEY": "bench-" + "x" * 40,
        "PLAZA_LOG_FORMAT": "text",
        "PLAZA_SETTLE_SWEEP_SECONDS": "30",
    }
    settings = Settings(**{k.removeprefix("PLAZA_").lower(): v for k, v in env.items()})
    worker: subprocess.Popen[bytes] | None = None
    opened = False
    try:
        await apply_migrations(settings)
        await open_database(settings)
        opened = True
        services = await Services.start(settings)
        everyone = await people(args.users + WARM_USERS)
        users, warm_users = everyone[: args.users], everyone[args.users :]
        row, _ = await save_draft(RULES, None, "bench", settings.timezone)
        await publish(row, by=None, message="bench", redis=services.redis, keys=services.keys)
        await asyncio.sleep(0.01)  # events strictly after the publication
        # Build the boards once (an empty ledger), as the sweeper does at a worker's start.
        await Boards(services.redis, services.keys, settings.zone).rebuild()

        worker = subprocess.Popen(  # noqa: ASYNC220 - started once, before the clock
            [
                sys.executable,
                *os.environ.get("BENCH_WORKER_PREFIX", "").split(),
                "-m",
                "server.cli",
                "worker",
            ],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
        )
        await asyncio.sleep(2.0 if not args.quick else 1.5)  # the worker's start-up
        await produce(services, warm_users, args.warmup, args.chunk, tag="w")
        await wait_settled(seconds=120)
        started = time.perf_counter()
        produced = await produce(services, users, args.events, args.chunk)
        await wait_settled(seconds=300)
        elapsed = time.perf_counter() - started
        asked = time.perf_counter()
        worker.terminate()
        try:
            worker.wait(30)
            exited = f"{time.perf_counter() - asked:.2f} s"
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)
            exited = "more than 30 s: killed"
        worker = None

        conn = sql.default()
        total = await sql.fetch(
            conn,
            "SELECT COUNT(*) AS n, SUM(amount) AS s FROM ledger_transfer WHERE kind = 'award'",
        )
        problems = await store.verify(conn)
        board_problems = await Boards(services.redis, services.keys, settings.zone).check()
        awards = args.events + args.warmup
        exact = (
            int(total[0]["n"]) == awards
            and int(total[0]["s"]) == 3 * awards
            and not problems
            and not board_problems
        )
        await services.close()
        await close_database()
        opened = False

        ceiling = await arq_ceiling(settings, args.ceiling_jobs)
        timings = await board_read(settings, args.members, args.reads)

        rate = args.events / elapsed
        print(f"database: {'postgresql' if args.postgres else 'sqlite'}; {args.users} employees")
        print(
            f"settled {args.events} awards end to end in {elapsed:.2f} s "
            f"(producer done after {produced:.2f} s), after {args.warmup} warm-up awards "
            f"not counted: {rate:,.0f} awards/s"
        )
        print(f"arq ceiling, one no-op job per event: {ceiling:,.0f} jobs/s")
        verdict = "met" if rate >= 5000 else "NOT met"
        if args.quick:
            verdict = (
                f"{'reached' if rate >= 5000 else 'not reached'} in this quick run, which is "
                "too short to judge it: the full run (python -m bench.settle) does"
            )
        print(
            f"ratio: {rate / ceiling:.1f}x arq's one-job-per-event ceiling; "
            f"target 5,000 awards/s: {verdict}"
        )
        print(
            f"exactly once: {'yes' if exact else 'NO'} "
            f"({int(total[0]['n'])} transfers, {int(total[0]['s'])} points; ledger problems "
            f"{len(problems)}, board differences {len(board_problems)})"
        )
        print(
            f"leaderboard read, top 100 + my rank + my store's rank, {args.members:,} members, "
            f"{args.reads} reads: p50 {statistics.median(timings):.2f} ms, "
            f"p99 {percentile(timings, 0.99):.2f} ms (target < 5 ms: "
            f"{'met' if percentile(timings, 0.99) < 5 else 'NOT met'})"
        )
        print(f"worker exited {exited} after SIGTERM")
        if not exact:
            raise SystemExit(1)
    finally:
        if opened:
            await close_database()
        if worker is not None:
            worker.kill()
        redis_process.terminate()
        redis_process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", default="", help="a server URL; a database is created")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--warmup", type=int, default=1000, help="awards settled, not counted")
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=100, help="events per producer commit")
    parser.add_argument("--ceiling-jobs", type=int, default=3000)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--reads", type=int, default=2000)
    args = parser.parse_args()
    if args.quick:
        args.events, args.users, args.ceiling_jobs, args.reads = 3000, 300, 1000, 500
        args.warmup = min(args.warmup, 500)
    asyncio.run(main(args))


if __name__ == "__main__":
    cli()
