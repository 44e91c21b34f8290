from __future__ import annotations

from tests.community import Clients, make_org
from tests.conftest import LiveServer


async def test_home_feed_newest_first_pinned_on_top_with_cursor_and_unread(
    live: LiveServer,
) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, alice = await as_(org.comms), await as_(org.alice)
        channel = (
            await comms.post("/api/channels", json={"name": "News", "mandatory": True})
        ).json()
        ids = []
        for n in range(5):
            r = await comms.post(
                "/api/posts", json={"body": f"news {n}", "channel_id": channel["id"]}
            )
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        await comms.put(f"/api/posts/{ids[0]}/pin")
        first = (await alice.get("/api/feed", params={"limit": 2})).json()
        assert [p["id"] for p in first["items"]] == [ids[0], ids[4], ids[3]]
        assert first["items"][0]["pinned"] and all(p["unread"] for p in first["items"])
        rest = (
            await alice.get("/api/feed", params={"limit": 2, "cursor": first["next_cursor"]})
        ).json()
        assert [p["id"] for p in rest["items"]] == [ids[2], ids[1]]
        assert rest["next_cursor"] is None  # the pinned one was shown on top already
        # Seen now: the next visit marks only newer posts unread.
        newer = (
            await comms.post("/api/posts", json={"body": "later", "channel_id": channel["id"]})
        ).json()
        again = (await alice.get("/api/feed")).json()
        assert {p["id"]: p["unread"] for p in again["items"]}[newer["id"]] is True
        assert {p["id"]: p["unread"] for p in again["items"]}[ids[3]] is False
