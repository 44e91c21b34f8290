from __future__ import annotations

import pytest

from server.models import ActivityEvent, Notification
from tests.community import Clients, make_org
from tests.conftest import LiveServer
from tests.helpers import run_jobs

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database


async def test_mentions_notify_only_people_who_may_see_the_post(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, alice, bob = await as_(org.comms), await as_(org.alice), await as_(org.bob)
        channel = (
            await comms.post("/api/channels", json={"name": "News", "mandatory": True})
        ).json()
        body = (
            f"Well done @[Alice](person:{org.alice.id}) and @[Bob](person:{org.bob.id}), "
            f"and the whole @[Sales](department:{org.sales.id})"
        )
        post = await comms.post(
            "/api/posts",
            json={
                "body": body,
                "channel_id": channel["id"],
                "audience": [f"region:{org.north.id}"],
            },
        )
        assert 'href="/people/' in post.json()["html"]
        await run_jobs(live.settings)
        await run_jobs(live.settings)  # a second run changes nothing
        notified = set(
            await Notification.filter(kind="mention").values_list("employee_id", flat=True)
        )
        # Bob (south) and Carol (south, sales) are outside the audience: never told.
        assert notified == {org.alice.id, org.manager.id}
        mine = (await alice.get("/api/notifications")).json()
        assert (
            mine["unread_count"] == 1
            and mine["items"][0]["payload"]["post_id"] == post.json()["id"]
        )
        assert (await bob.get("/api/notifications")).json()["items"] == []
        # Bob cannot mark Alice's notification read.
        their = mine["items"][0]["id"]
        assert (await bob.post("/api/notifications/read", json={"ids": [their]})).json()[
            "marked"
        ] == 0
        assert (await alice.post("/api/notifications/read", json={})).json()["marked"] == 1
        assert (await alice.get("/api/notifications", params={"unread": True})).json()[
            "items"
        ] == []
        events = await ActivityEvent.filter(type="user.mentioned")
        assert {e.subject_id for e in events} == {org.alice.id, org.manager.id}


async def test_comment_notifies_the_author_and_kudos_the_recipient(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        manager, alice = await as_(org.manager), await as_(org.alice)
        kudos = (
            await manager.post("/api/posts", json={"body": "Thanks!", "kudos_to": org.alice.id})
        ).json()
        await alice.post(f"/api/posts/{kudos['id']}/comments", json={"body": "Thank you too"})
        await run_jobs(live.settings)
        kinds = {(n.kind, n.employee_id) for n in await Notification.all()}
        assert kinds == {("kudos", org.alice.id), ("comment", org.manager.id)}


async def test_a_reaction_notifies_the_author_once(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob = await as_(org.alice), await as_(org.bob)
        post = (await alice.post("/api/posts", json={"body": "New shelf layout"})).json()
        await alice.put(f"/api/posts/{post['id']}/reactions/like")  # my own: nobody told
        await bob.put(f"/api/posts/{post['id']}/reactions/like")
        await bob.delete(f"/api/posts/{post['id']}/reactions/like")
        await bob.put(f"/api/posts/{post['id']}/reactions/like")  # again: not twice
        await bob.put(f"/api/posts/{post['id']}/reactions/fire")
        mine = (await alice.get("/api/notifications")).json()
        reactions = [n for n in mine["items"] if n["kind"] == "reaction"]
        assert sorted(n["payload"]["emoji"] for n in reactions) == ["fire", "like"]
        assert {n["payload"]["by"] for n in reactions} == {org.bob.id}
        assert mine["unread_count"] == 2
        assert (await bob.get("/api/notifications")).json()["items"] == []
