"""The client manager: python-socketio's Redis manager with a faster local fan-out.

Stock `AsyncManager.emit` creates one asyncio task per recipient and awaits them all;
measured on this machine that is about half the cost of a broadcast (10k deliveries/s
against 15-20k/s without it, MEASUREMENTS.md). Every recipient of a broadcast gets the
same bytes, so `FastLocalEmit` encodes the packet once and builds its websocket frame
once; a recipient on websocket with nothing queued ahead gets the frame written to its
connection (`realtime/direct.py`), any other recipient (long-polling, upgrading, back-
pressure, packets already queued) gets the packet on its Engine.IO socket's queue, which
that socket's writer task drains. The Redis transport (`AsyncRedisManager`) is untouched:
it calls `super().emit` for the local part, which the method resolution order routes here.
"""

from __future__ import annotations

import asyncio
import json as std_json
from collections.abc import Sequence
from typing import Any

import orjson
import socketio
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio.async_socket import AsyncSocket
from socketio import packet as sio_packet

from realtime.direct import PlazaWebSocketProtocol, text_frame, writer_of


class OrjsonModule:
    """The `json` interface python-socketio expects (`dumps` returns str), backed by orjson."""

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        try:
            return orjson.dumps(obj).decode()
        except TypeError:
            return std_json.dumps(obj, **kwargs)

    @staticmethod
    def loads(data: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(data)


class FastLocalEmit(socketio.AsyncManager):  # type: ignore[misc]
    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: str | Sequence[str] | None = None,
        skip_sid: str | list[str] | None = None,
        callback: Any = None,
        to: str | None = None,
        **kwargs: Any,
    ) -> None:
        room = to or room
        if callback is not None or namespace not in self.rooms or self.server is None:
            await super().emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback
            )
            return
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        pkt = self.server.packet_class(sio_packet.EVENT, namespace=namespace, data=[event, *args])
        encoded = pkt.encode()
        if isinstance(encoded, list):  # binary attachments: rare, let the stock path do it
            await super().emit(event, data, namespace, room=room, skip_sid=skip_sid)
            return
        # Packet caches its encoding: the first writer encodes, the others reuse the bytes.
        wire = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        # Server frames are unmasked: the websocket frame is the same for every recipient.
        frame = text_frame(wire.encode().encode())
        skip = set(skip_sid) if isinstance(skip_sid, list) else {skip_sid}
        sockets = self.server.eio.sockets
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip:
                continue
            socket = sockets.get(eio_sid)
            if socket is None or socket.closed or socket.closing:
                continue
            if type(socket) is FastSocket and socket.try_direct(frame):
                continue
            # The queue is unbounded: put_nowait never blocks, and the socket's own writer
            # task does the I/O. A dead client is dropped by its ping timeout.
            socket.queue.put_nowait(wire)


class PlazaRedisManager(socketio.AsyncRedisManager, FastLocalEmit):  # type: ignore[misc]
    """Redis pub/sub between web processes; the local fan-out of `FastLocalEmit`."""

    name = "plaza-redis"

    async def close(self) -> None:
        """Close the Redis connections the stock manager opens lazily and never closes."""
        clients: list[Any] = [getattr(self, "pubsub", None), getattr(self, "redis", None)]
        for client in clients:
            if client is not None:
                await client.aclose()
        self.pubsub = None
        self.redis = None
        self.connected = False


def redis_manager(url: str, channel: str, *, write_only: bool = False) -> PlazaRedisManager:
    return PlazaRedisManager(url, channel=channel, write_only=write_only, json=OrjsonModule)


class FastSocket(AsyncSocket):  # type: ignore[misc]
    """An Engine.IO socket whose writer waits without a task per wait, and which can
    write a websocket frame straight to its connection when nothing is ahead of it.

    Stock `poll` wraps every wait for the next packet in `asyncio.wait_for`, which on
    Python 3.11 creates a task per call: in a broadcast that is one task per recipient
    per message again (about a fifth of the server's time in a profile of 1,000 clients).
    `asyncio.timeout` arms a timer instead, and a non-empty queue is drained at once.
    The semantics are the stock ones: [] when the socket closes, QueueEmpty on timeout.

    `try_direct` writes a ready frame to the websocket connection (`realtime.direct`)
    only when no packet can be ahead of it: the socket is on websocket (upgrade done),
    its queue is empty and its writer holds no packets taken from the queue (`sending`:
    set when `poll` hands packets over, cleared when the writer comes back for more).
    Otherwise the caller queues the packet, so per-socket order is the order of emits.
    """

    # Class attributes: a stock socket switched to this class has no instance values yet.
    direct: PlazaWebSocketProtocol | None = None
    sending = False

    def try_direct(self, frame: bytes) -> bool:
        direct = self.direct
        return (
            direct is not None
            and not self.sending
            and self.upgraded
            and not self.upgrading
            and self.queue.empty()
            and direct.write_direct(frame)
        )

    async def _upgrade_websocket(self, environ: dict[str, Any]) -> Any:
        # A long-polling client upgrading: remember its websocket connection; it is used
        # once `upgraded` is set (after the probe and the UPGRADE packet).
        self.direct = writer_of(environ)
        return await super()._upgrade_websocket(environ)

    async def poll(self) -> list[Any]:
        self.sending = False
        queue = self.queue
        try:
            if queue.empty():
                async with asyncio.timeout(self.server.ping_interval + self.server.ping_timeout):
                    first = await queue.get()
            else:
                first = queue.get_nowait()
        except (TimeoutError, asyncio.CancelledError):
            raise eio_exceptions.QueueEmpty() from None
        queue.task_done()
        if first is None:
            return []
        packets = [first]
        while not queue.empty():
            pkt = queue.get_nowait()
            queue.task_done()
            if pkt is None:
                queue.put_nowait(None)
                break
            packets.append(pkt)
        self.sending = True
        return packets


def speed_up(socket: object) -> None:
    """Switch a stock Engine.IO socket to `FastSocket` (Engine.IO creates its sockets
    itself, with no hook for the class; the writer looks `poll` up on every turn)."""
    if type(socket) is AsyncSocket:
        socket.__class__ = FastSocket


class PlazaSocketServer(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server whose Engine.IO sockets are `FastSocket`s from the start.

    Engine.IO calls this connect handler right after it creates a socket (its OPEN packet
    queued, nothing written yet), before its websocket (a websocket-only client) or its
    upgrade (a long-polling one) is accepted, so `FastSocket._upgrade_websocket` sees
    every websocket connection."""

    async def _handle_eio_connect(self, eio_sid: str, environ: dict[str, Any]) -> Any:
        speed_up(self.eio.sockets.get(eio_sid))
        return await super()._handle_eio_connect(eio_sid, environ)
