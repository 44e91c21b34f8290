"""Reward endpoints over real HTTP: wallet and history, the shop with approval, managers'
allowances, badges and experts, leaderboards with my rank, the ring report."""

from __future__ import annotations

import httpx

from gamification import sql, store
from gamification.ledger import POINTS, user_account
from server.models import City, Region, Role, RulesetVersion, Store
from server.rewards import service
from tests.conftest import LiveServer
from tests.gamification.support import (
    SIMPLE_RULES,
    kudos,
    post_created,
    post_deleted,
    publish_rules,
)
from tests.helpers import login, make_employee, run_jobs


async def signed_in(live: LiveServer, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=live.url, timeout=30)
    response = await login(client, email)
    assert response.status_code == 200, response.text
    return client


async def test_shop_with_approval_reserves_then_completes_or_releases(
    live: LiveServer,
) -> None:
    await make_employee("comms@example.com", role=Role.COMMS)
    ann = await make_employee("ann@example.com")
    comms = await signed_in(live, "comms@example.com")
    me = await signed_in(live, "ann@example.com")
    try:
        r = await comms.post("/api/admin/grants", json={
            "user_id": ann.id, "currency": "points", "amount": 100, "reason": "welcome",
            "idempotency_key": "grant-0001"})  # fmt: skip
        assert r.status_code == 201
        r = await comms.put("/api/admin/shop/items/lunch", json={
            "title": {"en": "Lunch with the director"}, "price": 60, "needs_approval": True,
            "add_stock": 1, "idempotency_key": "stock-0001"})  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.json()["stock"] == 1
        first = await me.post("/api/shop/redemptions",
                              json={"item_id": "lunch", "idempotency_key": "redeem-001"})  # fmt: skip
        again = await me.post("/api/shop/redemptions",
                              json={"item_id": "lunch", "idempotency_key": "redeem-001"})  # fmt: skip
        assert first.status_code == 201, first.text
        assert first.json()["id"] == again.json()["id"]
        assert first.json()["status"] == "pending"
        wallet = (await me.get("/api/me/wallet")).json()
        assert (wallet["points"], wallet["held"]) == (40, 60)
        # Not enough points left for a second one, and no stock either.
        r = await me.post("/api/shop/redemptions",
                          json={"item_id": "lunch", "idempotency_key": "redeem-002"})  # fmt: skip
        assert r.status_code == 409
        pending = (await comms.get("/api/admin/redemptions")).json()["redemptions"]
        assert [p["id"] for p in pending] == [first.json()["id"]]
        r = await comms.post(f"/api/admin/redemptions/{first.json()['id']}/decision",
                             json={"approve": False, "note": "the director is away"})  # fmt: skip
        assert r.status_code == 200 and r.json()["status"] == "rejected"
        r = await comms.post(f"/api/admin/redemptions/{first.json()['id']}/decision",
                             json={"approve": True})  # fmt: skip
        assert r.status_code == 409
        wallet = (await me.get("/api/me/wallet")).json()
        assert (wallet["points"], wallet["held"]) == (100, 0)
        told = (await me.get("/api/notifications")).json()["items"]
        by_kind = {n["kind"]: n["payload"] for n in told}
        assert by_kind["reward.granted"]["amount"] == 100
        assert by_kind["redemption.decided"]["status"] == "rejected"
        assert by_kind["redemption.decided"]["note"] == "the director is away"
        assert len(told) == 2  # the refused second decision told nobody
        history = (await me.get("/api/me/transfers")).json()["transfers"]
        assert history[0]["kind"] in ("shop_release", "shop_reserve", "grant")
        assert wallet["lifetime_points"] == 100  # spending and holds do not count
        assert await store.verify(sql.default()) == []
    finally:
        await comms.aclose()
        await me.aclose()


