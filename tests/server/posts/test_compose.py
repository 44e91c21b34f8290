from __future__ import annotations

import pytest

from server.models import Group, GroupMember, MemberState, Visibility
from tests.community import Clients, make_org
from tests.conftest import LiveServer

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database


async def test_preview_renders_like_a_stored_post_and_saves_nothing(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice = await as_(org.alice)
        body = f"**Hi** @[Bob](person:{org.bob.id}) <script>x()</script>"
        preview = await alice.post("/api/posts/preview", json={"body": body})
        assert preview.status_code == 200, preview.text
        html = preview.json()["html"]
        assert "<strong>Hi</strong>" in html and f'href="/people/{org.bob.id}"' in html
        assert "<script>" not in html
        stored = await alice.post("/api/posts", json={"body": body})
        assert stored.json()["html"] == html
        feed = (await alice.get(f"/api/people/{org.alice.id}/posts")).json()["items"]
        assert len(feed) == 1


async def test_mentions_offer_people_departments_stores_and_visible_groups(
    live: LiveServer,
) -> None:
    org = await make_org()
    await Group.create(name="North walkers", visibility=Visibility.PUBLIC, created_by=org.alice)
    secret = await Group.create(
        name="North secret", visibility=Visibility.SECRET, created_by=org.carol
    )
    await GroupMember.create(group=secret, employee=org.carol, state=MemberState.MEMBER)
    async with Clients(live.url) as as_:
        bob = await as_(org.bob)
        found = (await bob.get("/api/mentions", params={"q": "nor"})).json()["items"]
        assert {(m["kind"], m["name"]) for m in found} == {
            ("store", "North store"),
            ("group", "North walkers"),
        }
        people = (await bob.get("/api/mentions", params={"q": "ali"})).json()["items"]
        assert people[0]["kind"] == "person" and people[0]["id"] == org.alice.id
        assert "Sales floor" in people[0]["detail"]


async def test_audience_count_is_for_comms_and_counts_the_union(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, alice = await as_(org.comms), await as_(org.alice)
        tokens = [f"region:{org.north.id}", f"dept:{org.it.id}"]
        counted = await comms.post("/api/audience/count", json={"tokens": tokens})
        assert counted.status_code == 200, counted.text
        # North: comms, admin, manager, alice; IT: comms, admin, moderator, bob.
        assert counted.json() == {"count": 6}
        assert (await comms.post("/api/audience/count", json={"tokens": []})).json() == {"count": 0}
        bad = await comms.post("/api/audience/count", json={"tokens": ["planet:1"]})
        assert bad.status_code == 422
        refused = await alice.post("/api/audience/count", json={"tokens": tokens})
        assert refused.status_code == 403
        places = (await comms.get("/api/audience/places")).json()
        assert [r["name"] for r in places["regions"]] == ["North", "South"]
        assert "manager" in places["roles"]
        assert (await alice.get("/api/audience/places")).status_code == 403
