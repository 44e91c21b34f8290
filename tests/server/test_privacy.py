"""No IDOR: every route that takes an object id, for every role, against objects of others
that the role may not see or change (secret and private groups, targeted posts). Not one
unauthorised 2xx; lists and search never show them either."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.models import Employee, Role
from tests.community import Clients, make_org
from tests.conftest import LiveServer
from tests.helpers import make_employee

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SOON = (datetime.now(UTC) + timedelta(days=1)).isoformat()
LATER = (datetime.now(UTC) + timedelta(days=1, hours=1)).isoformat()


def content_routes(o: dict[str, int]) -> list[tuple[str, str, Any]]:
    """Routes on a post (and what hangs off it) the caller may not see."""
    p, c, poll, a = o["post"], o["comment"], o["poll"], o["attachment"]
    return [
        ("GET", f"/api/posts/{p}", None),
        ("PATCH", f"/api/posts/{p}", {"body": "x"}),
        ("DELETE", f"/api/posts/{p}", None),
        ("POST", f"/api/posts/{p}/view", None),
        ("PUT", f"/api/posts/{p}/pin", None),
        ("DELETE", f"/api/posts/{p}/pin", None),
        ("POST", f"/api/posts/{p}/confirm", None),
        ("GET", f"/api/posts/{p}/confirmations", None),
        ("GET", f"/api/posts/{p}/comments", None),
        ("POST", f"/api/posts/{p}/comments", {"body": "x"}),
        ("PUT", f"/api/posts/{p}/reactions/like", None),
        ("DELETE", f"/api/posts/{p}/reactions/like", None),
        ("PATCH", f"/api/comments/{c}", {"body": "x"}),
        ("DELETE", f"/api/comments/{c}", None),
        ("GET", f"/api/polls/{poll}", None),
        ("POST", f"/api/polls/{poll}/answer", {"option_ids": [o["option"]]}),
        ("GET", f"/api/attachments/{a}", None),
    ]


def group_routes(g: int, member: int, secret: bool) -> list[tuple[str, str, Any]]:
    routes = [
        ("GET", f"/api/groups/{g}/posts", None),
        ("GET", f"/api/groups/{g}/members", None),
        ("GET", f"/api/groups/{g}/members?state=requested", None),
        ("PATCH", f"/api/groups/{g}", {"name": "mine now"}),
        ("POST", f"/api/groups/{g}/invite", {"employee_ids": [member]}),
        ("POST", f"/api/groups/{g}/members/{member}/approve", None),
        ("DELETE", f"/api/groups/{g}/members/{member}", None),
        ("PUT", f"/api/groups/{g}/moderators/{member}", None),
        ("POST", "/api/posts", {"body": "x", "group_id": g}),
        ("POST", "/api/events", {"title": "x", "starts_at": SOON, "ends_at": LATER, "group_id": g}),
    ]
    if secret:
        routes += [("GET", f"/api/groups/{g}", None), ("POST", f"/api/groups/{g}/join", None)]
    return routes


def event_routes(e: int, member: int) -> list[tuple[str, str, Any]]:
    return [
        ("GET", f"/api/events/{e}", None),
        ("GET", f"/api/events/{e}.ics", None),
        ("PUT", f"/api/events/{e}/rsvp", {"answer": "going"}),
        ("GET", f"/api/events/{e}/rsvps", None),
        ("POST", f"/api/events/{e}/attendance", {"employee_ids": [member]}),
    ]


async def make_content(as_: Clients, author: Employee, **where: Any) -> dict[str, int]:
    client = await as_(author)
    upload = await client.post(
        "/api/attachments", content=PNG, headers={"content-type": "image/png"}
    )
    post = await client.post(
        "/api/posts",
        json={
            "body": "confidential plan",
            "needs_confirmation": author.role == Role.COMMS,
            "attachment_ids": [upload.json()["id"]],
            "poll": {"question": "q", "options": ["a", "b"]},
            **where,
        },
    )
    assert post.status_code == 201, post.text
    poll = (await client.get(f"/api/polls/{post.json()['poll_id']}")).json()
    comment = await client.post(
        f"/api/posts/{post.json()['id']}/comments", json={"body": "confidential"}
    )
    return {
        "post": post.json()["id"],
        "comment": comment.json()["id"],
        "poll": poll["id"],
        "option": poll["options"][0]["id"],
        "attachment": upload.json()["id"],
    }


async def test_no_route_lets_a_role_reach_what_it_may_not_see(live: LiveServer) -> None:
    org = await make_org()
    south_manager = await make_employee(
        "south.manager@example.com", role=Role.MANAGER, store=org.store_s, department=org.sales
    )
    owner, member = org.alice, org.manager
    async with Clients(live.url) as as_:
        alice, comms = await as_(owner), await as_(org.comms)
        secret = (
            await alice.post("/api/groups", json={"name": "Secret", "visibility": "secret"})
        ).json()
        private = (
            await alice.post("/api/groups", json={"name": "Private", "visibility": "private"})
        ).json()
        for group in (secret, private):
            await alice.post(
                f"/api/groups/{group['id']}/invite", json={"employee_ids": [member.id]}
            )
            await (await as_(member)).post(f"/api/groups/{group['id']}/join")
        secret_content = await make_content(as_, owner, group_id=secret["id"])
        private_content = await make_content(as_, owner, group_id=private["id"])
        channel = (
            await comms.post("/api/channels", json={"name": "News", "mandatory": True})
        ).json()
        targeted = await make_content(
            as_, org.comms, channel_id=channel["id"], audience=[f"region:{org.north.id}"]
        )
        events = {}
        for name, body in {
            "secret": {"group_id": secret["id"]},
            "private": {"group_id": private["id"]},
            "invited": {"invite": [f"store:{org.store_n.id}"]},
        }.items():
            created = await alice.post(
                "/api/events",
                json={"title": f"{name} meeting", "starts_at": SOON, "ends_at": LATER, **body},
            )
            assert created.status_code == 201, created.text
            events[name] = created.json()["id"]

        everyone = [org.bob, south_manager, org.comms, org.moderator, org.admin]
        outside = [org.bob, south_manager]  # outside the north audience, not staff
        matrix: list[tuple[Employee, str, str, Any]] = []
        for role in everyone:
            for method, url, body in [
                *content_routes(secret_content),
                *content_routes(private_content),
                *group_routes(secret["id"], member.id, secret=True),
                *event_routes(events["secret"], member.id),
                *event_routes(events["private"], member.id),
            ]:
                matrix.append((role, method, url, body))
        for role in outside:
            for method, url, body in [
                *content_routes(targeted),
                *event_routes(events["invited"], member.id),
            ]:
                matrix.append((role, method, url, body))
        for role in (org.bob, south_manager, org.comms):
            for method, url, body in group_routes(private["id"], member.id, secret=False):
                matrix.append((role, method, url, body))

        leaks = []
        for role, method, url, body in matrix:
            client = await as_(role)
            response = await client.request(method, url, json=body)
            if response.status_code < 300 or response.status_code >= 500:
                leaks.append((role.role.value, method, url, response.status_code))
        assert len(matrix) > 300
        assert leaks == []

        # Lists and search do not show them either.
        for role in everyone:
            client = await as_(role)
            feed = (await client.get("/api/feed")).json()["items"]
            seen = {p["id"] for p in feed}
            assert not seen & {secret_content["post"], private_content["post"]}
            found = (await client.get("/api/search", params={"q": "confidential"})).json()
            assert not {p["id"] for p in found["posts"]} & {
                secret_content["post"],
                private_content["post"],
            }
            assert not {c["id"] for c in found["comments"]} & {
                secret_content["comment"],
                private_content["comment"],
            }
            assert "Secret" not in {
                g["name"] for g in (await client.get("/api/groups")).json()["items"]
            }
            listed = {e["id"] for e in (await client.get("/api/events")).json()["items"]}
            assert not listed & {events["secret"], events["private"]}
        for role in outside:
            client = await as_(role)
            assert targeted["post"] not in {
                p["id"] for p in (await client.get("/api/feed")).json()["items"]
            }
            found = (await client.get("/api/search", params={"q": "confidential"})).json()
            assert found["posts"] == [] and found["comments"] == []
            assert events["invited"] not in {
                e["id"] for e in (await client.get("/api/events")).json()["items"]
            }
