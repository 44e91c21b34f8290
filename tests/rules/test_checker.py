from __future__ import annotations

import pytest

from tests.rules.support import HEAD, only_problem, problems, text

# HEAD takes lines 1-6, so the first rule's `- id:` is on line 7.


def test_a_valid_file_has_no_problems() -> None:
    source = text("""\
        - id: quality_post
          event: post.created
          when: event.body_length >= 80
          award: {points: 10}
          limits: [{max: 3, per: day}]
        """)
    assert problems(source) == []


def test_unknown_key_names_the_allowed_ones() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          limit: [{max: 3, per: day}]
          award: {points: 1}
        """)
    )
    assert (problem.line, problem.column) == (9, 3)
    assert "unknown key 'limit'" in problem.message
    assert "limits" in problem.message and "award" in problem.message


def test_unknown_key_inside_an_award() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          award: {points: 1, coins: 2}
        """)
    )
    assert (problem.line, problem.column) == (9, 22)
    assert "unknown key 'coins' (allowed: points, spins, badge)" in problem.message


def test_unknown_top_level_key() -> None:
    problem = only_problem("version: 1\nrules: []\non: push\n")
    assert (problem.line, problem.column) == (3, 1)
    assert "unknown key 'on'" in problem.message


def test_missing_key() -> None:
    problem = only_problem(
        text("""\
        - id: a
          award: {points: 1}
        """)
    )
    assert (problem.line, problem.column) == (7, 3)
    assert "missing key 'event'" in problem.message


def test_unknown_event_type() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.craeted
          award: {points: 1}
        """)
    )
    assert (problem.line, problem.column) == (8, 10)
    assert "unknown event type 'post.craeted'" in problem.message


def test_a_field_the_event_type_lacks() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          when: event.body_length > 1 && event.recipient_id == "u1"
          award: {points: 1}
        """)
    )
    assert (problem.line, problem.column) == (9, 40)
    assert "event type post.created has no field 'recipient_id'" in problem.message


def test_a_field_in_a_quoted_condition() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          when: "event.lenght > 1"
          award: {points: 1}
        """)
    )
    assert (problem.line, problem.column) == (9, 16)


def test_a_field_by_index() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          when: event["nope"] == 1
          award: {points: 1}
        """)
    )
    assert "no field 'nope'" in problem.message
    assert (problem.line, problem.column) == (9, 15)


def test_unknown_profile_field() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          when: actor.salary > 1
          award: {points: 1}
        """)
    )
    assert (problem.line, problem.column) == (9, 15)
    assert "a user profile has no field 'salary'" in problem.message


def test_unknown_name() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          when: post.body_length > 1
          award: {points: 1}
        """)
    )
    assert (problem.line, problem.column) == (9, 9)
    assert "unknown name 'post'" in problem.message


def test_bare_event_is_rejected() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          when: size(event) > 1
          award: {points: 1}
        """)
    )
    assert (problem.line, problem.column) == (9, 14)
    assert "name a field" in problem.message


def test_comprehension_variables_are_not_unknown_names() -> None:
    source = text("""\
        - id: a
          event: post.created
          when: '[1, 2].exists(x, x == event.body_length)'
          award: {points: 1}
        """)
    assert problems(source) == []


def test_cel_syntax_error_points_into_the_expression() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          when: event.body_length >=
          award: {points: 1}
        """)
    )
    assert problem.line == 9
    assert problem.message.startswith("invalid CEL")


@pytest.mark.parametrize(
    ("award", "column", "words"),
    [
        ('{points: "10"}', 19, "got '10' (str)"),
        ("{points: -1}", 19, "greater than or equal to 0"),
        ("{points: 1.5}", 19, "valid integer"),
        ("{points: true}", 19, "valid integer"),
        ("[10]", 10, "expected a mapping"),
    ],
)
def test_wrong_types(award: str, column: int, words: str) -> None:
    problem = only_problem(
        text(f"""\
        - id: a
          event: post.created
          award: {award}
        """)
    )
    assert (problem.line, problem.column) == (9, column)
    assert words in problem.message


