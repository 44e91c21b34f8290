"""A room's events reach its members and nobody else, whichever process each socket is on
and whichever process publishes (a property over random memberships)."""

from __future__ import annotations

import contextlib
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtime import rooms
from server.live import org_rooms, room_resolver
from server.models import Chat, ChatKind, ChatMember, Department, Region, Role, Store
from server.models.org import City
from tests.conftest import LiveServer
from tests.helpers import make_employee
from tests.realtime.support import connect, session_cookie

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

Nodes = tuple[LiveServer, LiveServer]
_people = itertools.count()

memberships = st.lists(
    st.tuples(
        st.sets(st.integers(0, 3), max_size=4),  # which people are in this chat
        st.integers(0, 1),  # which process publishes to it
    ),
    min_size=1,
    max_size=3,
)
placement = st.lists(st.integers(0, 1), min_size=4, max_size=4)  # process per person


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(chats=memberships, where=placement)
async def test_private_rooms_reach_members_only(
    nodes: Nodes, chats: list[tuple[set[int], int]], where: list[int]
) -> None:
    batch = next(_people)
    people = [await make_employee(f"p{batch}-{i}@example.com") for i in range(4)]
    chat_rows = []
    for members, _ in chats:
        chat = await Chat.create(kind=ChatKind.GROUP, title="t")
        for index in members:
            await ChatMember.create(chat=chat, employee=people[index])
        chat_rows.append(chat)
    async with contextlib.AsyncExitStack() as stack:
        clients = []
        for index, person in enumerate(people):
            node = nodes[where[index]]
            cookie = await session_cookie(node.url, person.email)
            clients.append(await stack.enter_async_context(connect(node.url, cookie=cookie)))
        for (_, publisher_node), chat in zip(chats, chat_rows, strict=True):
            payload = {"chat_id": chat.id, "employee_id": 0, "message_id": 1}
            await nodes[publisher_node].services.publisher.publish(
                "chat.read", payload, rooms.chat(chat.id)
            )
        for node_index, node in enumerate(nodes):
            await node.services.publisher.publish(
                "chat.read",
                {"chat_id": 0, "employee_id": node_index, "message_id": batch},
                rooms.COMPANY,
            )
        for index, client in enumerate(clients):
            for node_index in (0, 1):
                await client.got.wait_for(
                    "chat.read", lambda d, n=node_index: d["chat_id"] == 0 and d["employee_id"] == n
                )
            got = {d["chat_id"] for d in client.got.of("chat.read") if d["chat_id"] != 0}
            expected = {
                chat.id
                for (members, _), chat in zip(chats, chat_rows, strict=True)
                if index in members
            }
            assert got == expected


async def test_org_rooms_come_from_the_organisation(db: object) -> None:
    region = await Region.create(code="central", name="Central")
    city = await City.create(code="msk", name="Moscow", region=region)
    store = await Store.create(code="msk-1", name="Tverskaya", city=city)
    dept = await Department.create(code="sales", name="Sales")
    anna = await make_employee("anna@example.com", role=Role.MANAGER, store=store, department=dept)
    assert await org_rooms(anna.id) == {
        "company",
        "leaderboards",  # leaderboard.changed: every socket
        f"store:{store.id}",
        f"dept:{dept.id}",
        f"region:{region.id}",
        "role:manager",
    }
    chat = await Chat.create(kind=ChatKind.DIRECT)
    await ChatMember.create(chat=chat, employee=anna)

    async def groups(employee_id: int) -> list[str]:
        return [rooms.group(7)]

    resolver = room_resolver(groups)
    assert await resolver(anna.id) == {
        rooms.personal(anna.id),
        *await org_rooms(anna.id),
        rooms.city(city.id),  # an audience token: the community's rooms
        rooms.chat(chat.id),
        "group:7",
    }
