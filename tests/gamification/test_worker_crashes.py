"""`kill -9` of a real worker process (`python -m server.cli worker`) again and again while
10,000 awards are settled, and a Redis restart (without persistence: the queue and the
boards are gone) in the middle: the ledger ends exactly right, without one duplicate, and
the leaderboards equal it."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
import redis as sync_redis

from gamification import sql, store
from gamification.boards import Boards
from server.activity import hand_off, new_event_id
from server.db import close_database, open_database
from server.services import Services
from server.settings import Settings
from tests.conftest import base_settings
from tests.gamification.support import people, publish_rules

RULES = """\
version: 1
rules:
  - id: post
    event: post.created
    award: {points: 1}
"""
AWARDS = 10_000
ROOT = Path(__file__).resolve().parents[2]


class PrivateRedis:
    """A redis-server of this test's own, to restart at will (nothing persisted)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sock = folder / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", str(self.sock), "--dir",
             str(self.folder), "--save", "", "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = sync_redis.Redis(unix_socket_path=str(self.sock))
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except sync_redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@pytest.fixture
async def crash_settings(
    tmp_path: Path, database_url: str
) -> AsyncIterator[tuple[Settings, PrivateRedis]]:
    private = PrivateRedis(tmp_path)
    private.start()
    settings = base_settings(
        tmp_path,
        private.sock,
        database_url,
        settle_sweep_seconds=1.0,
        sweep_every_seconds=1,
    )
    await open_database(settings)
    try:
        yield settings, private
    finally:
        await close_database()
        private.stop()


def start_worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PLAZA_VAR_DIR": str(settings.var_dir),
        "PLAZA_DATABASE_URL": settings.database_url,
        "PLAZA_REDIS_URL": settings.redis_url,
        "PLAZA_REDIS_PREFIX": settings.redis_prefix,
        "PLAZA_SECRET_KEY": settings.secret_key,
        "PLAZA_LOG_FORMAT": "text",
        "PLAZA_SETTLE_SWEEP_SECONDS": "1",
        "PLAZA_SWEEP_EVERY_SECONDS": "1",
    }
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "server.cli", "worker"], env=env, cwd=ROOT, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip


KILLS = 6
# How long the last worker may take to settle the backlog: it stops waiting once done, so
# the ceiling only matters on a machine busy with other work (55 s was too short there).
DRAIN_SECONDS = 150


