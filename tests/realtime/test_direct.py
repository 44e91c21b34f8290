"""The broadcast's direct websocket writes (realtime/direct.py, FastLocalEmit/FastSocket):
valid frames at every length boundary, per-socket order when direct writes and queued
packets interleave, long-polling and upgrading clients, closed sockets."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from engineio import packet as eio_packet
from engineio.payload import Payload
from socketio import packet as sio_packet
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from realtime import direct, rooms
from realtime.direct import PlazaWebSocketProtocol, binary_frame, text_frame
from realtime.manager import FastSocket
from realtime.server import NAMESPACE, Realtime
from tests.conftest import LiveServer
from tests.helpers import make_employee
from tests.realtime.support import LiveClient, connect, session_cookie

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

BOUNDARY_SIZES = [0, 1, 125, 126, 127, 65535, 65536, 70000]


def parse(stream: bytes) -> list[Frame]:
    """Frames as a websocket client parses them (it rejects masked server frames)."""
    client = ClientProtocol(parse_uri("ws://test/"), state=State.OPEN, max_size=None)
    client.receive_data(stream)
    assert client.parser_exc is None
    return [e for e in client.events_received() if isinstance(e, Frame)]


@pytest.mark.parametrize("size", BOUNDARY_SIZES)
def test_frames_match_websockets_at_length_boundaries(size: int) -> None:
    payload = bytes(i % 251 for i in range(size))
    text = ("é" * size).encode()[:size].decode(errors="ignore").encode()
    assert text_frame(text) == Frame(Opcode.TEXT, text).serialize(mask=False)
    assert binary_frame(payload) == Frame(Opcode.BINARY, payload).serialize(mask=False)
    frames = parse(text_frame(text) + binary_frame(payload) + text_frame(b"next"))
    assert [(f.opcode, f.data, f.fin) for f in frames] == [
        (Opcode.TEXT, text, True),
        (Opcode.BINARY, payload, True),
        (Opcode.TEXT, b"next", True),
    ]


# -- over a live server ----------------------------------------------------------------------


def wire(i: int) -> eio_packet.Packet:
    data = ["story.created", {"i": i}]
    encoded = sio_packet.Packet(sio_packet.EVENT, namespace=NAMESPACE, data=data).encode()
    return eio_packet.Packet(eio_packet.MESSAGE, encoded)


def realtime_of(live: LiveServer) -> Realtime:
    realtime = live.app.state.realtime
    assert isinstance(realtime, Realtime)
    return realtime


def socket_of(realtime: Realtime, client: LiveClient) -> Any:
    eio_sid = realtime.manager.eio_sid_from_sid(client.sio.get_sid(NAMESPACE), NAMESPACE)
    return realtime.sio.eio.sockets[eio_sid]


async def emit_here(realtime: Realtime, room: str, i: int, **extra: Any) -> None:
    """Emit on this process only (no Redis round trip), so that the test decides exactly
    what happens between two emits."""
    await realtime.sio.emit("story.created", {"i": i, **extra}, room=room, ignore_queue=True)


async def received(client: LiveClient, count: int, within: float = 10) -> list[int]:
    await client.got.wait_for("story.created", lambda d: d["i"] == count - 1, within=within)
    return [d["i"] for d in client.got.of("story.created")]


async def employee_cookie(live: LiveServer, email: str) -> tuple[int, str]:
    employee = await make_employee(email)
    return employee.id, await session_cookie(live.url, email)


class RecordingTransport:
    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))
        self.transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


async def test_waiting_frames_go_out_in_one_write(live: LiveServer) -> None:
    realtime = realtime_of(live)
    anna, cookie = await employee_cookie(live, "anna@example.com")
    async with connect(live.url, cookie=cookie) as client:
        socket = socket_of(realtime, client)
        assert type(socket) is FastSocket
        assert isinstance(socket.direct, PlazaWebSocketProtocol)
        recorder = RecordingTransport(socket.direct.transport)
        socket.direct.transport = recorder  # type: ignore[assignment]
        for i in range(5):  # one turn of the event loop: nothing here waits
            await emit_here(realtime, rooms.personal(anna), i)
        assert recorder.writes == []
        assert await received(client, 5) == [0, 1, 2, 3, 4]
        assert len(recorder.writes) == 1
        frames = parse(recorder.writes[0])
        assert [f.data for f in frames] == [wire(i).encode().encode() for i in range(5)]
        await emit_here(realtime, rooms.personal(anna), 5)
        assert await received(client, 6) == [0, 1, 2, 3, 4, 5]
        assert len(recorder.writes) == 2


async def test_chunked_flushes_keep_every_connections_order(
    live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One connection written per turn: broadcasts arrive while others still wait."""
    monkeypatch.setattr(direct, "FLUSH_CHUNK", 1)
    realtime = realtime_of(live)
    anna, cookie = await employee_cookie(live, "anna@example.com")
    room = rooms.personal(anna)
    async with (
        connect(live.url, cookie=cookie) as one,
        connect(live.url, cookie=cookie) as two,
        connect(live.url, cookie=cookie) as three,
    ):
        for i in range(40):
            await emit_here(realtime, room, i)
            if i % 3 == 0:
                await asyncio.sleep(0)
            if i == 20:  # a packet Engine.IO queues between two broadcasts
                for tab in (one, two, three):
                    await socket_of(realtime, tab).send(wire(20_000))
        expected = [*range(21), 20_000, *range(21, 40)]
        for tab in (one, two, three):
            assert await received(tab, 40) == expected


