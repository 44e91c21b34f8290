"""Publishing after commit, numbering durable events, and replaying what a client missed."""

from __future__ import annotations

import httpx
import pytest

from realtime import rooms
from realtime.errors import InvalidEvent
from realtime.publisher import STREAM_LENGTH
from tests.conftest import LiveServer
from tests.helpers import login, make_employee
from tests.realtime.support import connect, session_cookie

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

Nodes = tuple[LiveServer, LiveServer]


def read(chat_id: int, message_id: int) -> dict[str, int]:
    return {"chat_id": chat_id, "employee_id": 1, "message_id": message_id}


async def test_durable_events_are_numbered_and_replayed_once(nodes: Nodes) -> None:
    a, b = nodes
    anna = await make_employee("anna@example.com")
    boris = await make_employee("boris@example.com")
    publisher = a.services.publisher
    start = await publisher.current_seq()
    first = await publisher.publish("chat.read", read(1, 1), rooms.COMPANY)
    assert first == start + 1
    # One event to two rooms the client is in: replayed once.
    both = await publisher.publish(
        "chat.read", read(1, 2), [rooms.COMPANY, rooms.personal(anna.id)]
    )
    await publisher.publish("chat.read", read(1, 3), rooms.personal(boris.id))
    typing = await publisher.publish("chat.typing", {"chat_id": 1, "employee_id": 1}, "company")
    assert typing is None  # ephemeral: not numbered, not kept
    last = await publisher.publish("chat.read", read(1, 4), rooms.personal(anna.id))
    assert first is not None and both is not None and last is not None

    cookie = await session_cookie(b.url, "anna@example.com")
    async with connect(b.url, cookie=cookie) as client:
        ack = await client.call("sync", {"since": first})
        assert ack["ok"] is True
        assert ack["reset"] is False
        assert [(e["event"], e["data"]["message_id"]) for e in ack["events"]] == [
            ("chat.read", 2),
            ("chat.read", 4),
        ]
        assert [e["data"]["seq"] for e in ack["events"]] == [both, last]
        assert ack["seq"] == last

    async with httpx.AsyncClient(base_url=a.url) as http:
        await login(http, "anna@example.com")
        response = await http.get("/api/realtime/missed", params={"since": start})
        assert response.status_code == 200, response.text
        body = response.json()
        assert [e["data"]["message_id"] for e in body["events"]] == [1, 2, 4]
        assert body["reset"] is False
        ahead = await http.get("/api/realtime/missed", params={"since": last + 1000})
        assert ahead.json()["reset"] is True
        bad = await http.get("/api/realtime/missed", params={"since": "-1"})
        assert bad.status_code == 422


async def test_a_cursor_older_than_the_stream_asks_for_a_reload(nodes: Nodes) -> None:
    a, _ = nodes
    publisher = a.services.publisher
    start = await publisher.current_seq()
    for i in range(STREAM_LENGTH + 150):
        await publisher.publish("chat.read", read(9, i), "chat:9")
    replay = await publisher.replay(["chat:9"], start)
    assert replay.reset is True
    recent = await publisher.replay(["chat:9"], replay.seq - 5)
    assert recent.reset is False
    assert len(recent.events) == 5


async def test_publish_refuses_what_does_not_fit(nodes: Nodes) -> None:
    a, _ = nodes
    with pytest.raises(InvalidEvent):
        await a.services.publisher.publish("chat.read", {"chat_id": "x"}, "company")
    with pytest.raises(InvalidEvent):
        await a.services.publisher.publish("room.joined", {}, "company")