async def test_a_managers_allowance_is_spent_once_and_expires(live: LiveServer) -> None:
    live.settings.__dict__["manager_monthly_allowance"] = 30
    await make_employee("boss@example.com", role=Role.MANAGER)
    bob = await make_employee("bob@example.com")
    boss = await signed_in(live, "boss@example.com")
    try:
        body = {"recipient_id": bob.id, "points": 20, "message": "great week",
                "idempotency_key": "gift-00001"}  # fmt: skip
        assert (await boss.post("/api/gifts", json=body)).status_code == 201
        assert (await boss.post("/api/gifts", json=body)).json()["new"] is False
        r = await boss.post("/api/gifts", json={**body, "idempotency_key": "gift-00002"})
        assert r.status_code == 409 and r.json()["error"] == "allowance_exceeded"
        assert (await boss.get("/api/me/allowance")).json()["left"] == 10
        bobs = await signed_in(live, "bob@example.com")
        told = (await bobs.get("/api/notifications")).json()["items"]
        await bobs.aclose()
        assert [(n["kind"], n["payload"]["points"]) for n in told] == [("reward.gift", 20)]
        conn = sql.default()
        assert await store.balance(conn, user_account(POINTS, bob.id)) == 20
        from datetime import UTC, datetime, timedelta

        next_month = datetime.now(UTC) + timedelta(days=32)
        assert await service.expire_allowances(live.settings.zone, next_month) == 1
        assert await service.expire_allowances(live.settings.zone, next_month) == 0
        assert await store.balance(conn, user_account(POINTS, bob.id)) == 20
        assert await store.verify(conn) == []
    finally:
        await boss.aclose()


async def test_badges_by_hand_experts_and_levels(live: LiveServer) -> None:
    await make_employee("lead@example.com", role=Role.MANAGER)
    eve = await make_employee("eve@example.com")
    lead = await signed_in(live, "lead@example.com")
    try:
        r = await lead.post(f"/api/employees/{eve.id}/badges", json={
            "kind": "expertise", "title": {"en": "Python"}, "topic": "python",
            "idempotency_key": "badge-0001"})  # fmt: skip
        assert r.status_code == 201, r.text
        r = await lead.post(f"/api/employees/{eve.id}/badges", json={
            "title": {"en": "Saved the launch"}, "tier": "gold",
            "idempotency_key": "badge-0002"})  # fmt: skip
        assert r.status_code == 201
        badges = (await lead.get(f"/api/employees/{eve.id}/badges")).json()["badges"]
        assert {b["kind"] for b in badges} == {"expertise", "merit"}
        again = await lead.post(f"/api/employees/{eve.id}/badges", json={
            "title": {"en": "Saved the launch"}, "tier": "gold",
            "idempotency_key": "badge-0002"})  # fmt: skip
        assert again.status_code == 201
        eves = await signed_in(live, "eve@example.com")
        told = (await eves.get("/api/notifications")).json()["items"]
        await eves.aclose()
        assert sorted(n["payload"]["kind"] for n in told) == ["expertise", "merit"]  # not 3
        experts = (await lead.get("/api/experts", params={"topic": "python"})).json()
        assert [e["id"] for e in experts["experts"]] == [eve.id]
        wallet = (await lead.get("/api/me/wallet")).json()
        assert wallet["level"]["name"] == "Newcomer"
        me = await make_employee("lead2@example.com", role=Role.EMPLOYEE)
        r = await lead.post(f"/api/employees/{me.id}/badges", json={
            "kind": "expertise", "title": {"en": "x"}, "idempotency_key": "badge-0003"})  # fmt: skip
        assert r.status_code == 422
    finally:
        await lead.aclose()


async def test_leaderboards_my_rank_and_my_store(live: LiveServer) -> None:
    await publish_rules(live.settings, SIMPLE_RULES)
    region = await Region.create(code="north", name="North")
    city = await City.create(code="spb", name="SPb", region=region)
    s1 = await Store.create(code="s1", name="One", city=city)
    s2 = await Store.create(code="s2", name="Two", city=city)
    ann = await make_employee("ann@example.com", store=s1)
    bob = await make_employee("bob@example.com", store=s2)
    cat = await make_employee("cat@example.com", store=s2)
    await post_created(ann, "p1")
    await post_created(bob, "p2")
    await kudos(cat, ann, "k1")
    await run_jobs(live.settings)  # the sweeper's start-up run settles what was not handed off
    live.settings.__dict__["settle_sweep_seconds"] = 0.0
    await run_jobs(live.settings)
    client = await signed_in(live, "ann@example.com")
    try:
        r = await client.get("/api/leaderboards/user/week")
        assert r.status_code == 200, r.text
        body = r.json()
        assert [p["points"] for p in body["top"]] == [15, 10]
        assert body["me"] == {"id": str(ann.id), "rank": 1, "points": 15}
        assert body["my_store"] == {"id": "s1", "name": "One", "rank": 1, "points": 15}
        stores = (await client.get("/api/leaderboards/store/week")).json()
        assert [(p["id"], p["name"]) for p in stores["top"]] == [("s1", "One"), ("s2", "Two")]
        cities = (await client.get("/api/leaderboards/city/week")).json()
        assert [p["name"] for p in cities["top"]] == ["SPb"]
        per_head = (await client.get("/api/leaderboards/store/week?per_head=true")).json()
        assert [(p["id"], p["name"]) for p in per_head["top"]] == [("s1", "One"), ("s2", "Two")]
        assert per_head["top"][1]["per_head"] == 5.0
        assert (await client.get("/api/leaderboards/galaxy/week")).status_code == 404
    finally:
        await client.aclose()


