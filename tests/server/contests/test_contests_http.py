"""Contests over real HTTP on both databases: the list, a contest in words, live standings
with my store's place, the comms view and the dry run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import orjson

from gamification.live import SCHEMAS
from server.activity import hand_off
from server.models import City, Region, Role, Store
from server.rewards import shop
from server.services import Services
from tests.conftest import LiveServer
from tests.gamification.support import post_created, publish_rules
from tests.helpers import login, make_employee, run_jobs


def contest_rules(starts: datetime, ends: datetime, grace: str = "1d") -> str:
    fmt = "%Y-%m-%dT%H:%M:%S+00:00"
    return f"""\
version: 1
badges:
  champion: {{title: {{en: Champion, ru: Чемпион}}, tier: gold}}
rules:
  - id: post
    event: post.created
    award: {{points: 10}}
contests:
  - id: stores
    title: {{en: Store vs store, ru: Битва магазинов}}
    starts: "{starts.strftime(fmt)}"
    ends: "{ends.strftime(fmt)}"
    grace: {grace}
    participants: store
    per_head: true
    score: {{count: post.created, when: 'event.kind == "post"'}}
    winners: {{top: 2}}
    prizes:
      - {{place: 1, award: {{points: 500, badge: champion, item: cap}}}}
      - {{place: 2, award: {{points: 300, spins: 1}}}}
  - id: posters
    title: {{en: Posters}}
    starts: "{starts.strftime(fmt)}"
    ends: "{ends.strftime(fmt)}"
    score: {{points_from: [post]}}
    winners: {{over: 20}}
    prizes:
      - {{winners: true, award: {{spins: 2}}}}
