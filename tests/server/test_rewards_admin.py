"""The rewards admin over real HTTP: every action lands in the audit log (and the reward
audit view shows it with names), the whole catalogue with retired items, the wheel's prize
stock, allowances that gifts and kudos then obey, and employees refused everywhere here."""

from __future__ import annotations

import httpx
import pytest

from gamification import sql, store
from server.models import AuditEntry, Role
from tests.conftest import LiveServer
from tests.helpers import login, make_employee

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database


async def signed_in(live: LiveServer, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=live.url, timeout=30)
    response = await login(client, email)
    assert response.status_code == 200, response.text
    return client


async def actions() -> list[tuple[str, str]]:
    return [(e.action, e.target) for e in await AuditEntry.all().order_by("seq")]


async def test_every_reward_action_is_audited_and_shown_in_the_trail(live: LiveServer) -> None:
    boss = await make_employee("comms@example.com", role=Role.COMMS, name="Clara Comms")
    ann = await make_employee("ann@example.com", name="Ann Employee")
    comms = await signed_in(live, "comms@example.com")
    me = await signed_in(live, "ann@example.com")
    try:
        item = {"title": {"en": "Cinema ticket"}, "price": 30, "needs_approval": True,
                "add_stock": 2, "idempotency_key": "stock-0001"}  # fmt: skip
        r = await comms.put("/api/admin/shop/items/cinema", json=item)
        assert r.status_code == 200, r.text
        # The same request again changes nothing and records nothing.
        assert (await comms.put("/api/admin/shop/items/cinema", json=item)).json()["stock"] == 2
        r = await comms.put("/api/admin/shop/items/cinema",
                            json={**item, "price": 40, "idempotency_key": "stock-0002"})  # fmt: skip
        assert r.json()["price"] == 40 and r.json()["stock"] == 4
        r = await comms.post("/api/admin/grants", json={
            "user_id": ann.id, "currency": "points", "amount": 100, "reason": "quiz winner",
            "idempotency_key": "grant-0001"})  # fmt: skip
        assert r.status_code == 201
        r = await comms.post("/api/admin/grants", json={
            "user_id": ann.id, "currency": "points", "amount": 100, "reason": "quiz winner",
            "idempotency_key": "grant-0001"})  # fmt: skip
        assert r.json()["new"] is False
        r = await comms.post("/api/admin/grants", json={
            "user_id": ann.id, "currency": "spins", "amount": 2, "reason": "best store of May",
            "idempotency_key": "grant-0002"})  # fmt: skip
        assert r.status_code == 201
        r = await comms.post(f"/api/employees/{ann.id}/badges", json={
            "title": {"en": "Helper of the month"}, "tier": "gold", "reason": "always there",
            "idempotency_key": "badge-0001"})  # fmt: skip
        assert r.status_code == 201, r.text
        red = await me.post("/api/shop/redemptions",
                            json={"item_id": "cinema", "idempotency_key": "redeem-001"})  # fmt: skip
        assert red.status_code == 201
        r = await comms.post(f"/api/admin/redemptions/{red.json()['id']}/decision",
                             json={"approve": True, "note": "enjoy"})  # fmt: skip
        assert r.status_code == 200 and r.json()["status"] == "completed"
        prizes = (await comms.get("/api/admin/prizes")).json()["prizes"]
        mug = next(p for p in prizes if p["id"] == "mug")
        r = await comms.post("/api/admin/prizes/mug/stock",
                             json={"amount": 5, "idempotency_key": "prize-0001"})  # fmt: skip
        assert r.json()["stock"] == mug["stock"] + 5
        r = await comms.put("/api/admin/shop/items/cinema", json={**item, "price": 40,
                            "active": False, "add_stock": 0})  # fmt: skip
        assert r.json()["active"] is False
        assert "cinema" not in [i["id"] for i in (await me.get("/api/shop/items")).json()["items"]]
        everything = (await comms.get("/api/admin/shop/items")).json()["items"]
        assert [(i["id"], i["active"]) for i in everything] == [("cinema", False)]
        r = await comms.put("/api/admin/allowances", json={"kudos_monthly": 4})
        assert r.status_code == 200 and r.json()["kudos_monthly"] == 4

        rid = red.json()["id"]
        assert await actions() == [
            ("shop.item.create", "shop_item:cinema"),
            ("shop.item.update", "shop_item:cinema"),
            ("grant.points", f"employee:{ann.id}"),
            ("grant.spins", f"employee:{ann.id}"),
            ("badge.award", f"employee:{ann.id}"),
            ("redemption.approve", f"redemption:{rid}"),
            ("prize.stock.add", "prize:mug"),
            ("shop.item.retire", "shop_item:cinema"),
            ("allowance.set", "allowance:kudos"),
        ]
        trail = (await comms.get("/api/admin/rewards/audit")).json()["entries"]
        assert [t["action"] for t in trail][:2] == ["allowance.set", "shop.item.retire"]
        spins = next(t for t in trail if t["action"] == "grant.spins")
        assert spins["actor_name"] == "Clara Comms" and spins["actor_id"] == boss.id
        assert spins["target_name"] == "Ann Employee"
        assert spins["detail"]["reason"] == "best store of May"
        assert spins["detail"]["amount"] == 2
        update = next(t for t in trail if t["action"] == "shop.item.update")
        assert update["detail"] == {"changes": {"price": [30, 40]}, "add_stock": 2}
        # Paging by `seq`, and one area at a time.
        older = (await comms.get("/api/admin/rewards/audit",
                                 params={"before": trail[1]["seq"], "limit": 2})).json()  # fmt: skip
        assert [t["action"] for t in older["entries"]] == ["prize.stock.add", "redemption.approve"]
        grants = (await comms.get("/api/admin/rewards/audit", params={"area": "grant"})).json()
        assert [t["action"] for t in grants["entries"]] == ["grant.spins", "grant.points"]
        assert await store.verify(sql.default()) == []
    finally:
        await comms.aclose()
        await me.aclose()