async def test_history_says_which_ruleset_and_what_earned_it(live: LiveServer) -> None:
    await publish_rules(
        live.settings, SIMPLE_RULES.replace("id: post\n", "id: post\n    title: {en: A post}\n")
    )
    version = await RulesetVersion.all().order_by("-id").first()
    assert version is not None
    ann = await make_employee("ann@example.com")
    await post_created(ann, "41")
    live.settings.__dict__["settle_sweep_seconds"] = 0.0
    await run_jobs(live.settings)
    await post_deleted(ann, "41")
    await run_jobs(live.settings)
    client = await signed_in(live, "ann@example.com")
    try:
        history = (await client.get("/api/me/transfers")).json()["transfers"]
        taken, given = history
        assert given["kind"] == "award" and given["amount"] == 10
        assert given["title"] == {"en": "A post"}
        assert given["ruleset"] == version.id
        assert given["source"]["type"] == "post.created"
        assert given["source"]["post_id"] == 41
        assert given["source"]["calendar_event_id"] is None
        assert taken["kind"] == "reversal" and taken["amount"] == -10
        assert taken["reverses"] == given["id"]
        assert taken["source"]["type"] == "post.deleted"
    finally:
        await client.aclose()


async def test_reciprocal_rings_are_reported(live: LiveServer) -> None:
    await publish_rules(live.settings, SIMPLE_RULES.replace("max: 2", "max: 50"))
    await make_employee("comms@example.com", role=Role.COMMS)
    a = await make_employee("a@example.com")
    b = await make_employee("b@example.com")
    c = await make_employee("c@example.com")
    for n in range(4):
        await kudos(a, b, f"ab{n}")
        await kudos(b, a, f"ba{n}")
    await kudos(c, a, "ca")
    live.settings.__dict__["settle_sweep_seconds"] = 0.0
    await run_jobs(live.settings)
    comms = await signed_in(live, "comms@example.com")
    try:
        rings = (await comms.get("/api/admin/abuse/rings")).json()["rings"]
        assert [[m["id"] for m in r["members"]] for r in rings] == [sorted([a.id, b.id])]
        assert rings[0]["rewards"] == 8
    finally:
        await comms.aclose()


async def test_wheel_and_shop_answers_match_their_declared_models(live: LiveServer) -> None:
    """The app's types come from these models: what the endpoints send must fit them."""
    from server.rewards import endpoints

    await make_employee("comms@example.com", role=Role.COMMS)
    ann = await make_employee("ann@example.com")
    comms = await signed_in(live, "comms@example.com")
    me = await signed_in(live, "ann@example.com")
    try:
        r = await comms.post("/api/admin/grants", json={
            "user_id": ann.id, "currency": "spins", "amount": 1, "reason": "welcome",
            "idempotency_key": "grant-0002"})  # fmt: skip
        assert r.status_code == 201
        r = await comms.put("/api/admin/shop/items/socks", json={
            "title": {"en": "Socks"}, "price": 1, "add_stock": 3,
            "idempotency_key": "stock-0002"})  # fmt: skip
        assert r.status_code == 200, r.text
        wheel = endpoints.WheelOut.model_validate((await me.get("/api/wheel")).json())
        spun = endpoints.SpinOut.model_validate(
            (await me.post("/api/wheel/spins", json={"idempotency_key": "spin-00001"})).json()
        )
        assert spun.segment in [s.id for s in wheel.segments]
        spins = endpoints.Spins.model_validate((await me.get("/api/wheel/spins")).json())
        assert [s.id for s in spins.spins] == [spun.id]
        seeds = endpoints.Seeds.model_validate((await me.get("/api/wheel/seeds")).json())
        assert seeds.seeds and seeds.seeds[0].seed is None  # this period's: not revealed
        items = endpoints.Items.model_validate((await me.get("/api/shop/items")).json())
        assert [(i.id, i.stock) for i in items.items] == [("socks", 3)]
        document = (await me.get("/api/openapi.json")).json()
        for path in ("/api/wheel", "/api/wheel/spins", "/api/wheel/seeds", "/api/shop/items",
                     "/api/me/redemptions"):  # fmt: skip
            assert "content" in document["paths"][path]["get"]["responses"]["200"], path
    finally:
        await comms.aclose()
        await me.aclose()
