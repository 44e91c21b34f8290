"""The comms team's rules workflow over HTTP: check, save, test, diff, dry run, publish,
roll back, audit; every process switches to a publication within seconds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from rules.ruleset import default_text
from server.activity import record
from server.models import Role
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

BROKEN = """version: 1
rules:
  - id: any_post
    event: post.created
    when: event.body_lenght > 10
    award: {points: 7}
"""


@pytest.fixture
async def comms(live: LiveServer) -> httpx.AsyncClient:
    await make_employee("comms@example.com", role=Role.COMMS)
    client = httpx.AsyncClient(base_url=live.url, timeout=30)
    await login(client, "comms@example.com")
    return client


async def test_only_comms_and_admins_edit_rules(client: httpx.AsyncClient) -> None:
    await make_employee("plain@example.com")
    await login(client, "plain@example.com")
    assert (await client.get("/api/rulesets")).status_code == 403
    assert (await client.post("/api/rulesets", json={"text": DRAFT})).status_code == 403


async def test_the_shipped_default_is_live_from_the_start(comms: httpx.AsyncClient) -> None:
    live = (await comms.get("/api/rulesets/live")).json()
    assert live["live"] is True
    assert "rules:" in live["text"]
    audit = (await comms.get("/api/rulesets/audit")).json()["publications"]
    assert len(audit) == 1 and audit[0]["published_by_id"] is None


async def test_errors_come_with_line_and_column_and_nothing_is_saved(
    comms: httpx.AsyncClient,
) -> None:
    checked = (await comms.post("/api/rulesets/check", json={"text": BROKEN})).json()
    assert checked["ok"] is False
    problem = checked["problems"][0]
    assert (problem["line"], problem["column"]) == (5, 17)  # at the misspelt name
    assert "body_lenght" in problem["message"]
    saved = await comms.post("/api/rulesets", json={"text": BROKEN})
    assert saved.status_code == 422
    assert saved.json()["error"] == "ruleset_invalid"
    assert "line 5, column 17" in saved.json()["detail"]
    assert len((await comms.get("/api/rulesets")).json()["versions"]) == 1


async def test_save_is_idempotent_by_content(comms: httpx.AsyncClient) -> None:
    first = (await comms.post("/api/rulesets", json={"text": DRAFT, "message": "flat"})).json()
    again = (await comms.post("/api/rulesets", json={"text": DRAFT})).json()
    assert first["id"] == again["id"] and first["live"] is False
    assert len(first["version"]) == 64


async def test_run_the_versions_tests(comms: httpx.AsyncClient) -> None:
    text = (
        DRAFT
        + """tests:
  - name: two posts
    events: [{type: post.created, actor: u1, at: "2026-03-03T09:00:00+03:00", post_id: p, body_length: 5, has_image: false, kind: post, repeat: 2}]
    expect: {u1: {points: 15}}
"""
    )
    saved = (await comms.post("/api/rulesets", json={"text": text})).json()
    report = (await comms.post(f"/api/rulesets/{saved['id']}/test")).json()
    assert report["passed"] is False
    assert report["cases"][0]["lines"] == ["FAIL u1 points: expected 15, got 14"]


async def test_diff_dry_run_publish_and_roll_back(
    comms: httpx.AsyncClient, live: LiveServer
) -> None:
    author = await make_employee("writer@example.com")
    now = datetime.now(UTC)
    for n in range(3):
        await record(
            "post.created",
            author.id,
            {"post_id": f"p{n}", "body_length": 20, "has_image": False, "kind": "post"},
            at=now - timedelta(days=1, minutes=n),
        )
    await record(  # outside the dry run's period
        "post.created",
        author.id,
        {"post_id": "old", "body_length": 20, "has_image": False, "kind": "post"},
        at=now - timedelta(days=40),
    )
    default_id = (await comms.get("/api/rulesets/live")).json()["id"]
    draft = (await comms.post("/api/rulesets", json={"text": DRAFT, "message": "simpler"})).json()

    diff = (await comms.get(f"/api/rulesets/diff?from={default_id}&to={draft['id']}")).json()[
        "diff"
    ]
    assert "+    award: {points: 7}" in diff

    report = (await comms.post(f"/api/rulesets/{draft['id']}/dry-run", json={"days": 30})).json()
    assert report["events"] == 4  # the three recent posts and the comms user's daily login
    assert report["rules"]["any_post"] == {"published": 0, "draft": 3}
    assert report["points"]["draft"] == 21
    assert report["movers"][0]["user"] == str(author.id)

    published = await comms.post(f"/api/rulesets/{draft['id']}/publish", json={"message": "go"})
    assert published.status_code == 201 and published.json()["action"] == "publish"
    assert (await comms.get("/api/rulesets/live")).json()["id"] == draft["id"]

    back = (
        await comms.post(f"/api/rulesets/{default_id}/publish", json={"message": "oops"})
    ).json()
    assert back["action"] == "rollback"
    assert (await comms.get("/api/rulesets/live")).json()["id"] == default_id
    audit = (await comms.get("/api/rulesets/audit")).json()["publications"]
    assert [p["action"] for p in audit] == ["rollback", "publish", "publish"]
    assert audit[0]["message"] == "oops"

    # Each moment is judged by what was live then.
    registry = live.app.state.rulesets
    await registry.refresh()
    at_draft = datetime.fromisoformat(published.json()["published_at"]) + timedelta(microseconds=1)
    assert registry.live_at(at_draft).rule("any_post").id == "any_post"
    assert registry.live.version != draft["version"]
    assert registry.live_at(now - timedelta(days=400)) is None


async def test_every_process_switches_within_seconds(
    live: LiveServer, comms: httpx.AsyncClient
) -> None:
    async with LiveServer(live.settings) as other:
        draft = (await comms.post("/api/rulesets", json={"text": DRAFT})).json()
        await comms.post(f"/api/rulesets/{draft['id']}/publish", json={})
        registry = other.app.state.rulesets
        for _ in range(100):
            if registry.live is not None and registry.live.version == draft["version"]:
                break
            await asyncio.sleep(0.05)
        assert registry.live.version == draft["version"]


def test_default_ruleset_is_valid_and_its_tests_pass() -> None:
    from rules.ruleset import load_ruleset
    from rules.testing import run_tests

    ruleset = load_ruleset(default_text(), "default.yaml", "Europe/Moscow")
    assert all(case.passed for case in run_tests(ruleset))


def test_cli_publish_and_history(settings: object, tmp_path: object) -> None:
    from pathlib import Path

    from click.testing import CliRunner

    from server.cli import main
    from tests.server.hr.test_service import env_of

    folder = Path(str(tmp_path))
    good, bad = folder / "good.yaml", folder / "bad.yaml"
    good.write_text(DRAFT)
    bad.write_text(BROKEN)
    env = env_of(settings)  # type: ignore[arg-type]
    runner = CliRunner()
    refused = runner.invoke(main, ["rules", "publish", str(bad)], env=env)
    assert refused.exit_code == 1
    assert f"{bad}:5:17:" in refused.output
    done = runner.invoke(main, ["rules", "publish", str(good), "-m", "flat points"], env=env)
    assert done.exit_code == 0, done.output
    history = runner.invoke(main, ["rules", "history"], env=env)
    assert "publish  version 1" in history.output and "flat points" in history.output
