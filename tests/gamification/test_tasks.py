"""The worker path: hand-off after commit, settlement jobs, the sweeper, leaderboards and
the live notifications, with a real arq worker, Redis and both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import orjson

from gamification import store
from gamification.boards import Boards
from gamification.ledger import POINTS, user_account
from gamification.live import SCHEMAS
from gamification.sql import default
from server.activity import hand_off
from server.models import ActivityEvent, City, Notification, Region, Store
from server.services import Services
from server.settings import Settings
from tests.gamification.support import SIMPLE_RULES, kudos, people, post_created, publish_rules
from tests.helpers import run_jobs


async def test_handed_off_events_are_settled_ranked_and_announced(db: Settings) -> None:
    await publish_rules(db, SIMPLE_RULES)
    region = await Region.create(code="north", name="North")
    city = await City.create(code="spb", name="St Petersburg", region=region)
    shop = await Store.create(code="s1", name="Store 1", city=city)
    a, b = await people(2, store=shop)
    services = await Services.start(db)
    pubsub = services.redis.pubsub()
    await pubsub.subscribe(services.keys.socketio_channel)
    try:
        ids = [await post_created(a, "p1"), await kudos(b, a, "k1")]
        await hand_off(services, ids)
        await run_jobs(db)
        assert await store.balance(default(), user_account(POINTS, a.id)) == 15
        boards = Boards(services.redis, services.keys, db.zone)
        assert await boards.check() == []
        standing = await boards.read(
            boards_for(db, "user", "week"),
            me=str(a.id),
            my_store_board=boards_for(db, "store", "week"),
            my_store="s1",
        )
        assert standing.me is not None and standing.me.points == 15 and standing.me.rank == 1
        assert standing.my_store is not None and standing.my_store.points == 15
        events = []
        for _ in range(50):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
            if message is not None:
                events.append(orjson.loads(message["data"]))
            elif events:
                break
        for message in events:  # every emitted event fits its declared schema
            SCHEMAS[message["event"]].model_validate(message["data"][0])
        wallet = [e for e in events if e["event"] == "wallet.changed"]
        assert wallet and wallet[0]["room"] == f"employee:{a.id}"
        assert wallet[0]["data"][0]["points"] == 15
        assert {c["rule_id"] for c in wallet[0]["data"][0]["changes"]} == {"post", "kudos"}
        assert any(e["event"] == "leaderboard.changed" for e in events)
    finally:
        await pubsub.aclose()
        await services.close()


def boards_for(settings: Settings, scope: str, period: str) -> object:
    from gamification.boards import parse_board

    return parse_board(scope, period, datetime.now(UTC), settings.zone)


async def test_the_sweeper_settles_by_the_ruleset_live_at_the_time(db: Settings) -> None:
    db.__dict__["settle_sweep_seconds"] = 0.2
    await publish_rules(db, SIMPLE_RULES)
    (a,) = await people(1)
    before = datetime.now(UTC)
    await asyncio.sleep(0.01)
    await publish_rules(db, SIMPLE_RULES.replace("points: 10", "points: 11"))
    # Never handed off (a lost hand-off): the sweeper finds them. The first happened
    # before the second publication and is judged by the first ruleset.
    await post_created(a, "p1", at=before)
    await post_created(a, "p2")
    await asyncio.sleep(0.3)
    await run_jobs(db)  # the sweeper runs at the worker's start and re-queues them
    assert await ActivityEvent.filter(settled_at__isnull=True).count() == 0
    assert await store.balance(default(), user_account(POINTS, a.id)) == 21
    assert await store.verify(default()) == []


async def test_boards_lost_with_redis_are_rebuilt(db: Settings) -> None:
    await publish_rules(db, SIMPLE_RULES)
    (a,) = await people(1)
    services = await Services.start(db)
    try:
        await hand_off(services, [await post_created(a, "p1")])
        await run_jobs(db)
        boards = Boards(services.redis, services.keys, db.zone)
        assert await boards.check() == []
        # Redis forgets everything of this Plaza (a restart without persistence).
        keys = [k async for k in services.redis.scan_iter(match=f"{services.keys.prefix}:*")]
        await services.redis.delete(*keys)
        assert await boards.check() != []
        await hand_off(services, [await post_created(a, "p2")])
        await run_jobs(db)
        assert await boards.check() == []
        standing = await boards.read(boards_for(db, "user", "all"), me=str(a.id))
        assert standing.me is not None and standing.me.points == 20
    finally:
        await services.close()


async def test_a_badge_earned_by_a_rule_is_notified_once(db: Settings) -> None:
    await publish_rules(db, SIMPLE_RULES)  # the second post earns the "poster" badge
    (a,) = await people(1)
    services = await Services.start(db)
    try:
        await hand_off(services, [await post_created(a, "p1"), await post_created(a, "p2")])
        await run_jobs(db)
        await hand_off(services, [await post_created(a, "p3")])
        await run_jobs(db)
    finally:
        await services.close()
    told = await Notification.filter(employee_id=a.id, kind="badge.awarded")
    assert [n.payload["badge"] for n in told] == ["poster"]