"""


async def signed_in(live: LiveServer, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=live.url, timeout=30)
    response = await login(client, email)
    assert response.status_code == 200, response.text
    return client


async def test_live_standings_per_head_with_my_store_and_the_comms_view(live: LiveServer) -> None:
    now = datetime.now(UTC)
    boss = await make_employee("boss@example.com", role=Role.COMMS, password=False)
    await shop.put_item("cap", title={"en": "A cap", "ru": "Кепка"}, description={}, price=80,
                        needs_approval=False, active=True, add_stock=5, by=boss.id, key="c")  # fmt: skip
    await publish_rules(
        live.settings, contest_rules(now - timedelta(days=1), now + timedelta(days=1))
    )
    region = await Region.create(code="north", name="North")
    city = await City.create(code="spb", name="SPb", region=region)
    big = await Store.create(code="big", name="Big store", city=city)
    small = await Store.create(code="small", name="Small store", city=city)
    ann = await make_employee("ann@example.com", store=big, locale="ru")
    bob = await make_employee("bob@example.com", store=big, password=False)
    cat = await make_employee("cat@example.com", store=small, password=False)
    await make_employee("comms@example.com", role=Role.COMMS)
    # Big: 3 posts by two people (1.5 per head); small: 2 posts by one person (2 per head).
    for i in range(2):
        await post_created(ann, f"a{i}")
    await post_created(bob, "b0")
    await post_created(cat, "c0")
    await post_created(cat, "c1")
    live.settings.__dict__["settle_sweep_seconds"] = 0.0
    await run_jobs(live.settings)  # the sweeper's start-up run settles what was not handed off
    me = await signed_in(live, "ann@example.com")
    comms = await signed_in(live, "comms@example.com")
    try:
        r = await me.get("/api/contests")  # in her language, Russian
        assert r.status_code == 200, r.text
        items = {c["id"]: c for c in r.json()["items"]}
        stores = items["stores"]
        assert stores["status"] == "running" and stores["title"] == "Битва магазинов"
        assert stores["participants"] == "store" and stores["per_head"] is True
        assert stores["participant_count"] == 2
        assert stores["mine"]["participant"] == {
            "kind": "store", "id": "big", "name": "Big store", "avatar_url": None}  # fmt: skip
        assert stores["mine"]["place"] == 2 and stores["mine"]["is_me"] is True
        assert stores["mine"]["winner"] is True  # the top 2 win
        assert any("делятся" in line for line in stores["rules_in_words"]), stores
        assert stores["prizes"][0]["for"] == "place"
        assert stores["prizes"][0]["award"]["badge"] == {"id": "champion", "title": "Чемпион"}
        assert "500 баллов" in stores["prizes"][0]["text"]
        assert stores["prizes"][0]["award"]["item"] == {"id": "cap", "title": "Кепка"}
        assert "товар магазина «Кепка»" in stores["prizes"][0]["text"]
        assert (await me.get("/api/contests?when=past")).json()["items"] == []

        r = await me.get("/api/contests/stores/standings")
        assert r.status_code == 200, r.text
        page = r.json()
        assert page["total"] == 2
        assert [(x["participant"]["id"], x["score"], x["raw_score"], x["heads"])
                for x in page["items"]] == [("small", 2.0, 2.0, 1), ("big", 1.5, 3.0, 2)]  # fmt: skip
        assert page["mine"]["participant"]["id"] == "big"
        assert [x["is_me"] for x in page["items"]] == [False, True]

        # Live: three more posts in the big store settle, the standings move, and every
        # socket hears the new top (at most once a second per contest).
        services = await Services.start(live.settings)
        pubsub = services.redis.pubsub()
        await pubsub.subscribe(services.keys.socketio_channel)
        try:
            ids = [await post_created(bob, f"b{i}") for i in range(1, 4)]
            await hand_off(services, ids)
            await run_jobs(live.settings)
            heard = []
            for _ in range(50):
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
                if message is not None:
                    heard.append(orjson.loads(message["data"]))
                elif heard:
                    break
        finally:
            await pubsub.aclose()
            await services.close()
        pushed = [m for m in heard if m["event"] == "contest.standings"]
        assert pushed and pushed[0]["room"] == "leaderboards"
        for message in pushed:
            SCHEMAS["contest.standings"].model_validate(message["data"][0])
        top = {m["data"][0]["contest_id"]: m["data"][0]["top"] for m in pushed}["stores"]
        assert [(t["participant"]["id"], t["score"]) for t in top] == [("big", 3.0), ("small", 2.0)]
        page = (await me.get("/api/contests/stores/standings")).json()
        assert [(x["participant"]["id"], x["score"]) for x in page["items"]] == [
            ("big", 3.0), ("small", 2.0)]  # fmt: skip
        assert page["mine"]["place"] == 1

        r = await me.get("/api/contests/posters")
        assert r.status_code == 200
        posters = r.json()
        assert posters["mine"]["score"] == 20.0 and posters["mine"]["winner"] is True
        bobs = (await me.get("/api/contests/posters/standings")).json()["items"]
        assert (bobs[0]["participant"]["id"], bobs[0]["score"]) == (str(bob.id), 40.0)
        assert (await me.get("/api/contests/nope")).status_code == 404
        assert (await me.get("/api/admin/contests")).status_code == 403

        r = await comms.get("/api/admin/contests")
        assert r.status_code == 200, r.text
        admin = {c["id"]: c for c in r.json()["items"]}
        assert admin["stores"]["source"] == "live"
        assert admin["stores"]["settlement"]["state"] == "open"

        r = await comms.post("/api/admin/contests/dry-run", json={
            "contest_id": "stores", "since": (now - timedelta(days=2)).isoformat(),
            "until": (now + timedelta(hours=1)).isoformat()})  # fmt: skip
        assert r.status_code == 200, r.text
        run = r.json()
        assert run["events_read"] >= 5  # and the daily logins
        assert [w["participant"]["id"] for w in run["winners"]] == ["big", "small"]
        assert [p["participant"]["id"] for p in run["prizes"]] == ["big", "small"]
        assert "500" in run["prizes"][0]["text"]
        r = await comms.post("/api/admin/contests/dry-run", json={
            "contest_id": "stores", "text": "version: 1\nrules: []\ncontests: [{id: x}]\n"})  # fmt: skip
        assert r.status_code == 422
        assert r.json()["error"] == "ruleset_invalid"
        assert r.json()["problems"][0]["line"] == 3
        # The editor's check knows the shop: a prize naming an item it does not sell is
        # pointed at, and saving it is refused the same way.
        text = contest_rules(now, now + timedelta(days=1)).replace("item: cap", "item: hat")
        r = await comms.post("/api/rulesets/check", json={"text": text})
        assert r.status_code == 200, r.text
        assert [(p["line"], p["message"]) for p in r.json()["problems"]] == [
            (19, "no shop item 'hat' (in the shop: cap)")]  # fmt: skip
        r = await comms.post("/api/rulesets", json={"text": text, "message": "hat"})
        assert r.status_code == 422, r.text
        assert "line 19" in r.json()["detail"] and "hat" in r.json()["detail"]
    finally:
        await me.aclose()
        await comms.aclose()
