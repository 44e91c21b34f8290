from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from server.models import Employee
from tests.community import Clients, make_org
from tests.conftest import LiveServer, free_port
from tests.helpers import run_jobs
from tests.server.test_worker import Sink, subject


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


async def test_digest_ranks_pins_and_engagement_and_is_mailed_once_per_person(
    live: LiveServer, smtp_sink: tuple[Sink, int]
) -> None:
    sink, port = smtp_sink
    live.settings.__dict__["smtp_url"] = f"smtp://127.0.0.1:{port}"
    org = await make_org()
    await Employee.filter(id=org.bob.id).update(locale="ru")
    async with Clients(live.url) as as_:
        comms, alice, bob = await as_(org.comms), await as_(org.alice), await as_(org.bob)
        channel = (
            await comms.post("/api/channels", json={"name": "News", "mandatory": True})
        ).json()
        ids = {}
        for name in ["quiet", "liked", "discussed", "pinned", "plain", "other", "targeted"]:
            body = {"body": f"{name} news", "channel_id": channel["id"]}
            if name == "targeted":
                body["audience"] = [f"store:{org.store_n.id}"]
            ids[name] = (await comms.post("/api/posts", json=body)).json()["id"]
        await comms.put(f"/api/posts/{ids['pinned']}/pin")
        for client in (alice, bob):
            await client.put(f"/api/posts/{ids['liked']}/reactions/like")
        await alice.post(f"/api/posts/{ids['discussed']}/comments", json={"body": "yes"})
        await alice.post(f"/api/posts/{ids['discussed']}/comments", json={"body": "indeed"})
        digest = (await bob.get("/api/digest")).json()
        titles = [p["body"] for p in digest["items"]]
        assert titles[:3] == ["pinned news", "discussed news", "liked news"]
        assert len(titles) == 5 and "targeted news" not in titles
        await live.services.enqueue("daily_digest", job_id=live.services.keys.job_id("digest", 1))
        await run_jobs(live.settings)
        await live.services.enqueue("daily_digest", job_id=live.services.keys.job_id("digest", 2))
        await run_jobs(live.settings)
    for _ in range(50):
        if len(sink.messages) >= 7:
            break
        await asyncio.sleep(0.05)
    assert sorted(m["To"] for m in sink.messages) == sorted(
        e.email
        for e in (org.comms, org.admin, org.moderator, org.manager, org.alice, org.bob, org.carol)
    )
    russian = next(m for m in sink.messages if m["To"] == org.bob.email)
    assert "новости дня" in subject(russian)
    assert "pinned news" in russian.get_payload(decode=True).decode()  # type: ignore[union-attr]
