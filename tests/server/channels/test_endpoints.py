from __future__ import annotations

import pytest

from tests.community import Clients, make_org
from tests.conftest import LiveServer

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database


async def test_mandatory_channels_reach_everyone_and_cannot_be_left(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, alice = await as_(org.comms), await as_(org.alice)
        assert (await alice.post("/api/channels", json={"name": "Mine"})).status_code == 403
        mandatory = (
            await comms.post("/api/channels", json={"name": "Company", "mandatory": True})
        ).json()
        optional = (await comms.post("/api/channels", json={"name": "Sport"})).json()
        listed = {
            c["name"]: c["subscribed"] for c in (await alice.get("/api/channels")).json()["items"]
        }
        assert listed == {"Company": True, "Sport": False}
        left = await alice.delete(f"/api/channels/{mandatory['id']}/subscription")
        assert left.status_code == 409 and left.json()["error"] == "mandatory_channel"
        await comms.post("/api/posts", json={"body": "match", "channel_id": optional["id"]})
        assert (await alice.get("/api/feed")).json()["items"] == []
        assert (await alice.put(f"/api/channels/{optional['id']}/subscription")).status_code == 200
        assert (await alice.put(f"/api/channels/{optional['id']}/subscription")).status_code == 200
        assert [p["body"] for p in (await alice.get("/api/feed")).json()["items"]] == ["match"]
        await alice.delete(f"/api/channels/{optional['id']}/subscription")
        assert (await alice.get("/api/feed")).json()["items"] == []


async def test_following_a_leader_blog_brings_it_to_the_feed(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        manager, alice = await as_(org.manager), await as_(org.alice)
        await manager.post("/api/posts", json={"body": "My week in the store"})
        blogs = (await alice.get("/api/blogs")).json()["items"]
        assert {b["author"]["id"] for b in blogs} == {org.manager.id, org.comms.id, org.admin.id}
        assert (await alice.get("/api/feed")).json()["items"] == []
        assert (await alice.put(f"/api/people/{org.manager.id}/follow")).status_code == 200
        assert (await alice.put(f"/api/people/{org.alice.id}/follow")).status_code == 422
        feed = (await alice.get("/api/feed")).json()["items"]
        assert [p["body"] for p in feed] == ["My week in the store"]
        blog = {b["author"]["id"]: b for b in (await alice.get("/api/blogs")).json()["items"]}
        assert blog[org.manager.id]["following"] and blog[org.manager.id]["followers"] == 1
        page = (await alice.get(f"/api/people/{org.manager.id}/posts")).json()["items"]
        assert len(page) == 1
        await alice.delete(f"/api/people/{org.manager.id}/follow")
        assert (await alice.get("/api/feed")).json()["items"] == []


async def test_one_blog_says_its_followers_and_whether_i_follow(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        manager, alice = await as_(org.manager), await as_(org.alice)
        blog = (await alice.get(f"/api/people/{org.manager.id}/blog")).json()
        assert blog["author"]["id"] == org.manager.id
        assert (blog["followers"], blog["following"]) == (0, False)
        await alice.put(f"/api/people/{org.manager.id}/follow")
        blog = (await alice.get(f"/api/people/{org.manager.id}/blog")).json()
        assert (blog["followers"], blog["following"]) == (1, True)
        # Anyone's blog, not only a leader's: what the manager sees of Alice's.
        mine = (await manager.get(f"/api/people/{org.alice.id}/blog")).json()
        assert (mine["followers"], mine["following"]) == (0, False)
        assert (await alice.get("/api/people/999999/blog")).status_code == 404
