"""Writing one broadcast's websocket frame straight to every recipient's transport.

A server's websocket frames are not masked (RFC 6455 5.1), so a broadcast's frame is the
same bytes for every recipient. `realtime.manager.FastLocalEmit` builds it once
(`text_frame`) and hands it to each recipient's `PlazaWebSocketProtocol.write_direct`:
no Engine.IO queue, no writer task, no ASGI `websocket.send`, no frame serialised per
connection.

The frames wait on the connection (`pending`) until `_Flusher` writes them, one
`transport.write` per connection, a chunk of connections per turn of the event loop.
Between chunks the loop runs the Redis listener, which brings the next broadcasts: their
frames join those still waiting, so under load one write (one system call here, one read
for the client) carries several messages, as Node's socket.io does with a burst. With
one message at a time nothing waits: each frame is written in the next turn.

`PlazaWebSocketProtocol` is uvicorn's sans-I/O websockets protocol (`ws="websockets-sansio"`)
that puts itself in the ASGI scope (`scope["extensions"][SCOPE_KEY]`) of each accepted
connection, so that the Engine.IO socket served by that connection can find it
(`writer_of(environ)`). Run uvicorn with `ws=WS_PROTOCOL`; with any other protocol no
connection registers and every packet takes the ordinary path.

`write_direct` refuses (returns False, and the caller queues the packet as before) unless
frames already wait, or the connection is open, past the handshake, has sent no close
frame, negotiated no extension (per-message deflate would have to compress each frame)
and its transport is not paused for back-pressure. uvicorn's own writes never fragment a
message and never leave bytes in the sans-I/O connection's buffer, so whole frames
written between them keep the stream valid. Every write happens on the event loop's
thread, and uvicorn's `send` (every other data frame, the close frame) writes the waiting
frames first, so a connection's frames keep their order.
"""

from __future__ import annotations

import asyncio
import struct
import weakref
from collections import deque
from collections.abc import Mapping
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

SCOPE_KEY = "plaza.direct_write"
WS_PROTOCOL = "realtime.direct:PlazaWebSocketProtocol"

_FIN_TEXT = 0x81
_FIN_BINARY = 0x82
_SHORT = struct.Struct("!BB")
_MEDIUM = struct.Struct("!BBH")
_LONG = struct.Struct("!BBQ")


def _frame(first: int, payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        header = _SHORT.pack(first, n)
    elif n < 65536:
        header = _MEDIUM.pack(first, 126, n)
    else:
        header = _LONG.pack(first, 127, n)
    return header + payload


def text_frame(payload: bytes) -> bytes:
    """One unmasked, final text frame carrying `payload` (UTF-8)."""
    return _frame(_FIN_TEXT, payload)


def binary_frame(payload: bytes) -> bytes:
    """One unmasked, final binary frame carrying `payload`."""
    return _frame(_FIN_BINARY, payload)


# Connections with frames waiting are written this many at a time; between two chunks the
# event loop runs everything else that is ready (the Redis listener with the next
# broadcast, the publisher), so under load the next broadcast's frames join the frames
# still waiting for the connections not yet written: one write carries both. Measured
# with bench.fanout (1,000 / 5,000 clients): 128 gave 1.2 frames per write, 64 gave 2.8,
# 32 gave 3.2 / 4.2 and the least CPU per delivery (9.5 us against 12-13 us with 64).
FLUSH_CHUNK = 32


class _Flusher:
    """Writes the waiting frames of every connection of one event loop, a chunk of
    connections per turn of the loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: deque[PlazaWebSocketProtocol] = deque()
        self.scheduled = False

    def add(self, connection: PlazaWebSocketProtocol) -> None:
        self.waiting.append(connection)
        if not self.scheduled:
            self.scheduled = True
            self.loop.call_soon(self.run)

    def run(self) -> None:
        waiting = self.waiting
        for _ in range(min(FLUSH_CHUNK, len(waiting))):
            waiting.popleft().flush()
        if waiting:
            self.loop.call_soon(self.run)
        else:
            self.scheduled = False


_flushers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Flusher] = (
    weakref.WeakKeyDictionary()
)


def _flusher(loop: asyncio.AbstractEventLoop) -> _Flusher:
    flusher = _flushers.get(loop)
    if flusher is None:
        flusher = _flushers[loop] = _Flusher(loop)
    return flusher


class PlazaWebSocketProtocol(WebSocketsSansIOProtocol):
    # Frames accepted by `write_direct` and not written yet (None: nothing waits).
    pending: list[bytes] | None = None

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        # `scope` exists only when the handshake is accepted (101); the ASGI task that
        # reads it has been created but has not run yet.
        scope = getattr(self, "scope", None)
        if scope is not None and not self.conn.extensions:
            scope["extensions"][SCOPE_KEY] = self

    def _open_for_data(self) -> bool:
        return not (
            self.close_sent
            or self.disconnected
            or not self.handshake_complete
            or self.initial_response is not None
            or self.conn.state is not State.OPEN
            or self.transport.is_closing()
        )

    def write_direct(self, frame: bytes) -> bool:
        """Take a complete frame to write after the frames already waiting, if the
        connection can take it now (open, not paused by back-pressure); False otherwise,
        and nothing is written."""
        pending = self.pending
        if pending is not None:
            pending.append(frame)
            return True
        if not self.writable.is_set() or not self._open_for_data():
            return False
        self.pending = [frame]
        _flusher(self.loop).add(self)
        return True

    def flush(self) -> None:
        """Write the waiting frames in one `transport.write`. Every other write of data
        goes through `send`, which flushes first, so frames keep their order. If the
        connection closed meanwhile (a close frame may be out), the frames are dropped,
        like the packets still queued for a closing socket."""
        pending = self.pending
        if pending is None:
            return
        self.pending = None
        if self._open_for_data():
            self.transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    async def send(self, message: Any) -> None:
        self.flush()
        await super().send(message)


def writer_of(environ: Mapping[str, Any] | None) -> PlazaWebSocketProtocol | None:
    """The connection behind an Engine.IO request's environ, if it is a websocket served
    by `PlazaWebSocketProtocol`."""
    if not environ:
        return None
    scope = environ.get("asgi.scope")
    if not isinstance(scope, Mapping):
        return None
    extensions = scope.get("extensions")
    if not isinstance(extensions, Mapping):
        return None
    writer = extensions.get(SCOPE_KEY)
    return writer if isinstance(writer, PlazaWebSocketProtocol) else None
