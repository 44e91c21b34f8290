"""Real Socket.IO clients over loopback, and a recorder of what they receive."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import socketio

from realtime.events import EVENTS
from tests.conftest import http_client
from tests.helpers import login

# The settings we document for clients (docs/realtime.md): websocket first, polling as a
# fallback, reconnect with jittered exponential back-off.
CLIENT_OPTIONS: dict[str, Any] = {
    "reconnection": True,
    "reconnection_delay": 1,
    "reconnection_delay_max": 30,
    "randomization_factor": 0.5,
}


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.changed = asyncio.Event()
        self.disconnected = asyncio.Event()

    def record(self, event: str, data: Any) -> None:
        self.events.append((event, data))
        self.changed.set()

    def of(self, event: str) -> list[Any]:
        return [data for name, data in self.events if name == event]

    async def wait_for(
        self, event: str, where: Callable[[Any], bool] = lambda d: True, within: float = 5
    ) -> Any:
        async def find() -> Any:
            while True:
                for name, data in self.events:
                    if name == event and where(data):
                        return data
                self.changed.clear()
                await self.changed.wait()

        return await asyncio.wait_for(find(), within)


class Refused(Exception):
    """The server refused the connection; `data` is what it said (`message`, `data`)."""

    def __init__(self, data: Any) -> None:
        super().__init__(str(data))
        self.data = data


class LiveClient:
    def __init__(self, client: socketio.AsyncClient, recorder: Recorder) -> None:
        self.sio = client
        self.got = recorder

    async def call(self, event: str, data: Any = None, within: float = 5) -> Any:
        return await self.sio.call(event, data, timeout=within)


@contextlib.asynccontextmanager
async def connect(
    url: str,
    *,
    cookie: str | None = None,
    token: str | None = None,
    transports: list[str] | None = None,
) -> AsyncIterator[LiveClient]:
    client = socketio.AsyncClient(reconnection=False)
    recorder = Recorder()

    @client.on("*")
    async def catch_all(event: str, data: Any = None) -> None:
        recorder.record(event, data)

    @client.event
    async def disconnect(reason: Any = None) -> None:
        recorder.disconnected.set()

    refusal: list[Any] = []

    @client.event
    async def connect_error(data: Any = None) -> None:
        refusal.append(data)

    headers = {"Cookie": f"plaza_session={cookie}"} if cookie else {}
    try:
        await client.connect(
            url,
            headers=headers,
            auth={"token": token} if token else None,
            transports=transports or ["websocket"],
            wait_timeout=5,
        )
    except socketio.exceptions.ConnectionError:
        await client.disconnect()
        raise Refused(refusal[0] if refusal else None) from None
    try:
        yield LiveClient(client, recorder)
    finally:
        await client.disconnect()
        # aiohttp closes its session lazily; let it finish so nothing leaks between tests
        await asyncio.sleep(0)


async def session_cookie(base_url: str, email: str) -> str:
    async with http_client(base_url) as http:
        response = await login(http, email)
        assert response.status_code == 200, response.text
        return str(http.cookies["plaza_session"])


def check_schema(event: str, data: dict[str, Any]) -> None:
    """A received payload fits its declared schema."""
    EVENTS[event].model_validate(data)
