from __future__ import annotations

import pytest

from server.models import ActivityEvent, Notification
from tests.community import Clients, make_org
from tests.conftest import LiveServer

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database


async def test_public_private_and_secret_groups(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, carol = await as_(org.alice), await as_(org.bob), await as_(org.carol)
        public = (await alice.post("/api/groups", json={"name": "Runners"})).json()
        private = (
            await alice.post("/api/groups", json={"name": "Directors", "visibility": "private"})
        ).json()
        secret = (
            await alice.post("/api/groups", json={"name": "Merger", "visibility": "secret"})
        ).json()
        assert public["i_moderate"] and public["member_count"] == 1
        listed = {g["name"] for g in (await bob.get("/api/groups")).json()["items"]}
        assert listed == {"Runners", "Directors"}
        assert (await bob.get(f"/api/groups/{secret['id']}")).status_code == 404
        assert (await bob.post(f"/api/groups/{secret['id']}/join")).status_code == 404
        assert (await bob.post(f"/api/groups/{public['id']}/join")).json() == {"state": "member"}
        assert (await bob.post(f"/api/groups/{private['id']}/join")).json() == {
            "state": "requested"
        }
        # Content of a private group is for members; its member list too.
        await alice.post("/api/posts", json={"body": "inside", "group_id": private["id"]})
        assert (await bob.get(f"/api/groups/{private['id']}/posts")).status_code == 404
        assert (await bob.get(f"/api/groups/{private['id']}/members")).status_code == 403
        requests = (
            await alice.get(f"/api/groups/{private['id']}/members", params={"state": "requested"})
        ).json()
        assert [m["person"]["id"] for m in requests["items"]] == [org.bob.id]
        assert (
            await carol.get(f"/api/groups/{private['id']}/members", params={"state": "requested"})
        ).status_code == 403
        assert (
            await carol.post(f"/api/groups/{private['id']}/members/{org.bob.id}/approve")
        ).status_code == 403
        assert (
            await alice.post(f"/api/groups/{private['id']}/members/{org.bob.id}/approve")
        ).status_code == 200
        assert [
            p["body"] for p in (await bob.get(f"/api/groups/{private['id']}/posts")).json()["items"]
        ] == ["inside"]
        # Secret: only by invitation from a moderator.
        assert (
            await bob.post(
                f"/api/groups/{secret['id']}/invite", json={"employee_ids": [org.carol.id]}
            )
        ).status_code == 404
        invited = await alice.post(
            f"/api/groups/{secret['id']}/invite", json={"employee_ids": [org.carol.id]}
        )
        assert invited.json() == {"invited": 1}
        assert (await carol.get(f"/api/groups/{secret['id']}")).json()["my_state"] == "invited"
        assert (await carol.post(f"/api/groups/{secret['id']}/join")).json() == {"state": "member"}
        assert "Merger" in {
            g["name"]
            for g in (await carol.get("/api/groups", params={"mine": True})).json()["items"]
        }
        assert (await carol.post(f"/api/groups/{secret['id']}/leave")).status_code == 200
        assert (await carol.get(f"/api/groups/{secret['id']}")).status_code == 404
        joined = await ActivityEvent.filter(type="group.joined").values_list("actor_id", flat=True)
        assert sorted(joined) == sorted([org.bob.id, org.bob.id, org.carol.id])
        kinds = set(await Notification.all().values_list("kind", flat=True))
        assert kinds == {"group.join_requested", "group.join_approved", "group.invited"}


async def test_group_moderators_manage_members_and_pins(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, carol = await as_(org.alice), await as_(org.bob), await as_(org.carol)
        group = (await alice.post("/api/groups", json={"name": "Book club"})).json()
        await bob.post(f"/api/groups/{group['id']}/join")
        await carol.post(f"/api/groups/{group['id']}/join")
        post = (
            await carol.post("/api/posts", json={"body": "Read this", "group_id": group["id"]})
        ).json()
        assert (await bob.put(f"/api/posts/{post['id']}/pin")).status_code == 403
        assert (
            await bob.put(f"/api/groups/{group['id']}/moderators/{org.bob.id}")
        ).status_code == 403
        assert (
            await alice.put(f"/api/groups/{group['id']}/moderators/{org.bob.id}")
        ).status_code == 200
        assert (await bob.put(f"/api/posts/{post['id']}/pin")).json()["pinned"] is True
        assert (
            await bob.delete(f"/api/groups/{group['id']}/members/{org.carol.id}")
        ).status_code == 200
        shown = (await alice.get(f"/api/groups/{group['id']}")).json()
        assert shown["member_count"] == 2
        renamed = await bob.patch(f"/api/groups/{group['id']}", json={"name": "Readers"})
        assert renamed.json()["name"] == "Readers"
        assert (
            await carol.patch(f"/api/groups/{group['id']}", json={"name": "x"})
        ).status_code == 403


async def test_hundreds_of_groups_list_in_pages_and_search(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice = await as_(org.alice)
        for n in range(120):
            name = f"Клуб любителей кофе {n}" if n % 40 == 0 else f"Group {n}"
            await alice.post("/api/groups", json={"name": name})
        seen, cursor = [], None
        while True:
            params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
            page = (await alice.get("/api/groups", params=params)).json()
            seen += [g["id"] for g in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 120
        found = (await alice.get("/api/groups", params={"q": "кофе"})).json()["items"]
        assert len(found) == 3


async def test_the_group_list_shows_my_requests_and_invitations(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, carol = await as_(org.alice), await as_(org.bob), await as_(org.carol)
        private = (
            await alice.post("/api/groups", json={"name": "Directors", "visibility": "private"})
        ).json()
        secret = (
            await alice.post("/api/groups", json={"name": "Merger", "visibility": "secret"})
        ).json()
        await bob.post(f"/api/groups/{private['id']}/join")
        await alice.post(f"/api/groups/{secret['id']}/invite", json={"employee_ids": [org.bob.id]})
        states = {g["name"]: g["my_state"] for g in (await bob.get("/api/groups")).json()["items"]}
        assert states == {"Directors": "requested", "Merger": "invited"}
        invited = (await bob.get("/api/groups", params={"invited": True})).json()["items"]
        assert [g["name"] for g in invited] == ["Merger"]
        # Nobody else sees the secret group, invited or not.
        assert {g["name"] for g in (await carol.get("/api/groups")).json()["items"]} == {
            "Directors"
        }
        assert (await carol.get("/api/groups", params={"invited": True})).json()["items"] == []
        await bob.post(f"/api/groups/{secret['id']}/join")
        states = {g["name"]: g["my_state"] for g in (await bob.get("/api/groups")).json()["items"]}
        assert states == {"Directors": "requested", "Merger": "member"}
        assert (await bob.get("/api/groups", params={"invited": True})).json()["items"] == []