def test_wrong_period() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          award: {points: 1}
          limits: [{max: 3, per: fortnight}]
        """)
    )
    assert (problem.line, problem.column) == (10, 26)
    assert "'day', 'week', 'month' or 'total'" in problem.message


def test_undefined_badge() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          award: {badge: silver}
        """)
    )
    assert (problem.line, problem.column) == (9, 18)
    assert "undefined badge 'silver' (defined: bronze, gold)" in problem.message


def test_undefined_badge_in_a_tier() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: comment.created
          tiers:
            - {at: 10, award: {badge: silver}}
        """)
    )
    assert (problem.line, problem.column) == (10, 31)


def test_duplicate_rule_ids() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          award: {points: 1}
        - id: a
          event: post.created
          award: {points: 2}
        """)
    )
    assert (problem.line, problem.column) == (10, 7)
    assert "duplicate rule id 'a'" in problem.message


def test_tiers_out_of_order() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: comment.created
          tiers:
            - {at: 10, award: {badge: bronze}}
            - {at: 10, award: {badge: gold}}
        """)
    )
    assert (problem.line, problem.column) == (11, 12)
    assert "tiers out of order" in problem.message


def test_until_before_from_is_unreachable() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          award: {points: 1}
          active: {from: 2026-12-01, until: 2026-11-30}
        """)
    )
    assert (problem.line, problem.column) == (10, 37)
    assert "can never fire" in problem.message


def test_when_false_is_unreachable() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          when: "1 > 2"
          award: {points: 1}
        """)
    )
    assert (problem.line, problem.column) == (9, 9)
    assert "always false" in problem.message


def test_max_zero_is_unreachable() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          award: {points: 1}
          limits: [{max: 0, per: day}]
        """)
    )
    assert (problem.line, problem.column) == (10, 18)
    assert "max 0" in problem.message


def test_type_error_in_a_condition() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          when: event.body_length > "80"
          award: {points: 1}
        """)
    )
    assert (problem.line, problem.column) == (9, 9)
    assert "type error" in problem.message


def test_condition_must_be_boolean() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          when: event.body_length + 1
          award: {points: 1}
        """)
    )
    assert "must be true or false, not int" in problem.message


def test_to_must_give_a_user_id() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          to: event.body_length
          award: {points: 1}
        """)
    )
    assert (problem.line, problem.column) == (9, 7)
    assert "give a user id" in problem.message


def test_enum_literal_that_can_never_match() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          when: event.kind == "poll"
          award: {points: 1}
        """)
    )
    assert (problem.line, problem.column) == (9, 23)
    assert 'never "poll"' in problem.message


def test_exactly_one_of_award_and_tiers() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
        """)
    )
    assert (problem.line, problem.column) == (7, 3)
    assert "exactly one of award, tiers" in problem.message


def test_award_that_gives_nothing() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          award: {points: 0}
        """)
    )
    assert "gives nothing" in problem.message


def test_streak_needs_an_award() -> None:
    found = problems(
        text("""\
        - id: a
          event: user.daily_login
          streak: {days: 7}
          tiers: [{at: 1, award: {points: 1}}]
        """)
    )
    assert [(p.line, p.column) for p in found] == [(9, 11)]
    assert "streak needs an award" in found[0].message


def test_unknown_time_zone() -> None:
    problem = only_problem("version: 1\ntimezone: Europe/Atlantis\nrules: []\n")
    assert (problem.line, problem.column) == (2, 11)


@pytest.mark.parametrize(
    ("source", "position", "words"),
    [
        ("version: 1\nx: &a 1\ny: *a\nrules: []\n", (2, 4), "anchors"),
        ("version: 1\nrules: !!python/object:os.system []\n", (2, 8), "tags"),
        ("version: 1\nrules: []\nrules: []\n", (3, 1), "duplicate key"),
        ("version: 1\nrules: [\n", (3, 1), "YAML"),
        ("version: 1\nrules: []\n---\nversion: 1\n", (3, 1), "one YAML document"),
    ],
)
def test_yaml_level_problems(source: str, position: tuple[int, int], words: str) -> None:
    found = problems(source)
    assert found, source
    assert (found[0].line, found[0].column) == position
    assert words in found[0].message


