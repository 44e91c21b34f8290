"""Points by hand (grants, gifts, the wheel) count on every board a person is on, and the
leaderboards' progress series: my points and my store's, day by day, from the ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from gamification.leaderboard import cumulative_by_day, period_start
from server.models import City, Department, Region, Role, Store
from tests.conftest import LiveServer
from tests.helpers import login, make_employee

POINTS_WHEEL = """\
version: 1
period: day
wishes: [{en: Have a lovely day}]
segments:
  - {id: five, weight: 1, points: 5}
"""


async def signed_in(live: LiveServer, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=live.url, timeout=30)
    response = await login(client, email)
    assert response.status_code == 200, response.text
    return client


async def test_grants_gifts_and_wheel_wins_count_on_store_city_region_department_boards(
    live: LiveServer,
) -> None:
    live.settings.__dict__["manager_monthly_allowance"] = 50
    region = await Region.create(code="north", name="North")
    city = await City.create(code="spb", name="SPb", region=region)
    shop = await Store.create(code="s1", name="One", city=city)
    sales = await Department.create(code="sales", name="Sales")
    await make_employee("comms@example.com", role=Role.COMMS)
    await make_employee("boss@example.com", role=Role.MANAGER, store=shop)
    ann = await make_employee("ann@example.com", store=shop, department=sales)
    comms = await signed_in(live, "comms@example.com")
    boss = await signed_in(live, "boss@example.com")
    me = await signed_in(live, "ann@example.com")
    try:
        r = await comms.put("/api/admin/wheel", json={"text": POINTS_WHEEL})
        assert r.status_code == 200, r.text
        for currency, amount, key in (("points", 100, "grant-pts1"), ("spins", 1, "grant-spn1")):
            r = await comms.post("/api/admin/grants", json={
                "user_id": ann.id, "currency": currency, "amount": amount, "reason": "contest",
                "idempotency_key": key})  # fmt: skip
            assert r.status_code == 201, r.text
        r = await boss.post("/api/gifts", json={
            "recipient_id": ann.id, "points": 20, "message": "thanks",
            "idempotency_key": "gift-00001"})  # fmt: skip
        assert r.status_code == 201, r.text
        r = await me.post("/api/wheel/spins", json={"idempotency_key": "spin-00001"})
        assert r.status_code == 200 and r.json()["outcome"] == "points", r.text
        people = (await me.get("/api/leaderboards/user/week")).json()
        assert people["me"]["points"] == 125
        for scope, member in (
            ("store", "s1"),
            ("city", "spb"),
            ("region", "north"),
            ("department", "sales"),
        ):
            body = (await me.get(f"/api/leaderboards/{scope}/month")).json()
            assert [(p["id"], p["points"]) for p in body["top"]] == [(member, 125)], scope
        assert (await me.get("/api/leaderboards/store/week")).json()["my_store"]["points"] == 125
        # A rebuild from the ledger agrees with what was applied live.
        from gamification.boards import Boards

        boards = Boards(live.services.redis, live.services.keys, live.settings.zone)
        assert await boards.check() == []
    finally:
        for client in (comms, boss, me):
            await client.aclose()


async def test_progress_is_my_and_my_stores_points_by_day(live: LiveServer) -> None:
    region = await Region.create(code="north", name="North")
    city = await City.create(code="spb", name="SPb", region=region)
    shop = await Store.create(code="s1", name="One", city=city)
    await make_employee("comms@example.com", role=Role.COMMS)
    ann = await make_employee("ann@example.com", store=shop)
    bob = await make_employee("bob@example.com", store=shop)
    await make_employee("nomad@example.com")
    comms = await signed_in(live, "comms@example.com")
    me = await signed_in(live, "ann@example.com")
    nomad = await signed_in(live, "nomad@example.com")
    try:
        for who, amount, key in ((ann, 30, "grant-ann1"), (bob, 12, "grant-bob1")):
            r = await comms.post("/api/admin/grants", json={
                "user_id": who.id, "currency": "points", "amount": amount, "reason": "x",
                "idempotency_key": key})  # fmt: skip
            assert r.status_code == 201, r.text
        r = await me.get("/api/leaderboards/user/all/progress")
        assert r.status_code == 200, r.text
        body = r.json()
        today = datetime.now(UTC).astimezone(live.settings.zone).date().isoformat()
        assert body["days"] == [today]
        assert body["me"] == [30]
        assert body["place"] == {"scope": "store", "id": "s1", "name": "One", "points": [42]}
        week = (await me.get("/api/leaderboards/store/week/progress")).json()
        assert week["days"][-1] == today and len(week["days"]) <= 7
        assert week["me"][-1] == 30 and week["place"]["points"][-1] == 42
        city_view = (await me.get("/api/leaderboards/city/month/progress")).json()
        assert city_view["place"]["id"] == "spb" and city_view["place"]["points"][-1] == 42
        alone = (await nomad.get("/api/leaderboards/user/day/progress")).json()
        assert alone["me"] == [0] and alone["place"] is None
        assert (await me.get("/api/leaderboards/galaxy/day/progress")).status_code == 404
    finally:
        for client in (comms, me, nomad):
            await client.aclose()


async def test_a_directors_store_board_ranks_the_store_and_its_people(live: LiveServer) -> None:
    region = await Region.create(code="north", name="North")
    city = await City.create(code="spb", name="SPb", region=region)
    one = await Store.create(code="s1", name="One", city=city)
    two = await Store.create(code="s2", name="Two", city=city)
    await make_employee("comms@example.com", role=Role.COMMS)
    await make_employee("boss@example.com", role=Role.MANAGER, store=one)
    ann = await make_employee("ann@example.com", name="Ann", store=one)
    bob = await make_employee("bob@example.com", name="Bob", store=one)
    cat = await make_employee("cat@example.com", name="Cat", store=two)
    await make_employee("nomad@example.com")
    comms = await signed_in(live, "comms@example.com")
    boss = await signed_in(live, "boss@example.com")
    nomad = await signed_in(live, "nomad@example.com")
    try:
        for who, amount, key in (
            (ann, 5, "g-ann-001"),
            (bob, 9, "g-bob-001"),
            (cat, 50, "g-cat-001"),
        ):
            r = await comms.post("/api/admin/grants", json={
                "user_id": who.id, "currency": "points", "amount": amount, "reason": "x",
                "idempotency_key": key})  # fmt: skip
            assert r.status_code == 201, r.text
        r = await boss.get("/api/me/store-board")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["period"] == "week"
        assert body["store"] == {"id": "s1", "name": "One", "rank": 2, "points": 14, "size": 2}
        assert [(p["name"], p["rank"], p["points"]) for p in body["people"]] == [
            ("Bob", 1, 9),
            ("Ann", 2, 5),
        ]
        top1 = (await boss.get("/api/me/store-board?period=all&limit=1")).json()
        assert [p["name"] for p in top1["people"]] == ["Bob"]
        assert (await nomad.get("/api/me/store-board")).json()["store"] is None
        assert (await boss.get("/api/me/store-board?period=year")).status_code == 422
    finally:
        for client in (comms, boss, nomad):
            await client.aclose()


def test_cumulative_by_day_counts_in_the_company_zone() -> None:
    zone = ZoneInfo("Asia/Vladivostok")  # UTC+10
    first, last = date(2026, 3, 2), date(2026, 3, 4)
    rows = [
        (datetime(2026, 3, 1, 15, tzinfo=UTC), 5),  # 2 March 01:00 local
        (datetime(2026, 3, 1, 13, tzinfo=UTC), 7),  # 1 March 23:00 local: before `first`
        (datetime(2026, 3, 3, 20, tzinfo=UTC), -2),  # 4 March 06:00 local
    ]
    assert cumulative_by_day(rows, zone, first, last) == [12, 12, 10]
    assert cumulative_by_day(rows, zone, last, first) == []
    start = period_start("week", "2026-03-02", zone)
    assert start == datetime(2026, 3, 1, 14, tzinfo=UTC)
    assert period_start("quarter", "2026-Q2", zone) == datetime(2026, 3, 31, 14, tzinfo=UTC)
    assert period_start("month", "2026-03", zone) == datetime(2026, 2, 28, 14, tzinfo=UTC)
    assert period_start("all", "all", zone) is None
    assert start + timedelta(days=7) == datetime(2026, 3, 8, 14, tzinfo=UTC)
