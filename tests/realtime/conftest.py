from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from server.settings import Settings
from tests.conftest import LiveServer


@pytest.fixture
async def nodes(db: Settings) -> AsyncIterator[tuple[LiveServer, LiveServer]]:
    """Two web processes (two uvicorn servers on two ports) sharing one database and one
    Redis, as a deployment with several web processes runs them."""
    async with LiveServer(db) as a, LiveServer(db) as b:
        yield a, b
