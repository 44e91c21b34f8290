from __future__ import annotations

import pytest

from server.models import ActivityEvent
from tests.community import Clients, make_org
from tests.conftest import LiveServer

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database


async def test_comments_have_one_level_of_replies(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob = await as_(org.alice), await as_(org.bob)
        post = (await alice.post("/api/posts", json={"body": "Question?"})).json()
        top = (await bob.post(f"/api/posts/{post['id']}/comments", json={"body": "A"})).json()
        reply = await alice.post(
            f"/api/posts/{post['id']}/comments", json={"body": "B", "parent_id": top["id"]}
        )
        deeper = await bob.post(
            f"/api/posts/{post['id']}/comments", json={"body": "C", "parent_id": reply.json()["id"]}
        )
        assert reply.json()["parent_id"] == top["id"]
        assert deeper.json()["parent_id"] == top["id"]  # attached to the thread, not nested
        page = (await alice.get(f"/api/posts/{post['id']}/comments")).json()
        assert [c["body"] for c in page["items"]] == ["A", "B", "C"]
        assert (await alice.get(f"/api/posts/{post['id']}")).json()["comment_count"] == 3
        events = await ActivityEvent.filter(type="comment.created").order_by("id")
        assert [e.data["is_reply"] for e in events] == [False, True, True]
        assert events[0].subject_id == org.alice.id


async def test_reactions_are_a_fixed_set_and_idempotent(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob = await as_(org.alice), await as_(org.bob)
        post = (await alice.post("/api/posts", json={"body": "Cake in the kitchen"})).json()
        url = f"/api/posts/{post['id']}/reactions"
        assert (await bob.put(f"{url}/poop")).status_code == 422
        first = await bob.put(f"{url}/like")
        again = await bob.put(f"{url}/%F0%9F%91%8D")  # the same reaction by its emoji
        assert first.json() == again.json() == {
            "post_id": post["id"], "reactions": {"like": 1}, "my_reactions": ["like"]
        }  # fmt: skip
        await alice.put(f"{url}/party")
        shown = (await alice.get(f"/api/posts/{post['id']}")).json()
        assert shown["reactions"] == {"like": 1, "party": 1} and shown["reaction_count"] == 2
        gone = await bob.delete(f"{url}/like")
        assert gone.json()["reactions"] == {"party": 1}
        await bob.delete(f"{url}/like")
        kinds = await ActivityEvent.filter(type__startswith="reaction.").values_list(
            "type", flat=True
        )
        assert sorted(kinds) == ["reaction.added", "reaction.added", "reaction.removed"]


async def test_views_count_once_per_person(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, carol = await as_(org.alice), await as_(org.bob), await as_(org.carol)
        post = (await alice.post("/api/posts", json={"body": "Hello"})).json()
        for _ in range(3):
            await bob.get(f"/api/posts/{post['id']}")
            await bob.post(f"/api/posts/{post['id']}/view")
        await carol.post(f"/api/posts/{post['id']}/view")
        await alice.get(f"/api/posts/{post['id']}")  # the author's own views do not count
        assert (await alice.get(f"/api/posts/{post['id']}")).json()["view_count"] == 2
        assert await ActivityEvent.filter(type="post.viewed").count() == 2
