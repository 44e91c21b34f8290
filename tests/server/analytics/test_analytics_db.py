"""The roll-up through the database (both kinds): idempotent, late data moves only its
days, the pages read what the raw rows say, CSV equals the table, employees are refused."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from server.activity import new_event_id
from server.analytics import store
from server.models import ActivityEvent, DailyCell, Employee, Visit
from tests.community import make_org, signed_in
from tests.conftest import LiveServer

ZONE = ZoneInfo("Europe/Moscow")
DAY = date(2026, 11, 2)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


async def _event(who: Employee, kind: str, at: datetime) -> None:
    await ActivityEvent.create(id=new_event_id(at), type=kind, actor_id=who.id, at=at, data={})


async def _visit(who: Employee, at: datetime, minutes: int, phone: bool = False) -> None:
    await Visit.create(
        id=f"v{who.id}-{at.timestamp():.0f}",
        employee_id=who.id,
        started_at=at,
        last_seen_at=at + timedelta(minutes=minutes),
        phone=phone,
    )


async def _company(day: date) -> dict[str, int]:
    row = await DailyCell.get(day=day, dimension="company", key="all")
    return {name: getattr(row, name) for name in ("active", "sessions", "session_seconds",
                                                  "views", "posts", "new", "wau", "mau")}  # fmt: skip


async def _snapshot() -> list[tuple[object, ...]]:
    return sorted(
        tuple(r.values())
        for r in await DailyCell.all().values(
            "day", "dimension", "key", "active", "views", "posts", "sessions", "wau", "mau"
        )
    )


async def test_roll_up_is_idempotent_and_late_events_move_only_their_days(live: LiveServer) -> None:
    org = await make_org()
    # Day 1: Alice visits twice (10 and 20 minutes), reads and posts; Bob visits at 23:50
    # local (after midnight UTC-wise still the same local day) on his phone.
    await _visit(org.alice, _at(DAY, 9), 10)
    await _visit(org.alice, _at(DAY, 15), 20)
    await _event(org.alice, "post.viewed", _at(DAY, 9, 1))
    await _event(org.alice, "post.created", _at(DAY, 9, 5))
    await _visit(org.bob, _at(DAY, 23, 50), 30, phone=True)
    # Day 2: only Bob reads.
    await _event(org.bob, "post.viewed", _at(DAY + timedelta(days=1), 0, 10))

    assert await store.rebuild(DAY, ZONE, DAY + timedelta(days=2)) == 3
    first = await _company(DAY)
    assert first == {"active": 2, "sessions": 3, "session_seconds": 3600, "views": 1,
                     "posts": 1, "new": 2, "wau": 2, "mau": 2}  # fmt: skip
    second = await _company(DAY + timedelta(days=1))
    assert (second["active"], second["new"], second["wau"]) == (1, 0, 2)

    # Rolling again changes nothing.
    before = await _snapshot()
    assert await store.roll_due(ZONE, _at(DAY + timedelta(days=2), 12)) == []
    await store.rebuild(DAY, ZONE, DAY + timedelta(days=2))
    assert await _snapshot() == before

    # A late event of day 1 arrives: only day 1's sums move (and the windows after it).
    await _event(org.carol, "comment.created", _at(DAY, 12))
    rolled = await store.roll_due(ZONE, _at(DAY + timedelta(days=2), 12))
    assert rolled == [DAY]
    after = await _company(DAY)
    assert (after["active"], after["views"], after["wau"]) == (3, 1, 3)
    day2 = await _company(DAY + timedelta(days=1))
    assert (day2["active"], day2["views"], day2["wau"]) == (1, 1, 3)

    # Breakdown cells of the day add up to the company's.
    stores = await DailyCell.filter(day=DAY, dimension="store")
    assert sum(c.active for c in stores) == after["active"]


async def test_pages_read_the_aggregates_and_csv_equals_the_table(live: LiveServer) -> None:
    org = await make_org()
    people = [org.alice, org.bob, org.carol, org.manager, org.comms, org.admin, org.moderator]
    for n, who in enumerate(people):
        await _visit(who, _at(DAY, 10 + n % 5), 5 + n)
        await _event(who, "post.viewed", _at(DAY, 10 + n % 5, 1))
    await store.rebuild(DAY, ZONE, DAY)
    period = {"from": str(DAY), "to": str(DAY)}
    async with signed_in(live.url, org.comms) as comms:
        summary = (await comms.get("/api/analytics/summary", params=period)).json()
        assert summary["current"]["values"]["active"] == 7.0
        assert summary["current"]["values"]["views"] == 7.0
        table = (
            await comms.get("/api/analytics/breakdown", params={**period, "dimension": "store"})
        ).json()
        # North store has 4 of them, South store 3: each too few, so they are shown merged.
        assert [(c["key"], c["values"]["active"]) for c in table["cells"]] == [("~others", 7.0)]
        depts = (
            await comms.get("/api/analytics/breakdown", params={**period, "dimension": "role"})
        ).json()
        assert all(c["values"]["active"] >= 5 for c in depts["cells"])
        assert [c["key"] for c in depts["cells"]] == ["~others"]  # 4 employees + 3 staff
        response = await comms.get(
            "/api/analytics/breakdown.csv", params={**period, "dimension": "role"}
        )
        assert response.status_code == 200
        assert response.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["role", "key", "active"]
        assert [(r[1], float(r[2])) for r in rows[1:]] == [
            (c["key"], c["values"]["active"]) for c in depts["cells"]
        ]
        goal = await comms.put(
            "/api/analytics/goals", json={"metric": "views", "period": "month", "target": 100}
        )
        assert goal.status_code == 200, goal.text
        bad = await comms.get(
            "/api/analytics/summary", params={"from": "2026-11-05", "to": "2026-11-01"}
        )
        assert bad.status_code == 400 and bad.json()["error"] == "bad_range"


async def test_employees_are_refused_and_everyone_sends_visits(live: LiveServer) -> None:
    org = await make_org()
    period = {"from": str(DAY), "to": str(DAY)}
    async with signed_in(live.url, org.alice) as alice:
        for method, path in (
            ("GET", "/api/analytics/summary"),
            ("GET", "/api/analytics/series"),
            ("GET", "/api/analytics/breakdown"),
            ("GET", "/api/analytics/breakdown.csv"),
            ("GET", "/api/analytics/goals"),
        ):
            response = await alice.request(method, path, params=period)
            assert response.status_code == 403, path
        denied = await alice.put(
            "/api/analytics/goals", json={"metric": "views", "period": "month", "target": 1}
        )
        assert denied.status_code == 403
        beat = await alice.post("/api/me/visits", json={"visit": "tab-12345678", "phone": True})
        assert beat.status_code == 204
        await alice.post("/api/me/visits", json={"visit": "tab-12345678", "phone": True})
    visit = await Visit.get(id="tab-12345678")
    assert visit.employee_id == org.alice.id and visit.phone
    assert visit.last_seen_at >= visit.started_at


async def test_visits_need_a_session(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/me/visits", json={"visit": "tab-12345678"})
    assert response.status_code == 401


async def test_reach_of_posts_and_the_rewards_they_earned(live: LiveServer) -> None:
    from datetime import UTC as utc

    from tests.helpers import run_jobs

    org = await make_org()
    async with signed_in(live.url, org.alice) as alice, signed_in(live.url, org.bob) as bob:
        created = await alice.post("/api/posts", json={"body": "Our new coffee machines are in"})
        assert created.status_code == 201, created.text
        post_id = created.json()["id"]
        assert (await bob.post(f"/api/posts/{post_id}/view")).status_code in (200, 204)
        assert (await bob.put(f"/api/posts/{post_id}/reactions/👍")).status_code in (200, 201, 204)
        for body in ("Thanks for the machines", "And for the beans"):
            thanks = await bob.post("/api/posts", json={"body": body, "kudos_to": org.alice.id})
            assert thanks.status_code == 201, thanks.text
    await run_jobs(live.settings)  # the rules settle the post's points
    today = datetime.now(utc).astimezone(live.settings.zone).date()
    await store.rebuild(today, live.settings.zone, today)
    period = {"from": str(today), "to": str(today)}
    async with signed_in(live.url, org.comms) as comms:
        content = (await comms.get("/api/analytics/posts", params=period)).json()
        post = next(p for p in content["posts"] if p["id"] == post_id)
        everyone = await Employee.filter(status="active").count()
        assert (post["viewers"], post["audience"], post["reactions"]) == (1, everyone, 1)
        assert post["reach"] == round(1 / everyone, 3)
        assert post["excerpt"] == "Our new coffee machines are in"
        figures = (await comms.get("/api/analytics/rewards", params=period)).json()
        # The default rules pay for a post and for a reaction received.
        assert figures["totals"]["points_issued"] > 0
        assert (
            sum(figures["by_key"]["points_issued"].values()) == figures["totals"]["points_issued"]
        )
        assert figures["totals"]["earners"] >= 1
        # Two kudos, from one person to one person.
        assert figures["totals"]["kudos"] == 2
        assert (figures["totals"]["kudos_givers"], figures["totals"]["kudos_receivers"]) == (1, 1)

        # Every table of the page downloads as CSV (UTF-8 with BOM) equal to the table.
        async def table(path: str, **params: object) -> list[list[str]]:
            response = await comms.get(path, params={**period, **params})
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/csv")
            assert response.content.startswith("\ufeff".encode())
            return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

        posts = await table("/api/analytics/posts.csv", table="posts")
        assert posts[0][:3] == ["id", "excerpt", "day"]
        assert [int(r[0]) for r in posts[1:]] == [p["id"] for p in content["posts"]]
        assert next(r for r in posts if r[0] == str(post_id))[1] == post["excerpt"]
        channels = await table("/api/analytics/posts.csv", table="channels")
        assert [r[1] for r in channels[1:]] == [c["name"] for c in content["channels"]]
        sources = await table("/api/analytics/rewards.csv", table="points_issued")
        assert {r[0]: int(r[1]) for r in sources[1:]} == figures["by_key"]["points_issued"]
        assert (
            await comms.get("/api/analytics/rewards.csv", params={**period, "table": "x"})
        ).status_code == 422
