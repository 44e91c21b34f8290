"""A change of role, store or department moves the person's open tabs on every web process
at once (HR import over HTTP, the import service, `plaza users set-role`): targeted posts
follow them without a reconnect, and what their tabs watch stays."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from realtime import rooms
from server.hr.parse import parse
from server.hr.service import import_rows
from server.models import Channel, Employee, Role, Store
from tests.community import make_org
from tests.helpers import run_jobs
from tests.realtime.support import LiveClient
from tests.server.community.test_live import Nodes, people_online, received
from tests.server.test_rewards_cli import plaza

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

_markers = itertools.count(1)
PROBE = -2  # the chat id of probe events


async def hears(nodes: Nodes, tab: LiveClient, room: str) -> bool:
    """Whether the tab gets what is published to the room now: a probe to the room, then
    one to `company`; from one publisher the first arrives before the second, if at all."""
    marker, done = next(_markers), next(_markers)
    publisher = nodes[0].services.publisher
    await publisher.publish("chat.read", probe(marker), room)
    await publisher.publish("chat.read", probe(done), rooms.COMPANY)
    await tab.got.wait_for("chat.read", lambda d: d["message_id"] == done)
    return any(d["message_id"] == marker for d in tab.got.of("chat.read"))


async def until_hears(nodes: Nodes, tab: LiveClient, room: str) -> None:
    """Each process applies the move when the control message reaches it."""
    for _ in range(50):
        if await hears(nodes, tab, room):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never entered {room}")


def probe(marker: int) -> dict[str, int]:
    return {"chat_id": PROBE, "employee_id": 0, "message_id": marker}


async def cities(*store_ids: int) -> list[int]:
    found = dict(await Store.filter(id__in=store_ids).values_list("id", "city_id"))
    return [int(found[s]) for s in store_ids]


async def test_an_hr_import_moves_open_tabs_on_every_node(nodes: Nodes) -> None:
    org = await make_org()
    optional = await Channel.create(name="Stores", created_by=org.comms)
    people = [org.admin, org.alice, org.alice, org.comms, org.bob]
    async with people_online(nodes, people, [0, 0, 1, 0, 1]) as online:
        admin, alice_a, alice_b, comms, bob = online
        tabs = (alice_a.socket, alice_b.socket)
        assert (await alice_b.socket.call("watch", {"place": "blog", "id": org.bob.id}))["ok"]
        south = f"store:{org.store_s.id}"
        before = [south, f"dept:{org.it.id}", f"region:{org.south.id}", "role:manager"]
        for tab in tabs:
            for room in before:
                assert not await hears(nodes, tab, room)

        # Alice moves to the south store, to IT, and becomes a manager.
        csv = (
            "employee_id,email,name,department_code,store_code,city_code,region_code,role\n"
            "E7,alice@example.com,Alice,it,ss,cs,s,manager\n"
        )
        started = await admin.http.post(
            "/api/admin/hr/imports", content=csv, headers={"Content-Type": "text/csv"}
        )
        assert started.status_code == 202, started.text
        await run_jobs(nodes[0].settings)
        done = (await admin.http.get(f"/api/admin/hr/imports/{started.json()['id']}")).json()
        assert done["summary"]["updated"] == 1, done
        north_city, south_city = await cities(org.store_n.id, org.store_s.id)
        after = [*before, f"city:{south_city}"]
        left = [f"store:{org.store_n.id}", f"dept:{org.sales.id}", f"region:{org.north.id}"]
        for tab in tabs:
            for room in after:
                await until_hears(nodes, tab, room)
            for room in [*left, "role:employee", f"city:{north_city}"]:
                assert not await hears(nodes, tab, room), room

        # As a reader notices it: a post for the south store reaches her open tabs, one
        # for the north store no longer does; the blog her tab watches still comes.
        sent = {}
        for name, audience in (("south", [south]), ("north", [f"store:{org.store_n.id}"])):
            body = {"body": name, "channel_id": optional.id, "audience": audience}
            sent[name] = (await comms.http.post("/api/posts", json=body)).json()["id"]
        blog = (await bob.http.post("/api/posts", json={"body": "from the south"})).json()
        for tab in tabs:
            await tab.got.wait_for("post.created", lambda d: d["post_id"] == sent["south"])
        await alice_b.socket.got.wait_for("post.created", lambda d: d["post_id"] == blog["id"])
        await comms.socket.got.wait_for("post.created", lambda d: d["post_id"] == sent["north"])
        for person in (alice_a, alice_b):
            assert received(person, "post.created", sent["north"]) == []


async def test_a_store_or_city_moved_elsewhere_moves_its_people(nodes: Nodes) -> None:
    org = await make_org()
    services = nodes[0].services
    north_city, south_city = await cities(org.store_n.id, org.store_s.id)
    async with people_online(nodes, [org.alice, org.alice], [1, 0]) as online:
        # Alice's row is unchanged, but her store now lies in the south's city.
        csv = (
            "employee_id,email,name,department_code,store_code,city_code,region_code\n"
            "E7,alice@example.com,Alice,sales,sn,cs,s\n"
        )
        summary = await import_rows(
            parse(csv.encode(), "hr.csv"), full=False, redis=services.redis, keys=services.keys
        )
        assert summary.updated == 1  # her employee id, first seen in this file
        assert await cities(org.store_n.id) == [south_city]
        for tab in (person.socket for person in online):
            await until_hears(nodes, tab, f"region:{org.south.id}")
            await until_hears(nodes, tab, f"city:{south_city}")
            for room in (f"region:{org.north.id}", f"city:{north_city}"):
                assert not await hears(nodes, tab, room), room
            assert await hears(nodes, tab, f"store:{org.store_n.id}")
        # Then the city itself moves to the north region: everyone in its stores follows.
        csv = (
            "employee_id,email,name,department_code,store_code,city_code,region_code\n"
            "E8,bob@example.com,Bob,it,ss,cs,n\n"
        )
        await import_rows(
            parse(csv.encode(), "hr.csv"), full=False, redis=services.redis, keys=services.keys
        )
        for tab in (person.socket for person in online):
            await until_hears(nodes, tab, f"region:{org.north.id}")
            assert not await hears(nodes, tab, f"region:{org.south.id}")


async def test_set_role_from_the_command_line_moves_open_tabs(nodes: Nodes) -> None:
    org = await make_org()
    channel = await Channel.create(name="South news", created_by=org.comms)
    async with people_online(nodes, [org.alice, org.alice, org.comms], [0, 1, 0]) as online:
        alice_a, alice_b, comms = online
        done = await asyncio.to_thread(
            plaza, nodes[0].settings, "users", "set-role", "alice@example.com", "moderator"
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert (await Employee.get(id=org.alice.id)).role == Role.MODERATOR
        for person in (alice_a, alice_b):
            await until_hears(nodes, person.socket, rooms.STAFF)
            assert not await hears(nodes, person.socket, "role:employee")
        # A moderator sees every channel post, targeted elsewhere or not: now, live.
        body = {"body": "s", "channel_id": channel.id, "audience": [f"store:{org.store_s.id}"]}
        post = (await comms.http.post("/api/posts", json=body)).json()
        for person in (alice_a, alice_b):
            await person.socket.got.wait_for("post.created", lambda d: d["post_id"] == post["id"])
        assert (await alice_a.http.get(f"/api/posts/{post['id']}")).status_code == 200
