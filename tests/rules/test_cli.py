from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from rules.cli import rules_group
from rules.ruleset import default_text

GOOD = """\
version: 1
timezone: Europe/Moscow
rules:
  - id: quality_post
    event: post.created
    when: event.body_length >= 80
    award: {points: 10}
    limits: [{max: 3, per: day}]
tests:
  - name: the fourth post of a day earns nothing
    events: [{type: post.created, actor: u1, at: "2026-03-03T09:00:00+03:00",
              body_length: 120, repeat: 4}]
    expect: {u1: {points: 30}}
"""


def write(tmp_path: Path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_check_passes_a_good_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(rules_group, ["check", write(tmp_path, "a.yaml", GOOD)])
    assert result.exit_code == 0
    assert result.output == ""


def test_check_prints_one_line_per_problem(tmp_path: Path) -> None:
    bad = GOOD.replace("body_length >= 80", "body_lenght >= 80").replace("per: day", "per: dya")
    good = write(tmp_path, "good.yaml", GOOD)
    path = write(tmp_path, "bad.yaml", bad)
    result = CliRunner().invoke(rules_group, ["check", good, path])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1  # shape errors come first; fix them, then the rest shows
    assert lines[0].startswith(f"{path}:8:28: rules[0].limits[0].per: should be")
    fixed = write(tmp_path, "bad.yaml", bad.replace("dya", "day"))
    result = CliRunner().invoke(rules_group, ["check", fixed])
    assert result.exit_code == 1
    assert result.output.startswith(f"{fixed}:6:17: event type post.created has no field")


def test_check_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(rules_group, ["check", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1
    assert "cannot read" in result.output


def test_test_command_passes_and_fails(tmp_path: Path) -> None:
    result = CliRunner().invoke(rules_group, ["test", write(tmp_path, "a.yaml", GOOD)])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output and "1 of 1 rule tests passed" in result.output
    failing = write(tmp_path, "b.yaml", GOOD.replace("points: 30}", "points: 40}"))
    result = CliRunner().invoke(rules_group, ["test", failing])
    assert result.exit_code == 1
    assert "FAIL u1 points: expected 40, got 30" in result.output


def test_test_command_runs_the_default_ruleset(tmp_path: Path) -> None:
    path = write(tmp_path, "default.yaml", default_text())
    result = CliRunner().invoke(rules_group, ["test", path, "--timezone", "Europe/Moscow"])
    assert result.exit_code == 0, result.output


def test_replay_prints_totals(tmp_path: Path) -> None:
    rules = write(
        tmp_path,
        "r.yaml",
        GOOD.replace("event.body_length >= 80", 'event.body_length >= 80 && actor.role == "x"'),
    )
    lines = [
        {
            "id": f"e{n}",
            "type": "post.created",
            "actor": actor,
            "at": "2026-03-03T09:00:00+03:00",
            "body_length": 120,
        }
        for n, actor in enumerate(["u1"] * 4 + ["u2"])
    ]
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    users = tmp_path / "users.jsonl"
    users.write_bytes(orjson.dumps({"id": "u1", "role": "x"}) + b"\n")
    result = CliRunner().invoke(
        rules_group, ["replay", "--rules", rules, "--events", str(events), "--users", str(users)]
    )
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.output) == {
        "users": {"u1": {"points": 30, "spins": 0, "badges": []}},
        "rules": {"quality_post": 3},
    }


def test_replay_reports_a_bad_events_file(tmp_path: Path) -> None:
    rules = write(tmp_path, "r.yaml", GOOD)
    events = write(tmp_path, "events.jsonl", "{not json\n")
    result = CliRunner().invoke(rules_group, ["replay", "--rules", rules, "--events", events])
    assert result.exit_code == 1
    assert "bad event" in result.output


def test_diff_prints_the_change(tmp_path: Path) -> None:
    published = write(tmp_path, "p.yaml", GOOD)
    draft = write(tmp_path, "d.yaml", GOOD.replace("points: 10}", "points: 20}"))
    line = {
        "id": "e",
        "type": "post.created",
        "actor": "u1",
        "at": "2026-03-03T09:00:00+03:00",
        "body_length": 120,
    }
    events = tmp_path / "events.jsonl"
    events.write_bytes(orjson.dumps(line) + b"\n")
    result = CliRunner().invoke(
        rules_group, ["diff", "--draft", draft, "--published", published, "--events", str(events)]
    )
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.output)
    assert report["points"] == {"published": 10, "draft": 20}
    assert report["movers"][0]["user"] == "u1"