async def test_allowances_are_set_in_the_workspace_and_obeyed(live: LiveServer) -> None:
    live.settings.__dict__["manager_monthly_allowance"] = 30
    await make_employee("comms@example.com", role=Role.COMMS)
    lead = await make_employee("lead@example.com", role=Role.MANAGER, name="Lea Lead")
    bob = await make_employee("bob@example.com", name="Bob")
    await make_employee("carl@example.com", name="Carl")
    comms = await signed_in(live, "comms@example.com")
    boss = await signed_in(live, "lead@example.com")
    try:
        seen = (await comms.get("/api/admin/allowances")).json()
        assert (seen["manager_monthly"], seen["manager_default"], seen["kudos_monthly"]) == (
            30, 30, 0)  # fmt: skip
        assert [(m["name"], m["monthly"], m["own"], m["left"]) for m in seen["managers"]] == [
            ("Lea Lead", 30, False, 30)
        ]
        gift = {"recipient_id": bob.id, "points": 20, "message": "thanks",
                "idempotency_key": "gift-00001"}  # fmt: skip
        assert (await boss.post("/api/gifts", json=gift)).status_code == 201
        # Every manager's allowance raised mid-month: the budget grows at once.
        seen = (await comms.put("/api/admin/allowances", json={"manager_monthly": 50})).json()
        assert seen["managers"][0]["left"] == 30
        # This manager's own: lowered below what she has given, nothing left to give.
        r = await comms.put(f"/api/admin/allowances/managers/{lead.id}", json={"monthly": 15})
        assert r.status_code == 200, r.text
        assert [(m["monthly"], m["own"], m["left"]) for m in r.json()["managers"]] == [
            (15, True, 0)
        ]
        r = await boss.post(
            "/api/gifts", json={**gift, "points": 1, "idempotency_key": "gift-00002"}
        )
        assert r.status_code == 409 and r.json()["error"] == "allowance_exceeded"
        # Back to every manager's: 50, of which 20 given.
        r = await comms.put(f"/api/admin/allowances/managers/{lead.id}", json={"monthly": None})
        assert [(m["monthly"], m["own"], m["left"]) for m in r.json()["managers"]] == [
            (50, False, 30)
        ]
        assert (await boss.get("/api/me/allowance")).json() == {
            "month": r.json()["month"], "monthly": 50, "left": 30}  # fmt: skip
        # Only managers have an allowance of their own.
        r = await comms.put(f"/api/admin/allowances/managers/{bob.id}", json={"monthly": 5})
        assert r.status_code == 404

        # Kudos: two a month, the third is refused with the reason.
        await comms.put("/api/admin/allowances", json={"kudos_monthly": 2})
        for n, to in enumerate([bob.id, bob.id]):
            r = await boss.post("/api/posts", json={"body": f"Thank you {n}!", "kudos_to": to})
            assert r.status_code == 201, r.text
        r = await boss.post("/api/posts", json={"body": "Thank you again!", "kudos_to": bob.id})
        assert r.status_code == 409 and r.json()["error"] == "kudos_allowance_exceeded"
        assert "2" in r.json()["detail"]
        r = await boss.post("/api/posts", json={"body": "A plain post is fine"})
        assert r.status_code == 201
        await comms.put("/api/admin/allowances", json={"kudos_monthly": 0})
        r = await boss.post("/api/posts", json={"body": "Thanks, no cap", "kudos_to": bob.id})
        assert r.status_code == 201

        assert [(a, t) for a, t in await actions() if a.startswith("allowance")] == [
            ("allowance.set", "allowance:manager"),
            ("allowance.set", f"allowance:manager:{lead.id}"),
            ("allowance.set", f"allowance:manager:{lead.id}"),
            ("allowance.set", "allowance:kudos"),
            ("allowance.set", "allowance:kudos"),
        ]
        assert await store.verify(sql.default()) == []
    finally:
        await comms.aclose()
        await boss.aclose()


async def test_employees_and_managers_are_refused_the_rewards_admin(live: LiveServer) -> None:
    await make_employee("ann@example.com")
    await make_employee("lead@example.com", role=Role.MANAGER)
    for email in ("ann@example.com", "lead@example.com"):
        client = await signed_in(live, email)
        try:
            for method, path, body in [
                ("GET", "/api/admin/shop/items", None),
                ("GET", "/api/admin/prizes", None),
                ("GET", "/api/admin/allowances", None),
                ("PUT", "/api/admin/allowances", {"kudos_monthly": 1}),
                ("PUT", "/api/admin/allowances/managers/1", {"monthly": 1}),
                ("GET", "/api/admin/rewards/audit", None),
                ("GET", "/api/admin/redemptions", None),
            ]:
                r = await client.request(method, path, json=body)
                assert r.status_code == 403, (email, path, r.status_code)
        finally:
            await client.aclose()
    assert await actions() == []
