"""Actions of other areas that land in the audit log: rule publication and roll-back (the
shipped defaults' first publication at start-up is not an action of anyone's)."""

from __future__ import annotations

import httpx
import pytest

from server.models import AuditEntry, Role
from tests.conftest import LiveServer
from tests.helpers import login, make_employee

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

DRAFT = """version: 1
rules:
  - id: any_post
    event: post.created
    award: {points: 7}
"""


async def test_publish_and_roll_back_are_audited(live: LiveServer) -> None:
    comms = await make_employee("comms@example.com", role=Role.COMMS)
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as client:
        await login(client, comms.email)
        assert await AuditEntry.all().count() == 0  # the shipped defaults went live unaudited
        default_id = (await client.get("/api/rulesets/live")).json()["id"]
        draft = (await client.post("/api/rulesets", json={"text": DRAFT})).json()
        published = await client.post(
            f"/api/rulesets/{draft['id']}/publish", json={"message": "go"}
        )
        assert published.status_code == 201
        back = await client.post(f"/api/rulesets/{default_id}/publish", json={"message": "oops"})
        assert back.json()["action"] == "rollback"
    rows = await AuditEntry.all().order_by("seq")
    assert [(r.action, r.actor_id, r.target) for r in rows] == [
        ("ruleset.publish", comms.id, f"ruleset:{draft['id']}"),
        ("ruleset.rollback", comms.id, f"ruleset:{default_id}"),
    ]
    assert rows[0].detail == {"version": draft["version"], "message": "go"}
