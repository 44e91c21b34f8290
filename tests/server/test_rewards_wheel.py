"""Spins over HTTP and under concurrency: one spin per key, stock never oversold."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest

from gamification import sql, store
from gamification.ledger import SPINS, prize_currency, stock_account, user_account
from gamification.live import SCHEMAS
from server.errors import ApiError
from server.models import Employee, Role, WheelSeed, WheelSpin, WheelVersion
from server.rewards import service, wheel
from server.settings import Settings
from tests.conftest import LiveServer
from tests.helpers import login, make_employee

ONE_PRIZE = """\
version: 1
period: day
wishes: [{en: Have a lovely day}]
prizes:
  mug: {title: {en: A mug}, stock: 10}
segments:
  - {id: mug, weight: 1, prize: mug}
"""


async def test_a_spin_over_http_is_idempotent_and_pushed(
    live: LiveServer, client: httpx.AsyncClient
) -> None:
    await make_employee("comms@example.com", role=Role.COMMS)
    me = await make_employee("ann@example.com")
    await login(client, "comms@example.com")
    r = await client.put("/api/admin/wheel", json={"text": ONE_PRIZE})
    assert r.status_code == 200, r.text
    r = await client.post(
        "/api/admin/grants",
        json={"user_id": me.id, "currency": "spins", "amount": 2, "reason": "contest",
              "idempotency_key": "contest-1"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    async with httpx.AsyncClient(base_url=live.url) as ann:
        await login(ann, "ann@example.com")
        pubsub = live.services.redis.pubsub()
        await pubsub.subscribe(live.services.keys.socketio_channel)
        first = await ann.post("/api/wheel/spins", json={"idempotency_key": "spin-0001"})
        again = await ann.post("/api/wheel/spins", json={"idempotency_key": "spin-0001"})
        assert first.status_code == 200, first.text
        assert first.json() == again.json()
        assert first.json()["outcome"] == "prize"
        wallet = (await ann.get("/api/me/wallet")).json()
        assert wallet["spins"] == 1  # one spin for two requests with one key
        seen = []
        for _ in range(20):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
            if message:
                seen.append(message["data"])
        await pubsub.aclose()
        assert any(b"wheel.result" in m for m in seen)
        # The wallet's live event tells the spin it cost (and the prize it won).
        changed = [m for m in map(orjson.loads, seen) if m["event"] == "wallet.changed"]
        assert [c["data"][0]["spins"] for c in changed] == [1]
        kinds = {c["kind"] for c in changed[0]["data"][0]["changes"]}
        assert kinds == {"spin", "prize"}
        for raw in seen:
            message = orjson.loads(raw)
            SCHEMAS[message["event"]].model_validate(message["data"][0])
        bad = await ann.put("/api/admin/wheel", json={"text": ONE_PRIZE})
        assert bad.status_code == 403
    r = await client.put("/api/admin/wheel", json={"text": "version: 1\nsegments: []\n"})
    assert r.status_code == 422
    assert r.json()["problems"][0]["line"] == 2


async def test_a_thousand_concurrent_spins_win_exactly_the_stock(db: Settings) -> None:
    await wheel.publish_wheel(ONE_PRIZE)
    people = [await make_employee(f"s{i}@example.com", password=False) for i in range(100)]
    comms = await make_employee("c@example.com", role=Role.COMMS, password=False)
    for person in people:
        await service.grant(SPINS, person.id, 10, comms.id, "test", f"grant-{person.id}")
    spins = [wheel.spin(p.id, f"key-{n}", db.zone) for p in people for n in range(10)]
    results = await asyncio.gather(*spins)
    prizes = [r for r, _ in results if r.outcome == "prize"]
    assert len(prizes) == 10
    assert sum(1 for r, _ in results if r.fallback) == 990
    conn = sql.default()
    assert await store.balance(conn, stock_account(prize_currency("mug"))) == 0
    assert await WheelSpin.all().count() == 1000
    left = await store.balances(conn, [user_account(SPINS, p.id) for p in people])
    assert set(left.values()) == {0}
    assert await store.verify(conn) == []


async def test_spins_verify_once_the_seed_is_revealed(db: Settings) -> None:
    await wheel.publish_wheel(ONE_PRIZE.replace("stock: 10", "stock: 1"))
    person = await make_employee("v@example.com", password=False)
    await service.grant(SPINS, person.id, 3, person.id + 1, "test", "grant-v")
    for n in range(3):
        await wheel.spin(person.id, f"verify-{n}", db.zone)
    checked, problems = await wheel.verify()
    assert (checked, problems) == (0, [])  # the period has not ended: the seed is secret
    later = datetime.now(UTC) + timedelta(days=2)
    checked, problems = await wheel.verify(later)
    assert (checked, problems) == (3, [])
    listed = await wheel.seeds(later)
    assert listed[0]["seed"] is not None
    # A tampered record is caught.
    spun = await WheelSpin.first()
    assert spun is not None
    await WheelSeed.filter(period=spun.period).update(seed="00" * 32)
    _, problems = await wheel.verify(later)
    assert problems and "hash published in advance" in problems[0]


async def test_no_spins_left_is_a_conflict(db: Settings) -> None:
    await wheel.publish_wheel(ONE_PRIZE)
    person = await make_employee("z@example.com", password=False)
    with pytest.raises(ApiError) as caught:
        await wheel.spin(person.id, "nothing-1", db.zone)
    assert caught.value.code == "no_spins"
    assert await WheelSpin.all().count() == 0


async def _people_with_spins(count: int, spins: int) -> list[Employee]:
    people = [await make_employee(f"f{i}@example.com", password=False) for i in range(count)]
    comms = await make_employee("fc@example.com", role=Role.COMMS, password=False)
    for person in people:
        await service.grant(SPINS, person.id, spins, comms.id, "test", f"first-{person.id}")
    return people


async def test_concurrent_first_spins_of_a_fresh_period_win_the_prize_in_stock(
    db: Settings,
) -> None:
    """A prize with stock is won whenever it is drawn, also by the first spins of a period,
    made together while the seeds cron creates the period's seed."""
    await wheel.publish_wheel(ONE_PRIZE.replace("stock: 10", "stock: 40"))
    people = await _people_with_spins(25, 1)
    assert await WheelSeed.all().count() == 0  # a fresh period: no seed yet
    *spun, _ = await asyncio.gather(
        *(wheel.spin(p.id, "first", db.zone) for p in people), wheel.ensure_seeds_ahead(db.zone)
    )
    assert [(r.outcome, r.fallback) for r, new in spun if new] == [("prize", False)] * 25
    assert len({r.period for r, _ in spun}) == 1
    conn = sql.default()
    assert await store.balance(conn, stock_account(prize_currency("mug"))) == 15
    assert await store.verify(conn) == []


async def test_concurrent_first_spins_publish_the_shipped_wheel_once(db: Settings) -> None:
    """Before any wheel is published, the first spins and the seeds cron all publish the
    shipped wheel at once: one version, its stock once, and every prize drawn is won."""
    people = await _people_with_spins(25, 1)
    *spun, _ = await asyncio.gather(
        *(wheel.spin(p.id, "first", db.zone) for p in people), wheel.ensure_seeds_ahead(db.zone)
    )
    assert await WheelVersion.all().count() == 1
    shipped = (await wheel.live_wheel()).prizes
    conn = sql.default()
    for prize_id, prize in shipped.items():
        drawn = [r for r, _ in spun if r.segment == prize_id]
        won = sum(1 for r in drawn if r.outcome == "prize")
        assert won == min(len(drawn), prize.stock)
        left = await store.balance(conn, stock_account(prize_currency(prize_id)))
        assert left == prize.stock - won
    assert await store.verify(conn) == []