async def produce(settings: Settings, users: list[int], kills: list[int]) -> None:
    """Events in transactions of 250, each handed off after commit, as web requests do;
    a hand-off lost while Redis is down is left to the sweeper."""
    conn = sql.default()
    services = await Services.start(settings)
    try:
        for start in range(0, AWARDS, 250):
            # Spread the events over the kills: the last ones come after the sixth.
            while kills[0] < start * (KILLS + 1) // AWARDS:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            now = datetime.now(UTC)
            rows = [
                (
                    new_event_id(now),
                    "post.created",
                    users[n % len(users)],
                    None,
                    now,
                    orjson.dumps(
                        {"post_id": f"p{n}", "body_length": 9, "has_image": False, "kind": "post"}
                    ).decode(),
                )
                for n in range(start, start + 250)
            ]
            await sql.execute_many(
                conn,
                "INSERT INTO activity_event (id, type, actor_id, subject_id, at, data) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            try:
                await hand_off(services, [r[0] for r in rows])
            except Exception:  # Redis is restarting: the sweeper settles these
                services.jobs.connection_pool.reset()
            await asyncio.sleep(0.05)
    finally:
        await services.close()


async def settled_count() -> int:
    rows = await sql.fetch(
        sql.default(), "SELECT COUNT(*) AS n FROM activity_event WHERE settled_at IS NOT NULL"
    )
    return int(rows[0]["n"])


async def settled_and_ranked() -> tuple[int, int]:
    rows = await sql.fetch(
        sql.default(),
        "SELECT (SELECT COUNT(*) FROM activity_event WHERE settled_at IS NULL) AS pending, "
        "(SELECT COUNT(*) FROM ledger_batch b WHERE b.ranked_at IS NULL AND EXISTS "
        "(SELECT 1 FROM ledger_transfer t WHERE t.batch_id = b.id AND t.ranked)) AS unranked",
    )
    return int(rows[0]["pending"]), int(rows[0]["unranked"])


async def test_kill_9_and_a_redis_restart_lose_and_double_nothing(
    crash_settings: tuple[Settings, PrivateRedis], tmp_path: Path
) -> None:
    settings, private = crash_settings
    await publish_rules(settings, RULES)
    users = [p.id for p in await people(40, prefix="w")]
    log = tmp_path / "worker.log"
    rng = random.Random(6)
    worker = start_worker(settings, log)
    killed = [0]
    producer = asyncio.create_task(produce(settings, users, killed))
    kills = 0
    started = time.monotonic()
    try:
        while not producer.done():
            # Kill it in the middle of its work: once it has settled something, within
            # a fraction of a second (a batch takes ~0.1-0.5 s here).
            before = await settled_count()
            while await settled_count() == before and not producer.done():
                if worker.poll() is not None:
                    worker = start_worker(settings, log)
                await asyncio.sleep(0.02)
            await asyncio.sleep(rng.uniform(0.0, 0.3))
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
            kills = killed[0] = kills + 1
            if kills == 3:
                private.stop()  # the queue, the boards and the applied ids are gone
                private.start()
            worker = start_worker(settings, log)
        await producer
        while time.monotonic() - started < DRAIN_SECONDS:
            if worker.poll() is not None:  # it may exit on a Redis error: start another
                worker = start_worker(settings, log)
            if await settled_and_ranked() == (0, 0):
                break
            await asyncio.sleep(0.2)
    finally:
        worker.kill()
        worker.wait(10)
        if not producer.done():
            producer.cancel()
    assert await settled_and_ranked() == (0, 0), log.read_text()[-3000:]
    conn = sql.default()
    rows = await sql.fetch(
        conn,
        # Awards only: a worker's start also publishes the default wheel, whose initial
        # prize stock is two restock transfers of its own.
        "SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS events, SUM(amount) AS total "
        "FROM ledger_transfer WHERE kind = 'award'",
    )
    assert (rows[0]["n"], rows[0]["events"], rows[0]["total"]) == (AWARDS, AWARDS, AWARDS)
    assert await store.verify(conn) == []
    services = await Services.start(settings)
    try:
        assert await Boards(services.redis, services.keys, settings.zone).check() == []
    finally:
        await services.close()
    assert kills >= KILLS
    # Workers were killed after they had started working, not only while importing.
    assert log.read_text().count("Starting worker") >= KILLS


async def test_sigterm_mid_batch_exits_promptly_and_loses_nothing(
    crash_settings: tuple[Settings, PrivateRedis], tmp_path: Path
) -> None:
    """arq cancels the running jobs on SIGTERM: the batch in flight rolls back and the next
    worker settles it. Workers used to hang on SIGTERM now and then: a transaction cancelled
    while it began kept its connection (server/dbclient/), and a job task cancelled before
    it began made arq skip on_shutdown (server/worker.py: PlazaWorker)."""
    settings, _ = crash_settings
    await publish_rules(settings, RULES)
    users = [p.id for p in await people(40, prefix="t")]
    log = tmp_path / "worker.log"
    rng = random.Random(7)
    worker = start_worker(settings, log)
    stopped = [0]
    producer = asyncio.create_task(produce(settings, users, stopped))
    exits: list[float] = []
    started = time.monotonic()
    try:
        while not producer.done():
            before = await settled_count()
            while await settled_count() == before and not producer.done():  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            await asyncio.sleep(rng.uniform(0.0, 0.3))  # in the middle of a batch
            asked = time.monotonic()
            worker.send_signal(signal.SIGTERM)
            while worker.poll() is None and time.monotonic() - asked < 30:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            exits.append(time.monotonic() - asked)
            if worker.poll() is None:
                worker.kill()
            worker.wait(10)
            stopped[0] += 1
            worker = start_worker(settings, log)
        await producer
        while time.monotonic() - started < DRAIN_SECONDS and await settled_and_ranked() != (0, 0):  # noqa: ASYNC110
            await asyncio.sleep(0.2)
    finally:
        worker.kill()
        worker.wait(10)
        if not producer.done():
            producer.cancel()
    assert len(exits) >= KILLS
    assert max(exits) < 5, (exits, log.read_text()[-3000:])
    assert await settled_and_ranked() == (0, 0), log.read_text()[-3000:]
    conn = sql.default()
    rows = await sql.fetch(
        conn,
        "SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS events, SUM(amount) AS total "
        "FROM ledger_transfer WHERE kind = 'award'",
    )
    assert (rows[0]["n"], rows[0]["events"], rows[0]["total"]) == (AWARDS, AWARDS, AWARDS)
    assert await store.verify(conn) == []
