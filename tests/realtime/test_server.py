"""The Socket.IO server on two web processes: auth, server-side rooms, cross-node delivery,
sign-outs, message validation and limits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from realtime import rooms
from realtime.events import MAX_WATCHED_PLACES, StoryCreated
from realtime.server import publish_room_change
from server.auth.sessions import create_api_token
from server.models import Employee
from server.people import dismiss
from tests.conftest import LiveServer
from tests.helpers import make_employee
from tests.realtime.support import Refused, check_schema, connect, session_cookie

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

Nodes = tuple[LiveServer, LiveServer]


def story(story_id: int = 1) -> StoryCreated:
    moment = datetime.now(UTC)
    return StoryCreated(
        story_id=story_id,
        author_id=1,
        author_name="Anna",
        kind="text",
        pinned=False,
        created_at=moment,
        expires_at=moment,
    )


async def test_event_published_on_b_reaches_client_on_a(nodes: Nodes) -> None:
    a, b = nodes
    await make_employee("anna@example.com")
    cookie = await session_cookie(a.url, "anna@example.com")
    async with connect(a.url, cookie=cookie) as client:
        seq = await b.services.publisher.publish("story.created", story(7), rooms.COMPANY)
        data = await client.got.wait_for("story.created")
        check_schema("story.created", data)
        assert data["story_id"] == 7
        assert data["seq"] == seq
        assert data["v"] == 1


async def test_api_token_in_auth_connects(nodes: Nodes) -> None:
    a, _ = nodes
    anna = await make_employee("anna@example.com")
    _, token = await create_api_token(anna, "script")
    async with connect(a.url, token=token) as client:
        await a.services.publisher.publish("story.created", story(), rooms.personal(anna.id))
        await client.got.wait_for("story.created")


async def test_long_polling_fallback(nodes: Nodes) -> None:
    a, b = nodes
    anna = await make_employee("anna@example.com")
    cookie = await session_cookie(a.url, "anna@example.com")
    async with connect(a.url, cookie=cookie, transports=["polling"]) as client:
        assert client.sio.transport() == "polling"
        await b.services.publisher.publish("story.created", story(), rooms.personal(anna.id))
        await client.got.wait_for("story.created")


@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        ({}, "Sign in first."),
        ({"cookie": "forged"}, "Your session has ended. Sign in again."),
        ({"token": "plz_forged"}, "Sign in first."),
    ],
)
async def test_connect_without_valid_credentials_is_refused(
    nodes: Nodes, credentials: dict[str, str], message: str
) -> None:
    a, _ = nodes
    with pytest.raises(Refused) as refused:
        async with connect(a.url, **credentials):
            pass
    assert refused.value.data["message"] == message
    assert refused.value.data["data"]["code"] in ("not_authenticated", "session_expired")


async def test_dismissed_employee_cannot_connect(nodes: Nodes) -> None:
    a, _ = nodes
    anna = await make_employee("anna@example.com")
    _, token = await create_api_token(anna, "script")
    await Employee.filter(id=anna.id).update(status="dismissed")
    with pytest.raises(Refused) as refused:
        async with connect(a.url, token=token):
            pass
    assert refused.value.data == {
        "message": "This account is no longer active.",
        "data": {"code": "account_dismissed"},
    }


async def test_dismissal_disconnects_sockets_on_every_node(nodes: Nodes) -> None:
    a, b = nodes
    anna = await make_employee("anna@example.com")
    await make_employee("boris@example.com")
    cookie = await session_cookie(a.url, "anna@example.com")
    other = await session_cookie(a.url, "boris@example.com")
    async with (
        connect(a.url, cookie=cookie) as on_a,
        connect(b.url, cookie=cookie) as on_b,
        connect(b.url, cookie=other) as bystander,
    ):
        await dismiss([anna.id], a.services.redis, a.services.keys)
        await asyncio.wait_for(on_a.got.disconnected.wait(), 2)
        await asyncio.wait_for(on_b.got.disconnected.wait(), 2)
        assert on_a.got.of("session.ended") == [{"v": 1, "reason": "dismissed"}]
        assert not bystander.got.disconnected.is_set()
        assert bystander.sio.connected


async def test_naming_a_room_does_nothing(nodes: Nodes) -> None:
    a, b = nodes
    await make_employee("anna@example.com")
    cookie = await session_cookie(a.url, "anna@example.com")
    async with connect(a.url, cookie=cookie) as client:
        for attempt in ("join", "enter_room", "subscribe"):
            ack = await client.call(attempt, {"room": "chat:1"})
            assert ack["ok"] is False
            assert ack["error"] == "unknown_message"
        await b.services.publisher.publish(
            "chat.typing", {"chat_id": 1, "employee_id": 2}, "chat:1"
        )
        # A later event to a room the client is in proves the earlier one had its chance.
        await b.services.publisher.publish("story.created", story(), rooms.COMPANY)
        await client.got.wait_for("story.created")
        assert client.got.of("chat.typing") == []
        ack = await client.call("chat.typing", {"chat_id": 1})
        assert ack["error"] == "not_a_member"


async def test_bad_client_message_gets_an_error_ack_and_the_socket_lives(nodes: Nodes) -> None:
    a, _ = nodes
    await make_employee("anna@example.com")
    cookie = await session_cookie(a.url, "anna@example.com")
    async with connect(a.url, cookie=cookie) as client:
        for bad in ({"state": "asleep"}, {"state": "online", "extra": 1}, "online", None, [1]):
            ack = await client.call("presence.set", bad)
            assert ack["ok"] is False
            assert ack["error"] == "invalid_message"
            assert ack["detail"].startswith("presence.set")
        too_many = await client.call("presence.watch", {"ids": list(range(501))})
        assert too_many["error"] == "invalid_message"
        assert (await client.call("presence.set", {"state": "away"})) == {"ok": True}


async def test_oversize_message_is_refused(nodes: Nodes) -> None:
    a, _ = nodes
    await make_employee("anna@example.com")
    cookie = await session_cookie(a.url, "anna@example.com")
    async with connect(a.url, cookie=cookie) as client:
        await client.sio.emit("presence.watch", {"ids": [1] * 40_000})  # ~120 KB > 64 KB
        await asyncio.wait_for(client.got.disconnected.wait(), 5)


async def test_enter_and_leave_room_apply_on_every_node(nodes: Nodes) -> None:
    a, b = nodes
    anna = await make_employee("anna@example.com")
    cookie = await session_cookie(a.url, "anna@example.com")
    room = rooms.group(42)
    services = a.services
    async with connect(a.url, cookie=cookie) as on_a, connect(b.url, cookie=cookie) as on_b:
        await publish_room_change(services.redis, services.keys, "enter", anna.id, room)
        await asyncio.sleep(0.2)
        await services.publisher.publish("story.created", story(1), room)
        for client in (on_a, on_b):
            await client.got.wait_for("story.created", lambda d: d["story_id"] == 1)
        await publish_room_change(services.redis, services.keys, "leave", anna.id, room)
        await asyncio.sleep(0.2)
        await services.publisher.publish("story.created", story(2), room)
        await services.publisher.publish("story.created", story(3), rooms.personal(anna.id))
        for client in (on_a, on_b):
            await client.got.wait_for("story.created", lambda d: d["story_id"] == 3)
            assert [d["story_id"] for d in client.got.of("story.created")] == [1, 3]


async def test_watched_places_are_capped_per_socket_and_end_with_it(nodes: Nodes) -> None:
    a, b = nodes
    anna = await make_employee("anna@example.com")
    authors = [await make_employee(f"author{i}@example.com") for i in range(MAX_WATCHED_PLACES)]
    cookie = await session_cookie(a.url, "anna@example.com")
    realtime = a.app.state.realtime
    async with connect(a.url, cookie=cookie) as tab, connect(a.url, cookie=cookie) as other:
        for count, author in enumerate(authors, start=1):
            ack = await tab.call("watch", {"place": "blog", "id": author.id})
            assert ack == {"ok": True, "watching": count}
        again = await tab.call("watch", {"place": "blog", "id": authors[0].id})
        assert again == {"ok": True, "watching": MAX_WATCHED_PLACES}  # no second place
        full = await tab.call("watch", {"place": "blog", "id": anna.id})
        assert full["ok"] is False and full["error"] == "too_many_watches"
        # The cap is per socket: another tab of the same person watches on.
        assert (await other.call("watch", {"place": "blog", "id": anna.id}))["ok"]
        assert (await tab.call("unwatch", {"place": "blog", "id": authors[0].id}))["ok"]
        assert (await tab.call("watch", {"place": "blog", "id": anna.id}))["ok"]
        for bad in ({"place": "chat", "id": 1}, {"place": "blog", "id": 0}, {"place": "blog"}):
            assert (await tab.call("watch", bad))["error"] == "invalid_message"
        watched = rooms.watch("blog", authors[1].id)
        await b.services.publisher.publish("story.created", story(1), watched)
        await tab.got.wait_for("story.created", lambda d: d["story_id"] == 1)
        sid = tab.sio.get_sid()
    for _ in range(100):  # the server hears the disconnect a moment later
        if sid not in realtime.watching:
            break
        await asyncio.sleep(0.02)
    assert sid not in realtime.watching
    async with connect(a.url, cookie=cookie) as fresh:
        await b.services.publisher.publish("story.created", story(2), watched)
        await b.services.publisher.publish("story.created", story(3), rooms.personal(anna.id))
        await fresh.got.wait_for("story.created", lambda d: d["story_id"] == 3)
        assert [d["story_id"] for d in fresh.got.of("story.created")] == [3]
