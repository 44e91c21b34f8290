"""Analytics at the size of a 50,000-employee company with 35,000 people active a day:
rolling one day up from its raw rows, the dashboard API over a year of aggregates, and the
first byte of the year's per-store CSV.

    python -m bench.analytics            # 50,000 people, 2,000 stores, a year of cells
    python -m bench.analytics --quick    # 1,000 people, 40 stores, 30 days (make test)

Budgets (issue 13): roll-up of one day < 30 s; dashboard API p95 < 100 ms; CSV first byte
< 1 s. The raw day (visits and ~7 actions per active person) and the year of daily cells
are synthetic, inserted with executemany; the roll-up, the API and the CSV are Plaza's own,
over real HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from bench.settle import start_redis
from server.activity import new_event_id
from server.analytics import spans, store
from server.auth.passwords import hash_password
from server.db import apply_migrations, close_database, open_database
from server.models import Employee, Role
from server.settings import Settings
from tests.conftest import LiveServer

ZONE = ZoneInfo("Europe/Moscow")
TYPES = ["post.viewed"] * 5 + ["reaction.added", "comment.created", "post.created"]
PASSWORD = "Bench-analytics-2026"


def settings_for(var: Path, sock: Path) -> Settings:
    return Settings(
        var_dir=var,
        database_url=f"sqlite://{var / 'plaza.sqlite3'}",
        redis_url=f"unix://{sock}",
        redis_prefix="bench",
        secret_key="bench-secret-" + "x" * 40,
        log_format="text",
        # As in production (the default): the server freezes what it built at start-up,
        # so a full collection does not walk it again in the middle of a request.
        gc_freeze=True,
        timezone="Europe/Moscow",
    )


def fill(path: Path, people: int, stores: int, days: int, today: date) -> int:
    """The organisation, one day of raw rows (yesterday), and `days` of daily cells."""
    rng = random.Random(7)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    stamp = datetime.now(UTC).isoformat(sep=" ")  # as Tortoise stores times in SQLite
    regions, cities, departments = 10, max(1, stores // 10), 20
    with conn:
        conn.executemany(
            "INSERT INTO region (id, code, name) VALUES (?, ?, ?)",
            [(i, f"r{i}", f"Region {i}") for i in range(1, regions + 1)],
        )
        conn.executemany(
            "INSERT INTO city (id, code, name, region_id) VALUES (?, ?, ?, ?)",
            [(i, f"c{i}", f"City {i}", i % regions + 1) for i in range(1, cities + 1)],
        )
        conn.executemany(
            "INSERT INTO store (id, code, name, city_id) VALUES (?, ?, ?, ?)",
            [(i, f"s{i}", f"Store {i}", i % cities + 1) for i in range(1, stores + 1)],
        )
        conn.executemany(
            "INSERT INTO department (id, code, name) VALUES (?, ?, ?)",
            [(i, f"d{i}", f"Department {i}") for i in range(1, departments + 1)],
        )
        conn.executemany(
            "INSERT INTO employee (id, email, name, position, skills, interests, locale, timezone,"
            " role, status, hr_listed, created_at, updated_at, store_id, department_id)"
            " VALUES (?, ?, ?, '', '[]', '[]', 'en', '', 'employee', 'active', 0, ?, ?, ?, ?)",
            [
                (
                    i,
                    f"p{i}@example.com",
                    f"Person {i}",
                    stamp,
                    stamp,
                    i % stores + 1,
                    i % departments + 1,
                )
                for i in range(1, people + 1)
            ],
        )
    # One raw day: 70 % of the people active, one or two visits, about seven actions each.
    day = today - timedelta(days=1)
    start = datetime.combine(day, clock(7), ZONE)
    visits, events = [], []
    for who in range(1, people + 1):
        if rng.random() > 0.7:
            continue
        for n in range(rng.choice([1, 1, 2])):
            at = start + timedelta(minutes=rng.randrange(14 * 60))
            end = at + timedelta(minutes=rng.randint(2, 30))
            visits.append((f"b-{who}-{n}", who, at.astimezone(UTC).isoformat(sep=" "),
                           end.astimezone(UTC).isoformat(sep=" "), rng.random() < 0.5))  # fmt: skip
        for _ in range(rng.randint(3, 11)):
            at = (start + timedelta(minutes=rng.randrange(14 * 60))).astimezone(UTC)
            events.append((new_event_id(at), rng.choice(TYPES), who, at.isoformat(sep=" "), "{}"))
    with conn:
        conn.executemany(
            "INSERT INTO analytics_visit (id, employee_id, started_at, last_seen_at, phone)"
            " VALUES (?, ?, ?, ?, ?)",
            visits,
        )
        conn.executemany(
            "INSERT INTO activity_event (id, type, actor_id, at, data, settled_at)"
            f" VALUES (?, ?, ?, ?, ?, '{stamp}')",
            events,
        )
    # A year (or `days`) of cells, as the roll-up would have written them.
    keys = [("company", "all")]
    keys += [("store", str(i)) for i in range(1, stores + 1)]
    keys += [("city", str(i)) for i in range(1, cities + 1)]
    keys += [("region", str(i)) for i in range(1, regions + 1)]
    keys += [("department", str(i)) for i in range(1, departments + 1)]
    keys += [("role", "employee")]
    share = {"company": 1.0, "store": 1 / stores, "city": 1 / cities, "region": 1 / regions,
             "department": 1 / departments, "role": 1.0}  # fmt: skip
    for back in range(days, 1, -1):
        d = (today - timedelta(days=back)).isoformat()
        rows = []
        for dimension, key in keys:
            active = max(1, int(people * 0.7 * share[dimension] * rng.uniform(0.8, 1.2)))
            rows.append((d, dimension, key, active, active * 2, active * 600, active * 5,
                         active // 10, active // 4, active, active // 2, active // 5,
                         active // 100, active - active // 100, active // 2, active // 2,
                         int(active * 1.2), int(active * 1.4)))  # fmt: skip
        with conn:
            conn.executemany(
                "INSERT INTO analytics_daily (day, dimension, key, active, sessions,"
                " session_seconds, views, posts, comments, reactions, confirmations, engaged,"
                ' authors, "new", "returning", phone, web, wau, mau)'
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    conn.close()
    return len(events)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


async def run(people: int, stores: int, days: int, root: Path) -> None:
    process, sock = start_redis(root)
    try:
        settings = settings_for(root / "var", sock)
        await apply_migrations(settings)
        today = datetime.now(UTC).astimezone(ZONE).date()
        started = time.perf_counter()
        events = await asyncio.to_thread(
            fill, Path(settings.database_url.removeprefix("sqlite://")), people, stores, days, today
        )
        print(f"{people:,} people, {stores:,} stores: one raw day of {events:,} actions and "
              f"{days} days of cells filled in {time.perf_counter() - started:.1f} s")  # fmt: skip
        await open_database(settings)
        try:
            # The cells were inserted as the roll-up would have written them: so are their
            # pre-summed spans (the roll-up refreshes those of each day it rolls).
            started = time.perf_counter()
            await spans.refresh(today - timedelta(days=back) for back in range(days, 1, -1))
            print(f"spans of {days} days of cells: {time.perf_counter() - started:.1f} s")
            day = today - timedelta(days=1)
            started = time.perf_counter()
            active = await store.roll_day(day, ZONE, refresh_later=False)
            rolled = time.perf_counter() - started
            print(f"roll-up of one day ({active:,} active people): {rolled:.2f} s "
                  f"= {rolled / 30:.2f} of the 30 s budget")  # fmt: skip
            assert active > 0

            await Employee.create(email="comms@example.com", name="Comms", role=Role.COMMS,
                                  password_hash=hash_password(PASSWORD))  # fmt: skip
            async with (
                LiveServer(settings) as server,
                httpx.AsyncClient(base_url=server.url, timeout=60) as http,
            ):
                login = await http.post(
                    "/api/auth/login", json={"email": "comms@example.com", "password": PASSWORD}
                )
                login.raise_for_status()
                year = {"from": str(today - timedelta(days=days)), "to": str(today)}
                month = {"from": str(today - timedelta(days=29)), "to": str(today)}
                calls = [
                    ("/api/analytics/summary", year),
                    ("/api/analytics/summary", month),
                    ("/api/analytics/series", {**year, "metric": "active"}),
                    ("/api/analytics/breakdown", {**month, "dimension": "store"}),
                    ("/api/analytics/breakdown", {**month, "dimension": "region"}),
                    ("/api/analytics/goals", {}),
                ]
                times: list[float] = []
                each: dict[str, list[float]] = {}
                for _ in range(8 if people < 10_000 else 15):
                    for path, params in calls:
                        started = time.perf_counter()
                        response = await http.get(path, params=params)
                        took = (time.perf_counter() - started) * 1000
                        times.append(took)
                        name = f"{path.rsplit('/', 1)[-1]} {params.get('dimension', '')}"
                        each.setdefault(name + (" year" if params is year else ""), []).append(took)
                        response.raise_for_status()
                for name, values in each.items():
                    print(
                        f"  {name:<24} p50 {statistics.median(values):5.0f} ms"
                        f"  p95 {p95(values):5.0f} ms"
                    )
                high = p95(times)
                print(
                    f"dashboard API, {len(times)} requests: p50 {statistics.median(times):.0f} ms,"
                    f" p95 {high:.0f} ms = {high / 100:.2f} of the 100 ms budget"
                )

                started = time.perf_counter()
                first = None
                size = 0
                async with http.stream(
                    "GET", "/api/analytics/breakdown.csv", params={**year, "dimension": "store"}
                ) as response:
                    async for chunk in response.aiter_bytes():
                        first = first or time.perf_counter() - started
                        size += len(chunk)
                total = time.perf_counter() - started
                assert first is not None
                print(
                    f"CSV of the per-store table over {days} days ({size / 1e3:,.0f} KB):"
                    f" first byte {first * 1000:.0f} ms = {first:.2f} of the 1 s budget,"
                    f" whole {total * 1000:.0f} ms"
                )
        finally:
            await close_database()
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 people, 30 days")
    args = parser.parse_args()
    people, stores, days = (1_000, 40, 30) if args.quick else (50_000, 2_000, 365)
    logging.disable(logging.INFO)  # the server's request log would drown the figures
    root = Path(tempfile.mkdtemp(prefix="plaza-bench-analytics-"))
    try:
        asyncio.run(run(people, stores, days, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
