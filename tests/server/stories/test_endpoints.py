"""Stories: 24-hour life, rings pushed live, viewers for the author, `story.viewed` once,
company stories pinned by comms."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from server.models import ActivityEvent, Role, Story
from tests.conftest import LiveServer
from tests.helpers import login, make_employee
from tests.realtime.support import check_schema, connect

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

Nodes = tuple[LiveServer, LiveServer]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@contextlib.asynccontextmanager
async def signed_in(url: str, email: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        assert (await login(http, email)).status_code == 200
        yield http


async def test_story_ring_is_pushed_live_and_viewers_are_kept(nodes: Nodes) -> None:
    a, b = nodes
    anna = await make_employee("anna@example.com")
    boris = await make_employee("boris@example.com")
    await make_employee("vera@example.com")
    async with (
        signed_in(a.url, "anna@example.com") as anna_http,
        signed_in(b.url, "boris@example.com") as boris_http,
        signed_in(b.url, "vera@example.com") as vera_http,
        connect(b.url, cookie=boris_http.cookies["plaza_session"]) as boris_tab,
    ):
        created = await anna_http.post("/api/stories", json={"text": "New shelf layout!"})
        assert created.status_code == 201, created.text
        story_id = created.json()["id"]
        ring = await boris_tab.got.wait_for("story.created")
        check_schema("story.created", ring)
        assert (ring["story_id"], ring["author_id"], ring["kind"]) == (story_id, anna.id, "text")

        rings = (await boris_http.get("/api/stories")).json()["rings"]
        assert rings[0]["author"]["id"] == anna.id
        assert rings[0]["all_seen"] is False
        for _ in range(2):  # viewing twice counts once
            assert (await boris_http.post(f"/api/stories/{story_id}/view")).status_code == 204
        rings = (await boris_http.get("/api/stories")).json()["rings"]
        assert rings[0]["all_seen"] is True

        viewers = (await anna_http.get(f"/api/stories/{story_id}/viewers")).json()["viewers"]
        assert [v["viewer"]["id"] for v in viewers] == [boris.id]
        assert (await vera_http.get(f"/api/stories/{story_id}/viewers")).status_code == 403
        viewed = await ActivityEvent.filter(type="story.viewed")
        assert [(e.actor_id, e.data) for e in viewed] == [
            (boris.id, {"story_id": str(story_id), "story_author_id": str(anna.id)})
        ]
        assert await ActivityEvent.filter(type="story.created", actor_id=anna.id).count() == 1


async def test_stories_vanish_after_a_day_unless_pinned_by_comms(nodes: Nodes) -> None:
    a, _ = nodes
    await make_employee("anna@example.com")
    await make_employee("comms@example.com", role=Role.COMMS)
    async with (
        signed_in(a.url, "anna@example.com") as anna_http,
        signed_in(a.url, "comms@example.com") as comms_http,
    ):
        image = await anna_http.post(
            "/api/stories/image",
            params={"caption": "shelf"},
            content=PNG,
            headers={"Content-Type": "image/png"},
        )
        assert image.status_code == 201, image.text
        assert (await anna_http.get(image.json()["image_url"])).content == PNG
        not_image = await anna_http.post(
            "/api/stories/image", content=b"<svg/>", headers={"Content-Type": "image/png"}
        )
        assert not_image.status_code == 415

        news = (await comms_http.post("/api/stories", json={"text": "Company day!"})).json()
        assert (
            await anna_http.post(f"/api/stories/{news['id']}/pin", json={"pinned": True})
        ).status_code == 403
        pinned = await comms_http.post(
            f"/api/stories/{news['id']}/pin", json={"pinned": True, "hours": 72}
        )
        assert pinned.status_code == 200
        assert pinned.json()["pinned"] is True

        # A day and a bit later: the ordinary story is gone, the pinned one is first.
        yesterday = datetime.now(UTC) - timedelta(hours=25)
        await Story.filter(id=image.json()["id"]).update(
            created_at=yesterday, expires_at=yesterday + timedelta(hours=24)
        )
        rings = (await anna_http.get("/api/stories")).json()["rings"]
        assert [r["stories"][0]["id"] for r in rings] == [news["id"]]
        assert rings[0]["pinned"] is True
        assert (await anna_http.get(image.json()["image_url"])).status_code == 404
