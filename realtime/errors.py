"""The realtime error family and its mapping to Socket.IO acknowledgements and refusals."""

from __future__ import annotations

from typing import Any


class RealtimeError(Exception):
    """Base of every error this package raises on purpose."""


class InvalidEvent(RealtimeError):
    """Publishing an undeclared event or a payload that does not fit its schema: a bug in
    the publishing code, raised before anything is sent."""


class Refused(RealtimeError):
    """Raised by the authenticator: the connection is refused with a stable `code` and a
    `message` for people (already in their language)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


class MessageError(RealtimeError):
    """A client-to-server message that cannot be served; the client gets an error ack."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail

    def ack(self) -> dict[str, Any]:
        return {"ok": False, "error": self.code, "detail": self.detail}
