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


async def test_joining_leaving_and_following_show_on_the_very_next_page(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        bob, alice = await as_(org.bob), await as_(org.alice)
        group = (await bob.post("/api/groups", json={"name": "Bikes"})).json()
        in_group = (
            await bob.post("/api/posts", json={"body": "ride", "group_id": group["id"]})
        ).json()
        blog = (await bob.post("/api/posts", json={"body": "my blog"})).json()

        async def feed() -> set[int]:
            r = await alice.get("/api/feed")
            assert r.status_code == 200, r.text
            return {p["id"] for p in r.json()["items"]}

        assert not {in_group["id"], blog["id"]} & await feed()
        assert (await alice.post(f"/api/groups/{group['id']}/join")).status_code < 300
        assert in_group["id"] in await feed()
        assert (await alice.put(f"/api/people/{org.bob.id}/follow")).status_code < 300
        assert blog["id"] in await feed()
        assert (await alice.post(f"/api/groups/{group['id']}/leave")).status_code < 300
        assert (await alice.delete(f"/api/people/{org.bob.id}/follow")).status_code < 300
        assert not {in_group["id"], blog["id"]} & await feed()