def test_yaml_alias_is_reported_too() -> None:
    found = problems("version: 1\nx: &a 1\ny: *a\nrules: []\n")
    assert [(p.line, p.column) for p in found] == [(2, 4), (3, 4)]


def test_file_over_the_size_limit() -> None:
    source = HEAD + "#" * (256 * 1024) + "\n"
    problem = only_problem(source)
    assert (problem.line, problem.column) == (1, 1)
    assert "over the limit" in problem.message


def test_yaml_12_keeps_on_and_no_as_strings() -> None:
    # In YAML 1.1 `NO` is false and `on` is true; a rule id of `no` must stay a string.
    problem = only_problem(
        text("""\
        - id: a
          event: event.rsvp
          when: event.answer == NO
          award: {points: 1}
        """)
    )
    assert "unknown name 'NO'" in problem.message


def test_test_events_are_checked_against_the_catalogue() -> None:
    source = text("""\
        - id: a
          event: post.created
          award: {points: 1}
        tests:
          - name: t
            events:
              - {type: post.created, actor: u1, at: "2026-03-03T09:00:00+03:00", lenght: 5}
              - {type: post.nope, actor: u1, at: "2026-03-03T09:00:00+03:00"}
              - {type: post.created, actor: u1, at: "2026-03-03T09:00:00", every: 1 week}
            expect: {u1: {badges: [silver]}}
        """)
    found = problems(source)
    messages = [(p.line, p.column, p.message.split(" (")[0]) for p in found]
    assert (13, 74, "post.created has no field 'lenght'") in messages
    assert (14, 16, "unknown event type 'post.nope'") in messages
    assert (15, 45, "at must be a time with a zone") in messages
    assert (15, 75, "every must be like 1d, 2h, 30m or 10s") in messages
    assert (16, 28, "undefined badge 'silver'") in messages


def test_reverse_on_an_unknown_event_type() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          award: {points: 1}
          reverse_on: post.delted
        """)
    )
    assert (problem.line, problem.column) == (10, 15)
    assert problem.message.startswith("unknown event type 'post.delted' (known: ")


def test_reverse_on_needs_a_field_both_events_carry() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: user.daily_login
          award: {points: 1}
          reverse_on: post.deleted
        """)
    )
    assert (problem.line, problem.column) == (10, 15)
    assert problem.message == (
        "reverse_on: user.daily_login and post.deleted share no field to link them"
    )


def test_reverse_on_its_own_event_type() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          award: {points: 1}
          reverse_on: post.created
        """)
    )
    assert problem.message == "reverse_on: post.created cannot reverse its own awards"


def test_reverse_on_with_several_shared_fields_asks_for_the_link() -> None:
    rule = """\
        - id: a
          event: comment.created
          award: {points: 1}
          reverse_on: comment.deleted
        """
    problem = only_problem(text(rule))
    assert (problem.line, problem.column) == (10, 15)
    assert "share comment_id, post_id: name the link" in problem.message
    named = rule.replace("comment.deleted", "{event: comment.deleted, link: comment_id}")
    assert problems(text(named)) == []
    wrong = only_problem(
        text(rule.replace("comment.deleted", "{event: comment.deleted, link: body_length}"))
    )
    assert (wrong.line, wrong.column) == (10, 46)
    assert "'body_length' is not a field both" in wrong.message


def test_reverse_on_of_the_wrong_shape() -> None:
    problem = only_problem(
        text("""\
        - id: a
          event: post.created
          award: {points: 1}
          reverse_on: 3
        """)
    )
    assert (problem.line, problem.column) == (10, 15)
    assert "expected an event type, or {event: ..., link: ...}" in problem.message
