"""Notifications reach the employee's tabs, also when an arq worker sends them through the
write-only Socket.IO manager."""

from __future__ import annotations

from datetime import UTC, datetime

from realtime.notify import push_notification
from tests.conftest import LiveServer
from tests.helpers import make_employee, run_jobs
from tests.realtime.support import check_schema, connect, session_cookie

Nodes = tuple[LiveServer, LiveServer]


def note(ident: int) -> dict[str, object]:
    return {
        "id": ident,
        "kind": "comment",
        "title": "Boris commented on your post",
        "at": datetime.now(UTC).isoformat(),
    }


async def test_worker_emits_through_the_write_only_manager(nodes: Nodes) -> None:
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
        services = a.services
        await services.enqueue(
            "deliver_notification", anna.id, note(5), 3, job_id=services.keys.job_id("n", 5)
        )
        await run_jobs(a.settings)
        for tab in (on_a, on_b):
            data = await tab.got.wait_for("notification")
            check_schema("notification", data)
            assert data["id"] == 5
            unread = await tab.got.wait_for("notification.unread")
            assert unread["count"] == 3
        await push_notification(services.publisher, boris.id, note(6))
        await boris_tab.got.wait_for("notification", lambda d: d["id"] == 6)
        assert [d["id"] for d in boris_tab.got.of("notification")] == [6]
        assert [d["id"] for d in on_a.got.of("notification")] == [5]
