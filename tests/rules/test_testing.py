from __future__ import annotations

from datetime import timedelta

from rules.testing import expand, run_tests
from tests.rules.support import load

RULES = """\
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
      - name: a wrong expectation
        events:
          - {type: post.created, actor: u1, at: "2026-03-03T09:00:00+03:00", body_length: 120,
             repeat: 4, every: 1d}
        expect: {u1: {points: 30, badges: []}}
    """


def test_cases_pass_and_fail_with_expected_and_actual() -> None:
    passed, failed = run_tests(load(RULES))
    assert passed.passed and passed.lines == ("ok u1 points: expected 30, got 30",)
    assert not failed.passed
    assert failed.lines == (
        "FAIL u1 points: expected 30, got 40",
        "ok u1 badges: expected [], got []",
    )


def test_expand_repeats_with_ordered_ids_and_steps() -> None:
    case = load(RULES).tests[1]
    events = expand(1, case)
    assert [e.id for e in events] == [f"t001-e000-{k:04d}" for k in range(4)]
    assert events[1].at - events[0].at == timedelta(days=1)
    assert events[0].fields == {"body_length": 120}
