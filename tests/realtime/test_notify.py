"""Notifications reach every tab of the recipient on every web process, whether `notify()`
runs in a web process or in an arq worker (through its one write-only Socket.IO manager),
once per dedupe key."""

from __future__ import annotations

import pytest

from server.notifications.service import notify
from server.services import Services
from server.settings import Settings
from server.worker import make_worker
from tests.conftest import LiveServer
from tests.helpers import make_employee
from tests.realtime.support import check_schema, connect, session_cookie

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

Nodes = tuple[LiveServer, LiveServer]


async def test_notify_reaches_every_tab_from_a_worker_and_from_a_web_process(
    nodes: Nodes,
) -> None:
    a, b = nodes
    anna = await make_employee("anna@example.com")
    boris = await make_employee("boris@example.com")
    cookie = await session_cookie(a.url, "anna@example.com")
    other = await session_cookie(a.url, "boris@example.com")
    async with (
        connect(a.url, cookie=cookie) as on_a,
        connect(b.url, cookie=cookie) as on_b,
        connect(b.url, cookie=other) as boris_tab,
    ):
        # As a worker (or the CLI) has it: no Socket.IO server, the write-only manager.
        worker = await Services.start(a.settings)
        try:
            payload = {"post_id": 5, "by": boris.id}
            assert await notify(worker, [anna.id], "comment", payload, "c5") == [anna.id]
            assert await notify(worker, [anna.id], "comment", payload, "c5") == []  # once
        finally:
            await worker.close()
        for tab in (on_a, on_b):
            data = await tab.got.wait_for("notification")
            check_schema("notification", data)
            assert (data["kind"], data["payload"], data["actor_id"]) == (
                "comment",
                payload,
                boris.id,
            )
            unread = await tab.got.wait_for("notification.unread")
            assert unread["count"] == 1
        # From a web process: through its own Socket.IO server, to the other process too.
        mention = {"post_id": 6, "by": anna.id}
        assert await notify(a.services, [boris.id], "mention", mention, "m6") == [boris.id]
        note = await boris_tab.got.wait_for("notification")
        assert note["kind"] == "mention"
        await boris_tab.got.wait_for("notification.unread", lambda d: d["count"] == 1)
        assert [d["kind"] for d in on_a.got.of("notification")] == ["comment"]
        assert [d["kind"] for d in on_b.got.of("notification")] == ["comment"]


async def test_the_worker_has_one_write_only_manager(db: Settings) -> None:
    """Reward events (wallet, wheel, leaderboards) and the publisher share it."""
    worker = make_worker(db, burst=True, manage_database=False)
    assert worker.on_startup is not None and worker.on_shutdown is not None
    await worker.on_startup(worker.ctx)
    try:
        services: Services = worker.ctx["services"]
        assert worker.ctx["rewards"].manager is services.emitter
    finally:
        await worker.on_shutdown(worker.ctx)
