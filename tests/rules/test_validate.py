from __future__ import annotations

from rules.source import parse
from rules.validate import validate


def test_valid_document() -> None:
    model, problems = validate(parse("version: 1\nrules: []\n"))
    assert problems == [] and model is not None and model.rules == []


def test_errors_map_to_positions() -> None:
    source = "version: 2\nrules:\n  - id: Bad-Id\n    event: x\n    award: {points: 1}\n"
    model, problems = validate(parse(source, "f.yaml"))
    assert model is None
    assert [str(p) for p in problems] == [
        "f.yaml:1:10: version: should be 1",
        "f.yaml:3:9: rules[0].id: String should match pattern '^[a-z][a-z0-9_]*$'",
    ]


def test_unknown_key_in_active_lists_from() -> None:
    source = "version: 1\nrules:\n  - {id: a, event: x, award: {points: 1}, active: {since: 1}}\n"
    _, problems = validate(parse(source))
    assert len(problems) == 1
    assert "unknown key 'since' (allowed: from, until)" in problems[0].message


def test_bad_badge_key_points_at_the_key() -> None:
    _, problems = validate(parse("version: 1\nbadges:\n  Gold: {title: {en: G}}\nrules: []\n"))
    assert (problems[0].line, problems[0].column) == (3, 3)


def test_dates_must_be_dates() -> None:
    source = "version: 1\nrules:\n  - {id: a, event: x, award: {points: 1}, active: {from: 5}}\n"
    _, problems = validate(parse(source))
    assert "expected a date like 2026-12-01" in problems[0].message
