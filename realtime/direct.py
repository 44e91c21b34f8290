"""Writing one broadcast's websocket frame straight to every recipient's transport.

A server's websocket frames are not masked (RFC 6455 5.1), so a broadcast's frame is the
same bytes for every recipient. `realtime.manager.FastLocalEmit` builds it once
(`text_frame`) and hands it to each recipient's `PlazaWebSocketProtocol.write_direct`,
which writes it to the connection's asyncio transport: no Engine.IO queue, no writer
task, no ASGI `websocket.send`, no frame serialised per connection.

`PlazaWebSocketProtocol` is uvicorn's sans-I/O websockets protocol (`ws="websockets-sansio"`)
that puts itself in the ASGI scope (`scope["extensions"][SCOPE_KEY]`) of each accepted
connection, so that the Engine.IO socket served by that connection can find it
(`writer_of(environ)`). Run uvicorn with `ws=WS_PROTOCOL`; with any other protocol no
connection registers and every packet takes the ordinary path.

`write_direct` refuses (returns False, and the caller queues the packet as before) unless
the connection is open, past the handshake, has sent no close frame, negotiated no
extension (per-message deflate would have to compress each frame) and its transport is
not paused for back-pressure. uvicorn's own writes never fragment a message and never
leave bytes in the sans-I/O connection's buffer, so a whole frame written between them
keeps the stream valid; every write happens on the event loop's thread.
"""

from __future__ import annotations

import struct
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


class PlazaWebSocketProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        # `scope` exists only when the handshake is accepted (101); the ASGI task that
        # reads it has been created but has not run yet.
        scope = getattr(self, "scope", None)
        if scope is not None and not self.conn.extensions:
            scope["extensions"][SCOPE_KEY] = self

    def write_direct(self, frame: bytes) -> bool:
        """Write a complete frame now if the connection can take it; False otherwise."""
        if (
            self.close_sent
            or self.disconnected
            or not self.handshake_complete
            or self.initial_response is not None
            or not self.writable.is_set()
            or self.conn.state is not State.OPEN
            or self.transport.is_closing()
        ):
            return False
        self.transport.write(frame)
        return True


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
