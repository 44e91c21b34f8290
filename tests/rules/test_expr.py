from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import cel
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rules.engine import judge
from rules.events import EVENT_TYPES, PROFILE_FIELDS, fields_of
from rules.expr import ExprSyntaxError, analyse, compile_expr, tokens, trial
from rules.state import MemoryState
from tests.rules.support import event, load, only_problem, text


def flat(source: str, event_type: str = "post.created") -> str:
    analysis = analyse(source, compile_expr(source), event_type)
    assert analysis.problems == []
    return analysis.flat_source


def test_tokens_skip_strings() -> None:
    kinds = [(t.kind, t.text) for t in tokens('event.kind == "event.x" && 1.5 >= 2u')]
    assert kinds == [
        ("id", "event"),
        ("op", "."),
        ("id", "kind"),
        ("op", "=="),
        ("str", '"event.x"'),
        ("op", "&&"),
        ("num", "1.5"),
        ("op", ">="),
        ("num", "2u"),
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("event.body_length >= 80", "event__body_length >= 80"),
        ('event["kind"] == "post"', 'event__kind == "post"'),
        ("has(event.channel_id)", "event__channel_id__present"),
        ("subject != null && actor.role == 'x'", "subject__id != null && actor__role == 'x'"),
        ("'event.kind' + event.kind", "'event.kind' + event__kind"),
        ("[1].exists(event, event > 0)", "[1].exists(event, event > 0)"),
    ],
)
def test_flat_rewrite(source: str, expected: str) -> None:
    assert flat(source) == expected


def test_reads_are_collected() -> None:
    source = "event.body_length > 1 && actor.city == subject.city"
    analysis = analyse(source, compile_expr(source), "post.created")
    assert analysis.reads == {("event", "body_length"), ("actor", "city"), ("subject", "city")}


def test_syntax_error_has_an_offset() -> None:
    with pytest.raises(ExprSyntaxError) as caught:
        compile_expr("event.a >= ")
    assert caught.value.offset == 11


def test_trial_reports_type_errors_and_unknown_functions() -> None:
    assert trial(compile_expr('event.body_length > "1"'), "post.created")[1] is not None
    assert trial(compile_expr("nope(event.body_length)"), "post.created")[1] == (
        "unknown function 'nope'"
    )
    assert trial(compile_expr("event.body_length > 1"), "post.created") == (False, None)


PAYLOAD = {
    "body_length": st.integers(-5, 500),
    "has_image": st.booleans(),
    "kind": st.sampled_from(["post", "kudos", "news"]),
    "channel_id": st.one_of(st.none(), st.sampled_from(["c1", "c2"])),
}
CONDITIONS = [
    "event.body_length >= 80 && event.has_image",
    'event.kind == "news" || event.body_length < 10',
    'has(event.channel_id) && event.channel_id == "c1"',
    "event.channel_id == null",
    "actor.role == subject.role",
    '[1, 2].exists(x, x == event.body_length) || actor.city.startsWith("Mo")',
    "subject == null",
]


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(CONDITIONS),
    st.fixed_dictionaries(PAYLOAD),
    st.sampled_from([None, {"role": "a", "city": "Moscow"}, {"role": "b"}, {}]),
    st.sampled_from([None, {"role": "a", "city": "Omsk"}, {}]),
    st.booleans(),
)
def test_the_engine_agrees_with_the_condition_on_maps(
    source: str,
    payload: dict[str, Any],
    actor: dict[str, Any] | None,
    subject: dict[str, Any] | None,
    drop_channel: bool,
) -> None:
    """The engine binds flat variables; CEL on plain maps is the reference."""
    if drop_channel:
        del payload["channel_id"]
    subject_id = None if subject is None else "u2"
    reference: dict[str, Any] = {
        "event": payload,
        "actor": {"id": "u1", **(actor or {})},
        "subject": None if subject_id is None else {"id": subject_id, **(subject or {})},
    }
    expected = _result(source, reference) is True
    ruleset = load(f"""\
        - id: a
          event: post.created
          when: '{source}'
          award: {{points: 1}}
        """)
    happened = event("post.created", subject=subject_id, **payload)
    decisions = judge(ruleset, happened, MemoryState(), actor=actor, subject=subject)
    assert bool(decisions) == expected


def _result(source: str, variables: dict[str, Any]) -> object:
    try:
        return cel.compile(source).execute(cel.Context(variables=variables))
    except (TypeError, KeyError, RuntimeError, ValueError):
        return "error"


identifiers = st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(EVENT_TYPES)), identifiers)
def test_a_rule_cannot_read_a_field_its_event_type_lacks(event_type: str, name: str) -> None:
    assume(name not in fields_of(event_type))
    assume(
        name
        not in {
            "in",
            "true",
            "false",
            "null",
            "as",
            "break",
            "const",
            "continue",
            "else",
            "for",
            "function",
            "if",
            "import",
            "let",
            "loop",
            "package",
            "namespace",
            "return",
            "var",
            "void",
            "while",
        }
    )
    problem = only_problem(
        text(f"""\
        - id: a
          event: {event_type}
          when: event.{name} == 1
          award: {{points: 1}}
        """)
    )
    assert (problem.line, problem.column) == (9, 15)
    assert f"has no field {name!r}" in problem.message


def test_every_declared_field_can_be_read() -> None:
    for event_type in EVENT_TYPES:
        for name in fields_of(event_type):
            source = f"event.{name} == event.{name}"
            analysis = analyse(source, compile_expr(source), event_type)
            assert analysis.problems == [], (event_type, name)
    assert all(
        name in PROFILE_FIELDS for name in ("id", "store", "department", "city", "region", "role")
    )


def test_sample_time_is_aware() -> None:
    result, problem = trial(
        compile_expr("event.at > timestamp('2020-01-01T00:00:00Z')"), "user.daily_login"
    )
    assert (result, problem) == (True, None)
    assert datetime(2020, 1, 1, tzinfo=UTC)
