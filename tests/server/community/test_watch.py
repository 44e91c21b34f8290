"""Watching a place over real Socket.IO clients on two web processes: the page of a public
group, a blog or an optional channel gets that place's events live without joining it;
private and secret groups refuse; a targeted post never reaches a mere watcher."""

from __future__ import annotations

import pytest

from server.models import Channel, Group, GroupMember, Visibility
from tests.community import make_org
from tests.server.community.test_live import Nodes, people_online, received, settle

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database


async def test_a_watched_group_blog_and_channel_are_live(nodes: Nodes) -> None:
    org = await make_org()
    club = await Group.create(name="Runners", created_by=org.bob)
    await GroupMember.create(group=club, employee=org.bob)
    optional = await Channel.create(name="Optional", created_by=org.comms)
    everyone = [org.alice, org.bob, org.carol, org.comms]
    async with people_online(nodes, everyone, [1, 0, 1, 0]) as online:
        alice, bob, carol, comms = online
        for place, ident in (("group", club.id), ("blog", org.bob.id), ("channel", optional.id)):
            ack = await alice.socket.call("watch", {"place": place, "id": ident})
            assert ack["ok"] is True, ack
        assert ack["watching"] == 3

        # The group: a post, its comment, a reaction's totals, an edit, a deletion.
        post = (await bob.http.post("/api/posts", json={"body": "5k", "group_id": club.id})).json()
        await bob.http.post(f"/api/posts/{post['id']}/comments", json={"body": "Sunday?"})
        await carol.http.put(f"/api/posts/{post['id']}/reactions/like")
        await bob.http.patch(f"/api/posts/{post['id']}", json={"body": "10k"})
        await settle(nodes, online)
        assert len(received(alice, "post.created", post["id"])) == 1
        assert len(received(alice, "comment.created", post["id"])) == 1
        [reaction] = received(alice, "reaction.changed", post["id"])
        assert reaction["counts"] == {"like": 1}
        [updated] = received(alice, "post.updated", post["id"])
        assert updated["excerpt"] == "10k"
        assert (await alice.http.get(f"/api/posts/{post['id']}")).status_code == 200
        assert received(carol, "post.created", post["id"]) == []  # carol does not watch
        assert (await bob.http.delete(f"/api/posts/{post['id']}")).status_code == 200
        await alice.socket.got.wait_for("post.deleted", lambda d: d["post_id"] == post["id"])

        # The blog and the channel's posts to everyone.
        blog = (await bob.http.post("/api/posts", json={"body": "My week"})).json()
        news = await comms.http.post("/api/posts", json={"body": "n", "channel_id": optional.id})
        await settle(nodes, online)
        assert len(received(alice, "post.created", blog["id"])) == 1
        assert len(received(alice, "post.created", news.json()["id"])) == 1
        assert received(carol, "post.created", blog["id"]) == []

        # Targeted posts in the watched channel: only those in the audience get them, the
        # group's audience token included (watching the group is not being in it).
        targets = {
            "south": [f"store:{org.store_s.id}"],
            "members": [f"group:{club.id}"],
            "north": [f"store:{org.store_n.id}"],
        }
        sent = {}
        for name, audience in targets.items():
            body = {"body": name, "channel_id": optional.id, "audience": audience}
            created = await comms.http.post("/api/posts", json=body)
            assert created.status_code == 201, created.text
            sent[name] = created.json()["id"]
        await settle(nodes, online)
        assert received(alice, "post.created", sent["south"]) == []
        assert received(alice, "post.created", sent["members"]) == []
        assert len(received(alice, "post.created", sent["north"])) == 1  # alice works there
        assert len(received(bob, "post.created", sent["members"])) == 1
        assert (await alice.http.get(f"/api/posts/{sent['members']}")).status_code == 404

        # Unwatching stops the group's events; the blog's still come.
        ack = await alice.socket.call("unwatch", {"place": "group", "id": club.id})
        assert ack == {"ok": True, "watching": 2}
        later = (await bob.http.post("/api/posts", json={"body": "x", "group_id": club.id})).json()
        blog2 = (await bob.http.post("/api/posts", json={"body": "y"})).json()
        await settle(nodes, online)
        assert received(alice, "post.created", later["id"]) == []
        assert len(received(alice, "post.created", blog2["id"])) == 1


async def test_private_and_secret_groups_refuse_watchers(nodes: Nodes) -> None:
    org = await make_org()
    private = await Group.create(name="Board", visibility=Visibility.PRIVATE, created_by=org.bob)
    secret = await Group.create(name="Plans", visibility=Visibility.SECRET, created_by=org.bob)
    for group in (private, secret):
        await GroupMember.create(group=group, employee=org.bob)
    async with people_online(nodes, [org.alice, org.bob], [1, 0]) as online:
        alice, bob = online
        refused = await alice.socket.call("watch", {"place": "group", "id": private.id})
        assert refused == {
            "ok": False,
            "error": "not_a_member",
            "detail": "Only members of this group can do this.",
        }
        hidden = await alice.socket.call("watch", {"place": "group", "id": secret.id})
        missing = await alice.socket.call("watch", {"place": "group", "id": secret.id + 999})
        assert hidden == missing == {"ok": False, "error": "not_found", "detail": "Not found."}
        for place in ("blog", "channel"):
            absent = await alice.socket.call("watch", {"place": place, "id": 10**6})
            assert absent["error"] == "not_found"
        assert (await bob.socket.call("watch", {"place": "group", "id": secret.id}))["ok"]
        for group in (private, secret):
            body = {"body": "inside", "group_id": group.id}
            post = (await bob.http.post("/api/posts", json=body)).json()
            await settle(nodes, online)
            assert received(alice, "post.created", post["id"]) == []
            assert len(received(bob, "post.created", post["id"])) == 1


async def test_a_group_made_private_stops_reaching_its_watchers(nodes: Nodes) -> None:
    org = await make_org()
    async with people_online(nodes, [org.alice, org.bob], [1, 0]) as online:
        alice, bob = online
        group = (await bob.http.post("/api/groups", json={"name": "Open"})).json()
        assert (await alice.socket.call("watch", {"place": "group", "id": group["id"]}))["ok"]
        body = {"body": "open", "group_id": group["id"]}
        before = (await bob.http.post("/api/posts", json=body)).json()
        await alice.socket.got.wait_for("post.created", lambda d: d["post_id"] == before["id"])
        replayed = await alice.socket.call("sync", {"since": 0})
        assert before["id"] in [e["data"].get("post_id") for e in replayed["events"]]

        changed = await bob.http.patch(f"/api/groups/{group['id']}", json={"visibility": "private"})
        assert changed.status_code == 200, changed.text
        after = await bob.http.post("/api/posts", json={"body": "closed", "group_id": group["id"]})
        await settle(nodes, online)
        assert received(alice, "post.created", after.json()["id"]) == []
        for post_id in (before["id"], after.json()["id"]):
            assert (await alice.http.get(f"/api/posts/{post_id}")).status_code == 404
        # Nor does a replay after a reconnect hand out what was posted while it was open.
        replayed = await alice.socket.call("sync", {"since": 0})
        assert before["id"] not in [e["data"].get("post_id") for e in replayed["events"]]
        again = await alice.socket.call("watch", {"place": "group", "id": group["id"]})
        assert again["error"] == "not_a_member"
