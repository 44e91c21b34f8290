"""Benchmark of contests among 50,000 people: prints figures and their ratio to the budget.

    python -m bench.contests            # 50,000 people, 200,000 events
    python -m bench.contests --quick    # 5,000 people, 20,000 events: a smoke run

Its own Redis and SQLite database. Two contests over the same stored, settled events: one
running (the live path), one just past its final_at (the close).
- update: the worker's after-commit step for a settled batch of one event (the event is
  counted in Redis, exactly once, and `contest.standings` pushed when a second has passed
  since the last push): p50/p95 against the budget p95 < 50 ms;
- close: the whole close (the result recomputed from the database, the live standings
  replaced, prizes to the top 3 and to everyone over a bar through the ledger, once each):
  against the budget < 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

if __package__ in (None, ""):  # run as `python bench/contests.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson

from bench.settle import people, start_redis
from gamification import sql
from gamification.contests.live import LiveStandings
from gamification.settlement import Outcome, PeopleCache
from gamification.store import EventRow
from server.activity import new_event_id
from server.contests import service
from server.contests.close import close_contest
from server.contests.live import LiveContests
from server.db import apply_migrations, close_database, open_database
from server.models import ContestPrize
from server.rulesets.registry import RulesetRegistry
from server.rulesets.service import publish, save_draft
from server.services import Services
from server.settings import Settings

UPDATE_BUDGET_MS = 50.0
CLOSE_BUDGET_S = 10.0


def rules(now: datetime) -> str:
    fmt = "%Y-%m-%dT%H:%M:%S+00:00"
    early = (now - timedelta(days=10)).strftime(fmt)
    return f"""\
version: 1
rules:
  - id: post
    event: post.created
    award: {{points: 1}}
contests:
  - id: running
    title: {{en: Running}}
    starts: "{early}"
    ends: "{(now + timedelta(days=10)).strftime(fmt)}"
    score: {{count: post.created, when: 'event.kind == "post"'}}
    winners: {{top: 3}}
  - id: closing
    title: {{en: Closing}}
    starts: "{early}"
    ends: "{(now - timedelta(minutes=1)).strftime(fmt)}"
    score: {{count: post.created, when: 'event.kind == "post"'}}
    winners: {{top: 3}}
    prizes:
      - {{place: 1, award: {{points: 500}}}}
      - {{place: 2, award: {{points: 300}}}}
      - {{place: 3, award: {{points: 100}}}}
      - {{over: 8, award: {{spins: 1}}}}
    announce: false
"""


def data(n: int) -> str:
    return orjson.dumps(
        {"post_id": f"p{n}", "body_length": 9, "has_image": False, "kind": "post"}
    ).decode()


async def main(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="plaza-bench-"))
    redis_process, sock = start_redis(folder)
    settings = Settings(
        var_dir=str(folder),
        database_url=f"sqlite://{folder / 'bench.sqlite3'}",
        redis_url=f"unix://{sock}",
        redis_prefix="bench",
        secret_key="bench-" + "x" * 40,
        log_format="text",
    )
    opened = False
    try:
        await apply_migrations(settings)
        await open_database(settings)
        opened = True
        services = await Services.start(settings)
        now = datetime.now(UTC)
        users = await people(args.people)
        row, _ = await save_draft(rules(now), None, "bench", settings.timezone)
        await publish(row, by=None, message="bench", redis=services.redis, keys=services.keys)
        rnd = random.Random(7)
        past = now - timedelta(days=5)
        rows = []
        for n in range(args.events):
            at = past + timedelta(seconds=n)
            rows.append(
                (new_event_id(at), "post.created", rnd.choice(users), None, at, data(n), at)
            )
        for start in range(0, len(rows), 20_000):
            await sql.execute_many(
                sql.default(),
                "INSERT INTO activity_event (id, type, actor_id, subject_id, at, data, "
                "settled_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows[start : start + 20_000],
            )
        registry = RulesetRegistry(settings.timezone)
        await registry.refresh()
        ruleset = registry.live
        assert ruleset is not None
        running = ruleset.contest("running")
        closing = ruleset.contest("closing")
        assert running is not None and closing is not None

        started = time.perf_counter()
        if args.profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            await service.compute(running, ruleset)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        await service.ensure_built(services, running, ruleset)
        built = time.perf_counter() - started

        hook = LiveContests(services)
        rt = SimpleNamespace(rulesets=registry, people=PeopleCache())
        timings = []
        for n in range(args.updates):
            at = datetime.now(UTC)
            event = EventRow(
                new_event_id(at), "post.created", rnd.choice(users), None, at,
                orjson.loads(data(10_000_000 + n)),
            )  # fmt: skip
            outcome = Outcome(events=1, settled=[event])
            begun = time.perf_counter()
            await hook(rt, outcome)  # type: ignore[arg-type]
            timings.append((time.perf_counter() - begun) * 1000)
        await hook.drain()
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        total = await LiveStandings(services.redis).total(service.live_keys(services, running))

        started = time.perf_counter()
        close = await close_contest(services, closing, ruleset)
        closed = time.perf_counter() - started
        prizes = await ContestPrize.filter(contest_id="closing").count()

        print(f"contests among {args.people:,} people, {args.events:,} stored events")
        print(f"  live standings built from the database: {built:.2f} s ({total:,} participants)")
        print(
            f"  update after an event ({args.updates} events): p50 {p50:.2f} ms, "
            f"p95 {p95:.2f} ms, max {timings[-1]:.2f} ms; budget p95 < {UPDATE_BUDGET_MS:.0f} ms: "
            f"ratio {p95 / UPDATE_BUDGET_MS:.2f}"
        )
        print(
            f"  close: {closed:.2f} s for {close.participant_count:,} participants and "
            f"{prizes:,} prizes; budget < {CLOSE_BUDGET_S:.0f} s: "
            f"ratio {closed / CLOSE_BUDGET_S:.2f}"
        )
        await services.close()
    finally:
        if opened:
            await close_database()
        redis_process.terminate()
        redis_process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.people, args.events, args.updates = 5000, 20_000, 200
    asyncio.run(main(args))


if __name__ == "__main__":
    cli()
