"""The dry run over a week of a large company's stored events: budget 60 s.

    python -m bench.dry_run            # 50,000 employees, 7 days, ~1.5 M events, SQLite
    python -m bench.dry_run --quick    # 1,000 employees, ~10,000 events, a few seconds
    python -m bench.dry_run --postgres postgres://postgres@127.0.0.1:5432/postgres

The events are synthetic (logins, posts, comments, reactions, views, kudos in the mix a
store chain makes) and written to the database first; the clock then measures what the
comms user waits for: `service.dry_run` reading the period's events and the profiles, and
replaying them through the live rules and a draft (the shipped default with one change).
Prints the time of each part and the ratio to the budget.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/dry_run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson

from bench.settle import people
from gamification import sql
from rules.ruleset import default_text, load_ruleset
from server.db import apply_migrations, close_database, open_database
from server.rulesets import service
from server.settings import Settings

BUDGET_SECONDS = 60.0
SEED = 20261206
# (type, share of events, fields maker); ~4.3 events an employee a day in all.
MIX = (
    ("user.daily_login", 0.17),
    ("post.viewed", 0.30),
    ("reaction.added", 0.22),
    ("comment.created", 0.14),
    ("post.created", 0.07),
    ("kudos.given", 0.04),
    ("post.read_confirmed", 0.04),
    ("event.rsvp", 0.02),
)


def _fields(
    rng: random.Random, kind: str, n: int, other: int
) -> tuple[dict[str, object], int | None]:
    post = f"p{rng.randrange(n // 5 + 1)}"
    if kind == "post.created":
        return {
            "post_id": f"n{n}",
            "body_length": rng.randrange(10, 900),
            "has_image": rng.random() < 0.3,
            "kind": "post",
        }, None
    if kind == "comment.created":
        return {
            "comment_id": f"c{n}",
            "post_id": post,
            "post_author_id": str(other),
            "body_length": rng.randrange(5, 400),
            "is_reply": rng.random() < 0.2,
        }, other
    if kind in ("reaction.added", "post.viewed"):
        extra = {"emoji": "👍"} if kind == "reaction.added" else {}
        return {"post_id": post, "post_author_id": str(other), **extra}, other
    if kind == "kudos.given":
        return {
            "post_id": f"k{n}",
            "recipient_id": str(other),
            "message_length": rng.randrange(5, 200),
        }, other
    if kind == "post.read_confirmed":
        return {"post_id": post}, None
    if kind == "event.rsvp":
        return {"event_id": f"e{rng.randrange(50)}", "answer": "going"}, None
    return {}, None


async def write_events(users: list[int], count: int, days: int) -> None:
    rng = random.Random(SEED)
    conn = sql.default()
    now = datetime.now(UTC)
    start = now - timedelta(days=days) + timedelta(minutes=5)
    span = (now - start).total_seconds() - 60
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    insert = (
        "INSERT INTO activity_event (id, type, actor_id, subject_id, at, data, settled_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    batch: list[tuple[object, ...]] = []
    for n, kind in enumerate(rng.choices(kinds, weights, k=count)):
        actor = users[rng.randrange(len(users))]
        other = users[rng.randrange(len(users))]
        at = start + timedelta(seconds=rng.random() * span)
        data, subject = _fields(rng, kind, n, other)
        event_id = f"b{n:09d}"
        batch.append((event_id, kind, actor, subject, at, orjson.dumps(data).decode(), at))
        if len(batch) == 10_000:
            await sql.execute_many(conn, insert, batch)
            batch = []
    await sql.execute_many(conn, insert, batch)


async def main(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="plaza-bench-dry-"))
    database = f"sqlite://{folder / 'bench.sqlite3'}"
    if args.postgres:
        import asyncpg

        name = f"bench_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(args.postgres)
        await conn.execute(f"CREATE DATABASE {name}")
        await conn.close()
        database = f"{args.postgres.rsplit('/', 1)[0]}/{name}"
    settings = Settings(
        var_dir=str(folder),
        database_url=database,
        redis_url="redis://127.0.0.1:1/0",
        secret_key="bench-" + "x" * 40,
    )
    try:
        await apply_migrations(settings)
        await open_database(settings)
        users = await people(args.users)
        started = time.perf_counter()
        await write_events(users, args.events, args.days)
        written = time.perf_counter() - started

        published = load_ruleset(default_text(), "default", "UTC")
        draft = load_ruleset(
            default_text().replace("award: {points: 2}", "award: {points: 3}"), "draft", "UTC"
        )
        ticks: list[float] = []
        clock = time.perf_counter()
        cpu = time.process_time()
        report = await service.dry_run(  # the replay's ticks (while reading, the total is 0)
            draft,
            published,
            args.days,
            lambda done, total: ticks.append(time.perf_counter()) if total else None,
        )
        elapsed = time.perf_counter() - clock
        cpu = time.process_time() - cpu
        replay = ticks[-1] - ticks[0] if ticks else 0.0
        print(f"database: {'postgresql' if args.postgres else 'sqlite'}; {args.users} employees")
        print(f"events: {report['events']:,} over {args.days} days (written in {written:.1f} s)")
        print(f"read events and profiles: {elapsed - replay:.2f} s")
        rate = 2 * report["events"] / max(replay, 1e-9)
        print(f"replay, both rulesets: {replay:.2f} s ({rate:,.0f} judgements/s)")
        print(f"dry run in all: {elapsed:.2f} s wall, {cpu:.2f} s CPU")
        print(
            f"points: {report['points']}, spins: {report['spins']}, stores: {len(report['stores'])}"
        )
        print(
            f"budget: {BUDGET_SECONDS:.0f} s; ratio: {elapsed / BUDGET_SECONDS:.2f} of the budget"
        )
        if args.quick:
            print("(a quick run: the budget is judged by the full run)")
    finally:
        await close_database()
        shutil.rmtree(folder, ignore_errors=True)


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", default="", help="a server URL; a database is created")
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=1_500_000)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    if args.quick:
        args.users, args.events = 1000, 10_000
    asyncio.run(main(args))


if __name__ == "__main__":
    cli()
