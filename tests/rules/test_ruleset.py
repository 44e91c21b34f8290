from __future__ import annotations

import hashlib

import pytest

from rules.errors import RulesetInvalid
from rules.ruleset import check_text, default_text, load_default, load_ruleset
from rules.testing import run_tests

SOURCE = "version: 1\nrules:\n  - {id: a, event: post.created, when: event.has_image, award: {points: 1}}\n"


def test_version_is_the_sha256_of_the_canonical_bytes() -> None:
    ruleset = load_ruleset(SOURCE)
    assert ruleset.version == hashlib.sha256(SOURCE.encode()).hexdigest()
    assert load_ruleset(SOURCE.replace("\n", "\r\n")).version == ruleset.version


def test_default_timezone_applies_when_the_file_names_none() -> None:
    assert str(load_ruleset(SOURCE, default_timezone="Asia/Almaty").timezone) == "Asia/Almaty"
    named = SOURCE.replace("version: 1\n", "version: 1\ntimezone: Europe/Moscow\n")
    assert str(load_ruleset(named, default_timezone="Asia/Almaty").timezone) == "Europe/Moscow"


def test_plans_bind_only_what_conditions_read() -> None:
    plan = load_ruleset(SOURCE).plans["post.created"]
    assert plan.variables == (("event__has_image", "event", "has_image", False),)
    assert [rule.id for rule in plan.rules] == ["a"]


def test_invalid_text_raises_with_every_problem() -> None:
    with pytest.raises(RulesetInvalid) as caught:
        load_ruleset(SOURCE.replace("post.created", "post.nope") + "  - {id: a, event: x}\n")
    assert len(caught.value.problems) == 3
    assert check_text("version: 1\nrules: []\n") == []


def test_the_default_ruleset_loads_and_its_tests_pass() -> None:
    ruleset = load_default("Europe/Moscow")
    assert "rules:" in default_text()
    results = run_tests(ruleset)
    assert len(results) >= 8
    assert all(result.passed for result in results), [r.lines for r in results]
    covered = {rule.event for rule in ruleset.rules}
    assert {
        "post.created",
        "comment.created",
        "reaction.added",
        "kudos.given",
        "post.read_confirmed",
        "event.attended",
        "poll.answered",
        "profile.completed",
        "user.daily_login",
        "story.viewed",
    } <= covered
