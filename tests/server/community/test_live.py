"""The community over real Socket.IO clients on two web processes: a post's events reach
those whose feed holds it or who watch its place, and never anyone who may not read it;
membership changes move sockets at once; notifications arrive live."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtime import rooms
from server.community.access import CHANNEL_STAFF, load_viewer
from server.community.live import community_rooms
from server.models import (
    Channel,
    ChannelSubscription,
    Department,
    Employee,
    Follow,
    Group,
    GroupMember,
    MemberState,
    Role,
    Store,
    Visibility,
)
from tests.community import Clients, make_org
from tests.conftest import LiveServer
from tests.helpers import make_employee, run_jobs
from tests.realtime.support import LiveClient, check_schema, connect

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

Nodes = tuple[LiveServer, LiveServer]
_batch = itertools.count()
SENTINEL = -1


@dataclass
class Person:
    employee: Employee
    http: httpx.AsyncClient
    socket: LiveClient


@contextlib.asynccontextmanager
async def people_online(
    nodes: Nodes, employees: list[Employee], where: list[int]
) -> AsyncIterator[list[Person]]:
    """Each employee signed in over HTTP and connected by socket to the process `where`
    says (HTTP goes to the same process)."""
    async with contextlib.AsyncExitStack() as stack:
        found = []
        for employee, index in zip(employees, where, strict=True):
            node = nodes[index]
            clients = await stack.enter_async_context(Clients(node.url))
            http = await clients(employee)
            cookie = str(http.cookies["plaza_session"])
            socket = await stack.enter_async_context(connect(node.url, cookie=cookie))
            found.append(Person(employee, http, socket))
        yield found


async def settle(nodes: Nodes, people: list[Person]) -> None:
    """Wait until every socket has everything published so far: a marker from each process
    to everyone arrives after what that process published before it (one Redis
    connection per publisher keeps the order)."""
    marker = next(_batch)
    for index, node in enumerate(nodes):
        payload = {"chat_id": SENTINEL, "employee_id": index, "message_id": marker}
        await node.services.publisher.publish("chat.read", payload, rooms.COMPANY)
    for person in people:
        for index in (0, 1):
            await person.socket.got.wait_for(
                "chat.read",
                lambda d, i=index: (
                    d["chat_id"] == SENTINEL and d["employee_id"] == i and d["message_id"] == marker
                ),
            )


def received(person: Person, event: str, post_id: int) -> list[dict[str, Any]]:
    found = [d for d in person.socket.got.of(event) if d.get("post_id") == post_id]
    for data in found:
        check_schema(event, data)
    return found


# -- the property: no leak, nothing missing -------------------------------------------------

scenario = st.fixed_dictionaries(
    {
        # per person: store (0/1), department (0/1), manager?, process (0/1)
        "people": st.lists(
            st.tuples(st.integers(0, 1), st.integers(0, 1), st.booleans(), st.integers(0, 1)),
            min_size=4,
            max_size=4,
        ),
        "visibility": st.sampled_from(["public", "private", "secret"]),
        "members": st.sets(st.integers(0, 3)),
        "invited": st.sets(st.integers(0, 3)),
        "subscribers": st.sets(st.integers(0, 3)),
        "followers": st.sets(st.integers(1, 3)),
        "place": st.sampled_from(["group", "mandatory", "optional", "blog"]),
        "audience": st.sets(st.integers(0, 6), max_size=3),
        # per person: the place their open page shows without being in its feed
        "watches": st.lists(
            st.sampled_from(["none", "group", "blog", "optional", "mandatory"]),
            min_size=4,
            max_size=4,
        ),
        "staff_node": st.integers(0, 1),
        "writer_node": st.integers(0, 1),
    }
)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=scenario)
async def test_post_events_reach_the_feed_and_never_leak(
    nodes: Nodes, case: dict[str, Any]
) -> None:
    n = next(_batch)
    if not await Employee.exists(email="comms@example.com"):  # once per database
        await make_org()
    comms = await Employee.get(email="comms@example.com")
    moderator = await Employee.get(email="moderator@example.com")
    store_rows = list(await Store.all().order_by("id"))
    places = {
        int(i): (int(c), int(r))
        for i, c, r in await Store.all().values_list("id", "city_id", "city__region_id")
    }
    depts = list(await Department.all().order_by("id"))
    people = [
        await make_employee(
            f"live{n}-{i}@example.com",
            role=Role.MANAGER if manager else Role.EMPLOYEE,
            store=store_rows[s],
            department=depts[d],
        )
        for i, (s, d, manager, _) in enumerate(case["people"])
    ]
    # The group: person 0 (or comms, when no one is a member) writes in it.
    group = await Group.create(
        name=f"g{n}", visibility=Visibility(case["visibility"]), created_by=comms
    )
    members = case["members"] | ({0} if case["place"] == "group" else set())
    for i in members:
        await GroupMember.create(group=group, employee=people[i])
    for i in case["invited"] - members:
        await GroupMember.create(group=group, employee=people[i], state=MemberState.INVITED)
    mandatory = await Channel.create(name=f"m{n}", mandatory=True, created_by=comms)
    optional = await Channel.create(name=f"o{n}", created_by=comms)
    for i in case["subscribers"]:
        await ChannelSubscription.create(channel=optional, employee=people[i])
    for i in case["followers"]:
        await Follow.create(follower=people[i], followee=people[0])
    tokens = [
        f"store:{store_rows[0].id}",
        f"region:{places[store_rows[1].id][1]}",
        f"dept:{depts[0].id}",
        "role:manager",
        f"employee:{people[1].id}",
        f"group:{group.id}",
        f"city:{places[store_rows[0].id][0]}",
    ]
    audience = sorted(tokens[i] for i in case["audience"])
    everyone = [*people, comms, moderator]
    where = [p[3] for p in case["people"]] + [case["writer_node"], case["staff_node"]]
    watched = {"group": group.id, "blog": people[0].id}
    watched |= {"optional": optional.id, "mandatory": mandatory.id}
    async with people_online(nodes, everyone, where) as online:
        watching: list[bool] = []  # per person: watches the place the post is in
        for i, choice in enumerate(case["watches"]):
            if choice == "none":
                watching.append(False)
                continue
            kind = "channel" if choice in ("optional", "mandatory") else choice
            ack = await online[i].socket.call("watch", {"place": kind, "id": watched[choice]})
            readable = choice != "group" or case["visibility"] == "public" or i in members
            assert ack["ok"] is readable, (i, choice, ack, case)
            if not readable:  # refused with the same answer HTTP gives: nothing to probe
                assert ack["error"] in ("not_found", "not_a_member"), ack
                if case["visibility"] == "secret" and i not in case["invited"]:
                    assert ack["error"] == "not_found", ack
            watching.append(ack["ok"] and choice == case["place"])
        watching += [False, False]  # comms and the moderator watch nothing
        writer = online[4] if case["place"] in ("mandatory", "optional") else online[0]
        body: dict[str, Any] = {"body": f"post {n}"}
        if case["place"] == "group":
            body["group_id"] = group.id
        elif case["place"] != "blog":
            body["channel_id"] = (mandatory if case["place"] == "mandatory" else optional).id
            if audience:
                body["audience"] = audience
        created = await writer.http.post("/api/posts", json=body)
        assert created.status_code == 201, created.text
        post_id = created.json()["id"]
        comment = await writer.http.post(f"/api/posts/{post_id}/comments", json={"body": "c"})
        assert comment.status_code == 201, comment.text
        reacted = await writer.http.put(f"/api/posts/{post_id}/reactions/like")
        assert reacted.status_code == 200, reacted.text
        await settle(nodes, online)
        for person, watches in zip(online, watching, strict=True):
            got = {
                event: len(received(person, event, post_id))
                for event in ("post.created", "comment.created", "reaction.changed")
            }
            feed = (await person.http.get("/api/feed")).json()["items"]
            in_feed = post_id in [p["id"] for p in feed]
            may_read = (await person.http.get(f"/api/posts/{post_id}")).status_code == 200
            who = (person.employee.email, case)
            assert set(got.values()) <= {0, 1}, who  # one copy, even in several rooms
            if got["post.created"]:
                assert may_read, who  # never a leak
            if in_feed or person is writer:
                assert got["post.created"] == 1, who  # nothing missing
            # A watcher of the place gets what it may read there: a public group's posts,
            # a blog's, a channel's posts to everyone (a targeted one only in its audience).
            if watches and may_read:
                assert got["post.created"] == 1, who
            # Staff hear every channel post, in their feed or not (they moderate them).
            if person.employee.role in CHANNEL_STAFF and "channel_id" in body:
                assert got["post.created"] == 1, who
            # Beyond the feed and the watchers only one case: a targeted post in an optional
            # channel reaches its audience's rooms, subscribed or not (rooms are unions).
            beyond = not (in_feed or person is writer or watches)
            if beyond and person.employee.role not in CHANNEL_STAFF:
                assert got["post.created"] == 0 or (case["place"], bool(audience)) == (
                    "optional",
                    True,
                ), who
            assert got["post.created"] == got["comment.created"] == got["reaction.changed"], who


# -- rooms ------------------------------------------------------------------------------------


async def test_rooms_hold_the_audience_tokens_and_memberships(db: object) -> None:
    org = await make_org()
    group = await Group.create(name="g", visibility=Visibility.SECRET, created_by=org.comms)
    await GroupMember.create(group=group, employee=org.alice)
    other = await Group.create(name="h", created_by=org.comms)
    await GroupMember.create(group=other, employee=org.alice, state=MemberState.INVITED)
    channel = await Channel.create(name="c", created_by=org.comms)
    await ChannelSubscription.create(channel=channel, employee=org.alice)
    await Follow.create(follower=org.alice, followee=org.manager)
    found = await community_rooms(org.alice.id)
    assert (await load_viewer(org.alice)).tokens <= found  # the tokens HTTP checks are rooms
    assert rooms.personal(org.alice.id) in found
    assert {rooms.group(group.id), rooms.channel(channel.id), rooms.blog(org.manager.id)} <= found
    assert rooms.group(other.id) not in found  # invited is not a member
    assert rooms.STAFF not in found
    assert rooms.STAFF in await community_rooms(org.moderator.id)


async def test_a_socket_in_two_matching_rooms_gets_one_copy(nodes: Nodes) -> None:
    org = await make_org()
    channel = await Channel.create(name="News", mandatory=True, created_by=org.comms)
    audience = [f"store:{org.store_n.id}", f"dept:{org.sales.id}", f"employee:{org.alice.id}"]
    async with people_online(nodes, [org.alice, org.alice, org.comms], [0, 1, 0]) as online:
        created = await online[2].http.post(
            "/api/posts", json={"body": "x", "channel_id": channel.id, "audience": audience}
        )
        post_id = created.json()["id"]
        await settle(nodes, online)
        for person in online:
            assert len(received(person, "post.created", post_id)) == 1


async def test_membership_changes_move_sockets_on_every_process(nodes: Nodes) -> None:
    org = await make_org()
    async with people_online(nodes, [org.alice, org.bob, org.carol], [1, 0, 1]) as online:
        alice, bob, carol = online
        group = (
            await bob.http.post("/api/groups", json={"name": "Club", "visibility": "private"})
        ).json()
        asked = await alice.http.post(f"/api/groups/{group['id']}/join")
        assert asked.json()["state"] == "requested"
        first = await bob.http.post("/api/posts", json={"body": "1", "group_id": group["id"]})
        await settle(nodes, online)
        assert received(alice, "post.created", first.json()["id"]) == []
        approved = await bob.http.post(f"/api/groups/{group['id']}/members/{org.alice.id}/approve")
        assert approved.status_code == 200
        await alice.socket.got.wait_for(
            "notification", lambda d: d["kind"] == "group.join_approved"
        )
        second = await bob.http.post("/api/posts", json={"body": "2", "group_id": group["id"]})
        await settle(nodes, online)
        assert len(received(alice, "post.created", second.json()["id"])) == 1
        assert received(carol, "post.created", second.json()["id"]) == []
        removed = await bob.http.delete(f"/api/groups/{group['id']}/members/{org.alice.id}")
        assert removed.status_code == 200
        await settle(nodes, online)
        third = await bob.http.post("/api/posts", json={"body": "3", "group_id": group["id"]})
        await settle(nodes, online)
        assert received(alice, "post.created", third.json()["id"]) == []
        # Following a blog, then not.
        await carol.http.put(f"/api/people/{org.bob.id}/follow")
        blog = await bob.http.post("/api/posts", json={"body": "blog"})
        await settle(nodes, online)
        assert len(received(carol, "post.created", blog.json()["id"])) == 1
        assert received(alice, "post.created", blog.json()["id"]) == []
        await carol.http.delete(f"/api/people/{org.bob.id}/follow")
        await settle(nodes, online)
        again = await bob.http.post("/api/posts", json={"body": "blog 2"})
        await settle(nodes, online)
        assert received(carol, "post.created", again.json()["id"]) == []
    # An optional channel: subscribe over HTTP on one process, hear it on the other.
    optional = await Channel.create(name="Optional", created_by=org.comms)
    async with people_online(nodes, [org.alice, org.comms], [1, 0]) as online:
        alice, comms = online
        assert (
            await alice.http.put(f"/api/channels/{optional.id}/subscription")
        ).status_code == 200
        await settle(nodes, online)
        news = await comms.http.post("/api/posts", json={"body": "n", "channel_id": optional.id})
        await settle(nodes, online)
        assert len(received(alice, "post.created", news.json()["id"])) == 1


async def test_pins_views_polls_and_deletes_are_live(nodes: Nodes) -> None:
    org = await make_org()
    channel = await Channel.create(name="News", mandatory=True, created_by=org.comms)
    async with people_online(nodes, [org.comms, org.alice], [0, 1]) as online:
        comms, alice = online
        created = await comms.http.post(
            "/api/posts",
            json={
                "body": "Where?",
                "channel_id": channel.id,
                "poll": {"question": "Where?", "options": ["Park", "Boat"]},
            },
        )
        post = created.json()
        await alice.socket.got.wait_for("post.created", lambda d: d["post_id"] == post["id"])
        assert (await comms.http.put(f"/api/posts/{post['id']}/pin")).status_code == 200
        pinned = await alice.socket.got.wait_for("post.pinned")
        assert pinned["pinned"] is True
        assert (await alice.http.get(f"/api/posts/{post['id']}")).status_code == 200
        views = await comms.socket.got.wait_for("post.views")
        assert views == {**views, "post_id": post["id"], "views": 1}
        poll_id = post["poll_id"]
        option = (await alice.http.get(f"/api/polls/{poll_id}")).json()["options"][1]["id"]
        voted = await alice.http.post(f"/api/polls/{poll_id}/answer", json={"option_ids": [option]})
        assert voted.status_code == 200, voted.text
        results = await comms.socket.got.wait_for("poll.results")
        assert results["total"] == 1
        assert {o["option_id"]: o["votes"] for o in results["options"]}[option] == 1
        edited = await comms.http.patch(f"/api/posts/{post['id']}", json={"body": "Where now?"})
        assert edited.status_code == 200
        updated = await alice.socket.got.wait_for("post.updated")
        assert updated["excerpt"] == "Where now?"
        assert (await comms.http.delete(f"/api/posts/{post['id']}")).status_code == 200
        await alice.socket.got.wait_for("post.deleted", lambda d: d["post_id"] == post["id"])
        for person in online:
            for event, data in person.socket.got.events:
                if event != "chat.read":
                    check_schema(event, data)


async def test_a_mention_fanned_out_by_the_worker_arrives_on_the_other_process(
    nodes: Nodes,
) -> None:
    org = await make_org()
    a, _ = nodes
    async with people_online(nodes, [org.alice, org.manager], [1, 0]) as online:
        alice, manager = online
        text = f"Thanks @[Alice](person:{org.alice.id})!"
        created = await manager.http.post("/api/posts", json={"body": text})
        assert created.status_code == 201
        await run_jobs(a.settings)
        note = await alice.socket.got.wait_for("notification", lambda d: d["kind"] == "mention")
        check_schema("notification", note)
        assert note["payload"]["post_id"] == created.json()["id"]
        assert note["actor_id"] == org.manager.id
        unread = await alice.socket.got.wait_for("notification.unread")
        assert unread["count"] == 1
        listed = (await alice.http.get("/api/notifications")).json()
        assert [n["id"] for n in listed["items"]] == [note["id"]]
        # The author is not told of his own mention (a first-post badge may reach him).
        assert [
            n for n in manager.socket.got.of("notification") if n["kind"] != "badge.awarded"
        ] == []