async def test_direct_writes_and_queued_packets_keep_order(live: LiveServer) -> None:
    """Back-pressure (the transport paused) sends packets through the queue, and the
    writer may hold packets it took from the queue while a direct write would be allowed
    again: every packet still arrives in emit order. Packets queued by Engine.IO itself
    and by the stock path (an emit that wants an ack) interleave too."""
    realtime = realtime_of(live)
    anna, cookie = await employee_cookie(live, "anna@example.com")
    room = rooms.personal(anna)
    async with connect(live.url, cookie=cookie) as client:
        socket = socket_of(realtime, client)
        direct = socket.direct
        assert direct is not None
        acks: list[Any] = []
        count = 120
        for i in range(count):
            step = i % 12
            if step == 2:
                direct.writable.clear()  # as uvicorn's pause_writing() does
            elif step == 6:
                await asyncio.sleep(0)  # the writer takes the queue and waits to write
                direct.writable.set()  # resume_writing(): the writer is not back yet
            if i % 7 == 0:
                await realtime.sio.emit(
                    "story.created", {"i": i}, room=room, callback=acks.append, ignore_queue=True
                )
            elif i % 7 == 3:  # as Engine.IO queues its own packets (pings, the stock path)
                await socket.send(wire(i))
            else:
                await emit_here(realtime, room, i)
            if i % 5 == 0:
                await asyncio.sleep(0)
        direct.writable.set()
        assert await received(client, count) == list(range(count))


async def test_long_polling_client_in_the_same_room_receives(
    live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # python-engineio's client refuses a polling payload of more than 16 packets (a limit
    # against hostile servers; browsers have none): let this burst of 30 through.
    monkeypatch.setattr(Payload, "max_decode_packets", 100)
    realtime = realtime_of(live)
    anna, cookie = await employee_cookie(live, "anna@example.com")
    async with (
        connect(live.url, cookie=cookie) as tab_ws,
        connect(live.url, cookie=cookie, transports=["polling"]) as tab_poll,
    ):
        assert tab_poll.sio.transport() == "polling"
        assert socket_of(realtime, tab_poll).direct is None
        assert socket_of(realtime, tab_ws).direct is not None
        for i in range(30):
            await emit_here(realtime, rooms.personal(anna), i, body="x" * 300)
        assert await received(tab_ws, 30) == list(range(30))
        assert await received(tab_poll, 30) == list(range(30))


async def test_upgraded_client_is_written_directly_in_order(live: LiveServer) -> None:
    realtime = realtime_of(live)
    anna, cookie = await employee_cookie(live, "anna@example.com")
    room = rooms.personal(anna)
    async with connect(live.url, cookie=cookie, transports=["polling", "websocket"]) as client:
        for i in range(10):  # some before or during the upgrade
            await emit_here(realtime, room, i)
        for _ in range(200):
            socket = socket_of(realtime, client)
            if client.sio.transport() == "websocket" and socket.upgraded:
                break
            await asyncio.sleep(0.02)
        assert client.sio.transport() == "websocket"
        assert isinstance(socket_of(realtime, client).direct, PlazaWebSocketProtocol)
        for i in range(10, 40):
            await emit_here(realtime, room, i)
        assert await received(client, 40) == list(range(40))


async def test_a_closed_socket_is_skipped(live: LiveServer) -> None:
    realtime = realtime_of(live)
    anna, cookie = await employee_cookie(live, "anna@example.com")
    room = rooms.personal(anna)
    async with connect(live.url, cookie=cookie) as staying:
        async with connect(live.url, cookie=cookie) as leaving:
            direct = socket_of(realtime, leaving).direct
            assert direct is not None
        for _ in range(200):
            if direct.disconnected:
                break
            await asyncio.sleep(0.02)
        assert not direct.write_direct(text_frame(b"4late"))
        for i in range(3):
            await emit_here(realtime, room, i)
        assert await received(staying, 3) == [0, 1, 2]


@pytest.mark.parametrize("frame_size", [125, 126, 127, 65535, 65536, 70000])
async def test_messages_across_frame_length_boundaries(live: LiveServer, frame_size: int) -> None:
    """The Engine.IO packet (one websocket frame) is exactly `frame_size` bytes."""
    realtime = realtime_of(live)
    anna, cookie = await employee_cookie(live, "anna@example.com")

    def wire_size(body: str) -> int:
        data = ["story.created", {"i": 0, "body": body}]
        pkt = sio_packet.Packet(sio_packet.EVENT, namespace=NAMESPACE, data=data)
        return len(eio_packet.Packet(eio_packet.MESSAGE, pkt.encode()).encode().encode())

    body = "x" * (frame_size - wire_size(""))
    assert wire_size(body) == frame_size
    async with connect(live.url, cookie=cookie) as client:
        assert socket_of(realtime, client).direct is not None
        await emit_here(realtime, rooms.personal(anna), 0, body=body)
        data = await client.got.wait_for("story.created")
        assert data["body"] == body
