from __future__ import annotations

import httpx
import pytest

from tests.community import Clients, make_org
from tests.conftest import LiveServer
from tests.helpers import login, make_employee, run_jobs

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_onboarding_lists_what_is_missing_and_the_live_rules_reward(
    client: httpx.AsyncClient,
) -> None:
    await make_employee("newbie@example.com")
    await login(client, "newbie@example.com")
    first = (await client.get("/api/me/onboarding")).json()
    assert first["complete"] is False
    assert first["missing"] == ["position", "avatar", "skills", "interests"]
    # The default ruleset pays 50 points and the "All about me" badge, once.
    reward = first["reward"]
    assert reward["rule_id"] == "profile_completed"
    assert (reward["points"], reward["spins"]) == (50, 0)
    assert reward["title"]["ru"] == "Профиль заполнен"
    assert reward["badge"] == {
        "id": "all_about_me",
        "title": {"en": "All about me", "ru": "Всё обо мне"},
        "tier": "bronze",
    }
    await client.patch("/api/me", json={"position": "Cashier", "skills": ["excel"]})
    assert (await client.get("/api/me/onboarding")).json()["missing"] == ["avatar", "interests"]
    await client.patch("/api/me", json={"interests": ["chess"]})
    await client.put("/api/me/avatar", content=PNG, headers={"content-type": "image/png"})
    done = (await client.get("/api/me/onboarding")).json()
    assert done["complete"] is True and done["missing"] == []


async def test_onboarding_needs_a_session(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/me/onboarding")).status_code == 401


async def test_notifications_name_who_did_it(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob = await as_(org.alice), await as_(org.bob)
        post = (await alice.post("/api/posts", json={"body": "Shelf layout"})).json()
        await bob.put(f"/api/posts/{post['id']}/reactions/like")
        await bob.post(
            f"/api/posts/{post['id']}/comments",
            json={"body": f"Nice, @[Alice](person:{org.alice.id})"},
        )
        await run_jobs(live.settings)
        items = (await alice.get("/api/notifications")).json()["items"]
        assert {n["kind"] for n in items} >= {"reaction", "mention", "comment"}
        for item in items:
            if item["kind"] in ("reaction", "mention", "comment"):
                assert item["actor"]["id"] == org.bob.id
                assert item["actor"]["name"] == org.bob.name
            else:  # a badge the rules gave: nobody did it
                assert item["kind"] == "badge.awarded" and item["actor"] is None
