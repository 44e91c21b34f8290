"""The editor's API: the language description, the dry run's extra tables and background
runs, its totals against `plaza rules replay`, audited publications, the wheel editor."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from click.testing import CliRunner

from rules.cli import rules_group
from rules.describe import describe, help_keys
from server.activity import record
from server.models import ActivityEvent, Role
from server.models.audit import AuditEntry
from server.rulesets.service import profiles, stored_events
from tests.conftest import LiveServer
from tests.helpers import login, make_employee

DRAFT = """version: 1
rules:
  - id: any_post
    event: post.created
    award: {points: 7, spins: 1}
  - id: long_post
    event: post.created
    when: event.body_length >= 100
    award: {points: 3}
    limits: [{max: 2, per: day}]
"""

WHEEL = """version: 1
period: week
wishes: [{en: Good luck}]
prizes:
  mug: {title: {en: A mug}, stock: 5, value: 100}
segments:
  - {id: mug, weight: 1, prize: mug}
  - {id: ten, weight: 3, points: 10}
"""


@pytest.fixture
async def comms(live: LiveServer) -> httpx.AsyncClient:
    await make_employee("comms@example.com", role=Role.COMMS)
    client = httpx.AsyncClient(base_url=live.url, timeout=60)
    await login(client, "comms@example.com")
    return client


async def _posts(author_id: int, count: int) -> None:
    now = datetime.now(UTC)
    for n in range(count):
        await record(
            "post.created",
            author_id,
            {"post_id": f"p{n}", "body_length": 50 + 40 * n, "has_image": False, "kind": "post"},
            at=now - timedelta(hours=2, minutes=n),
        )


async def test_the_language_is_served_to_editors_only(
    comms: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    answer = await comms.get("/api/rulesets/language")
    assert answer.status_code == 200
    assert answer.json() == describe()
    await make_employee("plain@example.com")
    await login(client, "plain@example.com")
    assert (await client.get("/api/rulesets/language")).status_code == 403
    assert (await client.post("/api/admin/wheel/check", json={"text": WHEEL})).status_code == 403
    assert (await client.get("/api/admin/wheel/history")).status_code == 403


async def test_the_language_help_is_in_the_users_language(comms: httpx.AsyncClient) -> None:
    """Hover and completion help in Russian for a Russian user; every help text has its
    translation (docs/rules.md, from describe() without a localiser, stays English)."""
    english = await comms.get("/api/rulesets/language")
    when = _key_help(english.json(), "rules", "when")
    assert when.startswith("CEL condition")
    assert (await comms.patch("/api/me", json={"locale": "ru"})).status_code == 200
    russian = (await comms.get("/api/rulesets/language")).json()
    assert _key_help(russian, "rules", "when").startswith("условие CEL")
    assert russian["functions"][0]["help"] == "длина строки или списка"
    assert [f["name"] for f in russian["functions"]] == [f["name"] for f in describe()["functions"]]
    catalogue = orjson.loads(
        (Path(__file__).parents[3] / "server" / "locales" / "ru.json").read_bytes()
    )
    missing = sorted(set(help_keys()) - set(catalogue))
    assert not missing, f"help without a Russian translation: {missing}"
    for key, text in help_keys().items():
        # Russian words in each (names of keys and values like `actor` may stay as they are)
        assert re.search("[а-яё]", catalogue[key]), (key, text)


def _key_help(language: dict[str, Any], *path: str) -> str:
    level = next(lv for lv in language["levels"] if lv["path"] == list(path[:-1]))
    return str(next(k["help"] for k in level["keys"] if k["key"] == path[-1]))


async def test_dry_run_totals_equal_plaza_rules_replay(
    comms: httpx.AsyncClient, tmp_path: Path
) -> None:
    ann = await make_employee("ann@example.com")
    bob = await make_employee("bob@example.com")
    await _posts(ann.id, 4)
    await _posts(bob.id, 2)
    draft = (await comms.post("/api/rulesets", json={"text": DRAFT})).json()
    report = (await comms.post(f"/api/rulesets/{draft['id']}/dry-run", json={"days": 7})).json()

    since, until = (datetime.fromisoformat(report[k]) for k in ("since", "until"))
    rows = await ActivityEvent.filter(at__gte=since, at__lt=until)
    events = tmp_path / "events.jsonl"
    events.write_bytes(
        b"\n".join(
            orjson.dumps(
                {
                    "id": r.id,
                    "type": r.type,
                    "actor": str(r.actor_id),
                    "at": r.at.isoformat(),
                    **({"subject": str(r.subject_id)} if r.subject_id else {}),
                    **r.data,
                }
            )
            for r in rows
        )
    )
    users = tmp_path / "users.jsonl"
    users.write_bytes(b"\n".join(orjson.dumps(p) for p in (await profiles()).values()))
    rules = tmp_path / "rules.yaml"
    rules.write_text(DRAFT)
    result = CliRunner().invoke(
        rules_group,
        ["replay", "--rules", str(rules), "--events", str(events), "--users", str(users)],
    )
    assert result.exit_code == 0, result.output
    replayed = orjson.loads(result.output)
    assert report["events"] == len(rows)
    assert report["points"]["draft"] == sum(u["points"] for u in replayed["users"].values())
    assert report["spins"]["draft"] == sum(u["spins"] for u in replayed["users"].values())
    assert {k: v["draft"] for k, v in report["rules"].items() if v["draft"]} == replayed["rules"]
    assert report["points"]["draft"] == 6 * 7 + 2 * 3  # long posts: ann's 130 and 170


async def test_the_dry_run_reads_each_event_of_its_period_once(live: LiveServer) -> None:
    """Events are read a window of time at a time: one on each window's edge (the first is
    an hour, the next two hours), several in an hour and none in others, and the period's
    own ends (its start in, its end out)."""
    ann = await make_employee("ann@example.com")
    since = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    until = since + timedelta(hours=5)
    moments = [
        since - timedelta(microseconds=1),  # before the period: out
        since,
        since + timedelta(hours=1, microseconds=-1),
        since + timedelta(hours=1),  # the first window's end, the next one's start
        since + timedelta(hours=1, microseconds=1),
        since + timedelta(hours=3),  # the second window's end
        *(since + timedelta(hours=3, minutes=m) for m in range(1, 60, 7)),
        until - timedelta(microseconds=1),
        until,  # the period's end: out
    ]
    for n, at in enumerate(moments):
        await record("user.daily_login", ann.id, {}, at=at, event_id=f"edge{n:02d}")
    reads: list[int] = []
    found = await stored_events(since, until, lambda: reads.append(len(reads)))
    assert sorted(e.id for e in found) == [f"edge{n:02d}" for n in range(1, len(moments) - 1)]
    assert {e.at for e in found} == set(moments[1:-1])
    assert len(reads) == 3  # told after each window: a cancelled dry run stops reading there

    class Stop(Exception):
        pass

    def stop() -> None:
        raise Stop

    with pytest.raises(Stop):
        await stored_events(since, until, stop)

    # A period since 2000 (the contest dry run allows one) skips the empty years at once.
    reads.clear()
    found = await stored_events(
        datetime(2000, 1, 1, tzinfo=UTC), until, lambda: reads.append(len(reads))
    )
    assert len(found) == len(moments) - 1 and len(reads) <= 3


async def test_stores_points_per_rule_and_prize_cost_come_from_the_server(
    comms: httpx.AsyncClient,
) -> None:
    ann = await make_employee("ann@example.com")
    await _posts(ann.id, 3)
    assert (await comms.put("/api/admin/wheel", json={"text": WHEEL})).status_code == 200
    draft = (await comms.post("/api/rulesets", json={"text": DRAFT})).json()
    report = (await comms.post(f"/api/rulesets/{draft['id']}/dry-run", json={"days": 7})).json()
    assert report["rule_points"]["any_post"]["draft"] == 21
    assert report["rule_points"]["long_post"]["draft"] == 3
    ann_store = (await profiles())[str(ann.id)]["store"]
    store = next(s for s in report["stores"] if s["store"] == ann_store)
    assert store["points"]["draft"] >= 24 and store["people"] >= 1
    cost = report["prize_cost"]
    assert cost["per_spin"] == pytest.approx((1 * 100 + 3 * 10) / 4)
    assert cost["draft"] == pytest.approx(report["spins"]["draft"] * 32.5)


async def test_a_background_dry_run_reports_progress_then_the_same_report(
    comms: httpx.AsyncClient,
) -> None:
    ann = await make_employee("ann@example.com")
    await _posts(ann.id, 3)
    draft = (await comms.post("/api/rulesets", json={"text": DRAFT})).json()
    started = await comms.post(f"/api/rulesets/{draft['id']}/dry-runs", json={"days": 7})
    assert started.status_code == 202
    job = started.json()
    for _ in range(200):
        if job["state"] != "running":
            break
        await asyncio.sleep(0.05)
        job = (await comms.get(f"/api/rulesets/dry-runs/{job['id']}")).json()
    assert job["state"] == "done"
    assert job["done"] == job["total"] > 0
    direct = (await comms.post(f"/api/rulesets/{draft['id']}/dry-run", json={"days": 7})).json()
    assert job["report"]["rules"] == direct["rules"]
    assert job["report"]["points"] == direct["points"]
    assert (await comms.get("/api/rulesets/dry-runs/nope")).status_code == 404
    cancelled = await comms.delete(f"/api/rulesets/dry-runs/{job['id']}")
    assert cancelled.json()["state"] == "done"  # too late to cancel: the report stays


async def test_publish_and_roll_back_are_in_the_audit_log(comms: httpx.AsyncClient) -> None:
    default_id = (await comms.get("/api/rulesets/live")).json()["id"]
    draft = (await comms.post("/api/rulesets", json={"text": DRAFT})).json()
    await comms.post(f"/api/rulesets/{draft['id']}/publish", json={"message": "simpler"})
    await comms.post(f"/api/rulesets/{default_id}/publish", json={"message": "oops"})
    entries = await AuditEntry.filter(action__startswith="ruleset.").order_by("seq")
    assert [(e.action, e.target, e.detail["message"]) for e in entries] == [
        ("ruleset.publish", f"ruleset:{draft['id']}", "simpler"),
        ("ruleset.rollback", f"ruleset:{default_id}", "oops"),
    ]
    assert entries[0].actor_id is not None


async def test_the_wheel_editor_checks_publishes_lists_and_diffs(
    comms: httpx.AsyncClient,
) -> None:
    shipped = (await comms.get("/api/admin/wheel")).json()
    assert shipped["live"] is True and "segments:" in shipped["text"]
    before = (await comms.get("/api/admin/wheel/history")).json()["publications"]
    assert [(p["version_id"], p["by_id"], p["live"]) for p in before] == [
        (shipped["id"], None, True)
    ]

    broken = (
        await comms.post(
            "/api/admin/wheel/check", json={"text": WHEEL.replace("prize: mug", "prize: cup")}
        )
    ).json()
    assert broken["ok"] is False
    assert (
        broken["problems"][0]["line"] == 7 and "undefined prize" in broken["problems"][0]["message"]
    )
    good = (await comms.post("/api/admin/wheel/check", json={"text": WHEEL})).json()
    assert good["ok"] is True and good["spin_value"] == 32.5

    put = await comms.put("/api/admin/wheel", json={"text": WHEEL, "message": "a mug wheel"})
    assert put.json()["action"] == "publish"
    back = await comms.post(
        f"/api/admin/wheel/versions/{shipped['id']}/publish", json={"message": "undo"}
    )
    assert back.json() == {"version": shipped["version"], "action": "rollback"}
    assert (await comms.get("/api/admin/wheel")).json()["id"] == shipped["id"]

    history = (await comms.get("/api/admin/wheel/history")).json()["publications"]
    assert [(p["action"], p["message"]) for p in history[:2]] == [
        ("rollback", "undo"),
        ("publish", "a mug wheel"),
    ]
    assert history[0]["live"] is True and history[0]["by_id"] is not None
    assert len(history) == 2
    mine = history[1]["version_id"]
    text = (await comms.get(f"/api/admin/wheel/versions/{mine}")).json()["text"]
    assert text == WHEEL.strip()  # request bodies are stripped
    diff = (await comms.get(f"/api/admin/wheel/diff?from={shipped['id']}&to={mine}")).json()
    assert "+  - {id: ten, weight: 3, points: 10}" in diff["diff"]
    # Putting a text that was published before is a roll-back too.
    again = await comms.put("/api/admin/wheel", json={"text": WHEEL})
    assert again.json()["action"] == "rollback"
    entries = await AuditEntry.filter(action__startswith="wheel.").order_by("seq")
    assert [e.action for e in entries] == ["wheel.publish", "wheel.rollback", "wheel.rollback"]
