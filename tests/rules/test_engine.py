from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, datetime, timedelta

import cel
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.engine import Event, _bind, conditions, decision_id, judge
from rules.state import MemoryState, StreakProgress, TierProgress
from tests.rules.support import HEAD, event, load, points, run

QUALITY = """\
- id: quality_post
  event: post.created
  when: event.body_length >= 80
  award: {points: 10}
  limits: [{max: 3, per: day}]
"""


def posts(count: int, at: str = "2026-03-03T09:00:00+03:00", actor: str = "u1") -> list[Event]:
    return [
        event("post.created", actor, at, id=f"{actor}-{at}-{n:03d}", body_length=120)
        for n in range(count)
    ]


def test_the_fourth_post_of_a_day_earns_nothing() -> None:
    decisions = run(load(QUALITY), posts(4))
    assert points(decisions, "u1") == 30
    assert [d.because for d in decisions] == [
        "1 of 3 this day (2026-03-03)",
        "2 of 3 this day (2026-03-03)",
        "3 of 3 this day (2026-03-03)",
    ]


def test_a_condition_that_is_false_awards_nothing() -> None:
    short = event("post.created", body_length=79)
    assert run(load(QUALITY), [short]) == []


def test_to_defaults_to_the_actor() -> None:
    (decision,) = run(load(QUALITY), posts(1, actor="u7"))
    assert decision.beneficiary == "u7"


def test_decision_carries_its_explanation() -> None:
    ruleset = load(QUALITY)
    (decision,) = run(ruleset, posts(1))
    source = (HEAD + QUALITY).encode()
    assert decision.ruleset_version == hashlib.sha256(source).hexdigest()
    assert (decision.rule_id, decision.kind, decision.amount) == ("quality_post", "points", 10)
    assert decision.event_id == posts(1)[0].id
    assert decision.as_dict()["because"] == "1 of 3 this day (2026-03-03)"
    assert decision.id == decision_id(decision.event_id, "quality_post", "u1", "points")


def test_decision_ids_are_deterministic_and_differ_by_kind() -> None:
    ruleset = load("""\
        - id: a
          event: post.created
          award: {points: 1, spins: 1, badge: bronze}
        """)
    first = run(ruleset, posts(1))
    again = run(ruleset, posts(1))
    assert [d.id for d in first] == [d.id for d in again]
    assert len({d.id for d in first}) == 3


def test_windows_use_the_file_time_zone() -> None:
    # 23:30 UTC on the 2nd is 02:30 on the 3rd in Moscow: a new day there.
    early = posts(3, at="2026-03-02T20:30:00+00:00")
    late = posts(1, at="2026-03-02T23:30:00+00:00")
    decisions = run(load(QUALITY), early + late)
    assert points(decisions, "u1") == 40
    assert decisions[-1].because == "1 of 3 this day (2026-03-03)"


def test_weeks_start_on_monday() -> None:
    ruleset = load("""\
        - id: a
          event: post.created
          award: {points: 1}
          limits: [{max: 1, per: week}]
        """)
    sunday = posts(1, at="2026-03-08T12:00:00+03:00")
    monday = posts(1, at="2026-03-09T12:00:00+03:00")
    saturday = posts(1, at="2026-03-07T12:00:00+03:00")
    decisions = run(ruleset, saturday + sunday + monday)
    assert [d.at.day for d in decisions] == [7, 9]
    assert decisions[-1].because == "1 of 1 this week (week from 2026-03-09)"


def test_month_and_total_windows() -> None:
    ruleset = load("""\
        - id: monthly
          event: post.created
          award: {points: 1}
          limits: [{max: 1, per: month}]
        - id: once
          event: post.created
          award: {points: 100}
          limits: [{max: 1, per: total}]
        """)
    events = posts(2, at="2026-03-31T12:00:00+03:00") + posts(1, at="2026-04-01T12:00:00+03:00")
    decisions = run(ruleset, events)
    assert [(d.rule_id, d.because) for d in decisions] == [
        ("monthly", "1 of 1 this month (2026-03)"),
        ("once", "1 of 1 in total"),
        ("monthly", "1 of 1 this month (2026-04)"),
    ]


def test_limit_keyed_by_beneficiary_and_actor() -> None:
    ruleset = load("""\
        - id: kudos_received
          event: kudos.given
          to: event.recipient_id
          award: {points: 5}
          limits: [{max: 2, per: week, key: [beneficiary, actor]}]
        """)
    from_u2 = [
        event("kudos.given", "u2", id=f"a{n}", recipient_id="u1", post_id="p", message_length=5)
        for n in range(3)
    ]
    from_u3 = [event("kudos.given", "u3", id="b", recipient_id="u1", post_id="p")]
    decisions = run(ruleset, from_u2 + from_u3)
    assert points(decisions, "u1") == 15
    assert points(decisions, "u2") == 0


def test_no_self_kudos_and_no_points_for_reacting_to_ones_own_post() -> None:
    ruleset = load("""\
        - id: kudos
          event: kudos.given
          to: event.recipient_id
          award: {points: 5}
        - id: reaction
          event: reaction.added
          to: subject
          award: {points: 1}
        """)
    events = [
        event("kudos.given", "u1", id="k", recipient_id="u1", post_id="p"),
        event("reaction.added", "u1", id="r", subject="u1", post_id="p", emoji="+1"),
        event("reaction.added", "u2", id="s", subject="u1", post_id="p", emoji="+1"),
    ]
    decisions = run(ruleset, events)
    assert [(d.rule_id, d.beneficiary, d.event_id) for d in decisions] == [("reaction", "u1", "s")]


def test_to_subject_without_a_subject_awards_nothing() -> None:
    ruleset = load("""\
        - id: reaction
          event: reaction.added
          to: subject
          award: {points: 1}
        """)
    assert run(ruleset, [event("reaction.added", post_id="p", emoji="x")]) == []


def test_a_badge_is_awarded_once_per_person() -> None:
    ruleset = load("""\
        - id: a
          event: post.created
          award: {badge: bronze}
        - id: b
          event: post.created
          award: {badge: bronze, points: 2}
        """)
    decisions = run(ruleset, posts(3))
    assert [(d.rule_id, d.kind) for d in decisions] == [
        ("a", "badge"),
        ("b", "points"),
        ("b", "points"),
        ("b", "points"),
    ]


def test_a_badge_only_award_that_is_held_does_not_use_up_a_limit() -> None:
    ruleset = load("""\
        - id: a
          event: post.created
          award: {badge: bronze}
          limits: [{max: 1, per: total}]
        """)
    state = MemoryState()
    state.grant_badge("u1", "bronze")
    assert judge(ruleset, posts(1)[0], state) == []
    assert state.counters == {}


COMMENTER = """\
- id: commenter
  event: comment.created
  tiers:
    - {at: 2, award: {badge: bronze}}
    - {at: 4, award: {badge: gold, spins: 1}}
"""


def comments(count: int) -> list[Event]:
    return [
        event("comment.created", id=f"c{n:03d}", at=f"2026-03-03T10:{n:02d}:00+03:00")
        for n in range(count)
    ]


def test_tiers_award_once_each_on_the_running_count() -> None:
    decisions = run(load(COMMENTER), comments(6))
    assert [(d.event_id, d.kind, d.badge) for d in decisions] == [
        ("c001", "badge", "bronze"),
        ("c003", "spins", None),
        ("c003", "badge", "gold"),
    ]
    assert decisions[0].because == "tier at 2: 2 matching comment.created events"


def test_one_event_crossing_two_tiers_awards_both() -> None:
    # A count carried over from before the tiers were set, e.g. a ruleset change.
    state = MemoryState()
    state.set_tier_progress("commenter", "u1", TierProgress(events=9))
    decisions = judge(load(COMMENTER), comments(1)[0], state)
    assert [d.badge for d in decisions if d.kind == "badge"] == ["bronze", "gold"]
    assert len({d.id for d in decisions}) == 3
    assert state.tier_progress("commenter", "u1") == TierProgress(10, frozenset({2, 4}))


def test_limits_cap_which_events_count_towards_tiers() -> None:
    ruleset = load(COMMENTER.replace("  tiers:", "  limits: [{max: 1, per: day}]\n  tiers:"))
    assert run(ruleset, comments(6)) == []


STREAK = """\
- id: week_streak
  event: user.daily_login
  streak: {days: 7}
  award: {spins: 1}
"""


def logins(days: list[int], actor: str = "u1") -> list[Event]:
    return [
        event("user.daily_login", actor, f"2026-03-{day:02d}T09:00:00+03:00", id=f"l{day}")
        for day in days
    ]


def test_every_seven_consecutive_days_earn_a_spin() -> None:
    decisions = run(load(STREAK), logins(list(range(1, 15))))
    assert [(d.at.day, d.kind, d.amount) for d in decisions] == [(7, "spins", 1), (14, "spins", 1)]
    assert decisions[0].because == "7 consecutive days ending 2026-03-07"


def test_a_gap_restarts_the_streak_and_a_second_login_a_day_does_not_count() -> None:
    gap = logins([1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13])
    twice = [event("user.daily_login", at="2026-03-06T18:00:00+03:00", id="again")]
    assert run(load(STREAK), gap + twice) == []
    state = MemoryState()
    for item in sorted(gap + twice, key=Event.sort_key):
        judge(load(STREAK), item, state)
    assert state.streak("week_streak", "u1") == StreakProgress(date(2026, 3, 13), 6)


def test_active_dates_are_inclusive_days_in_the_file_zone() -> None:
    ruleset = load(
        STREAK.replace("days: 7", "days: 2") + "  active: {from: 2026-12-01, until: 2027-01-10}\n"
    )
    # 21:30 UTC on Nov 30 is already Dec 1 in Moscow; 21:30 UTC on Jan 10 is Jan 11.
    at = [
        "2026-11-30T20:30:00+00:00",
        "2026-11-30T21:30:00+00:00",
        "2026-12-01T21:30:00+00:00",
        "2027-01-09T12:00:00+00:00",
        "2027-01-10T12:00:00+00:00",
        "2027-01-10T21:30:00+00:00",
    ]
    events = [event("user.daily_login", at=a, id=f"x{n}") for n, a in enumerate(at)]
    decisions = run(ruleset, events)
    assert [d.event_id for d in decisions] == ["x2", "x4"]


def test_conditions_read_actor_and_subject_profiles() -> None:
    ruleset = load("""\
        - id: a
          event: reaction.added
          to: subject
          when: actor.department != subject.department && subject.region == "north"
          award: {points: 1}
        """)
    reaction = event("reaction.added", "u2", subject="u1", post_id="p", emoji="x")
    north = {"department": "it", "region": "north"}
    assert run(ruleset, [reaction], u1=north, u2={"department": "hr"})
    assert not run(ruleset, [reaction], u1=north, u2={"department": "it"})
    # Unknown people have null fields: the condition does not hold.
    assert not run(ruleset, [reaction], u2={"department": "hr"})


def test_derived_local_hour_and_weekday() -> None:
    ruleset = load("""\
        - id: morning
          event: post.created
          when: event.hour < 10 && event.weekday <= 5
          award: {points: 1}
        """)
    tuesday_9 = posts(1, at="2026-03-03T06:30:00+00:00")  # 09:30 in Moscow
    tuesday_10 = posts(1, at="2026-03-03T07:30:00+00:00")
    saturday_9 = posts(1, at="2026-03-07T06:30:00+00:00")
    assert len(run(ruleset, tuesday_9 + tuesday_10 + saturday_9)) == 1


def test_has_and_null_optional_fields() -> None:
    ruleset = load("""\
        - id: in_a_channel
          event: post.created
          when: has(event.channel_id) && event.channel_id != null
          award: {points: 1}
        """)
    with_channel = event("post.created", id="a", channel_id="c1")
    null_channel = event("post.created", id="b", channel_id=None)
    no_channel = event("post.created", id="c")
    decisions = run(ruleset, [with_channel, null_channel, no_channel])
    assert [d.event_id for d in decisions] == ["a"]


def test_an_evaluation_error_does_not_match_and_is_reported() -> None:
    ruleset = load("""\
        - id: a
          event: post.created
          when: event.body_length > 10
          award: {points: 1}
        """)
    errors: list[str] = []
    bad = event("post.created", body_length="long")
    assert judge(ruleset, bad, MemoryState(), on_error=lambda r, e, x: errors.append(r)) == []
    assert errors == ["a"]


def test_to_as_an_expression() -> None:
    ruleset = load("""\
        - id: a
          event: comment.created
          to: event.post_author_id
          award: {points: 1}
        """)
    comment = event("comment.created", "u2", post_author_id="u9")
    (decision,) = run(ruleset, [comment])
    assert (decision.beneficiary, decision.actor) == ("u9", "u2")


def test_events_of_other_types_are_ignored() -> None:
    assert run(load(QUALITY), [event("comment.created", body_length=500)]) == []


REVERSIBLE = """\
- id: quality_post
  event: post.created
  when: event.body_length >= 80
  award: {points: 10, spins: 1}
  limits: [{max: 3, per: day}]
  reverse_on: post.deleted
- id: first_post
  event: post.created
  tiers:
    - {at: 1, award: {points: 20, badge: bronze}}
  reverse_on: post.deleted
"""


def created(post: str, at: str = "2026-03-03T09:00:00+03:00", actor: str = "u1") -> Event:
    return event("post.created", actor, at, id=f"c-{post}-{at}", post_id=post, body_length=120)


def deleted(post: str, at: str = "2026-03-03T18:00:00+03:00", actor: str = "u9") -> Event:
    return event("post.deleted", actor, at, id=f"d-{post}-{at}", post_id=post)


def test_a_reversing_event_takes_back_points_and_spins_but_not_badges() -> None:
    decisions = run(load(REVERSIBLE), [created("p1"), created("p2", "2026-03-03T10:00:00+03:00")])
    awards = {d.id: d for d in decisions}
    reversals = run(load(REVERSIBLE), [created("p1"), deleted("p1")])[-3:]
    assert [(d.rule_id, d.kind, d.amount, d.beneficiary, d.actor) for d in reversals] == [
        ("quality_post", "points", -10, "u1", "u9"),
        ("quality_post", "spins", -1, "u1", "u9"),
        ("first_post", "points", -20, "u1", "u9"),
    ]
    for reversal in reversals:
        assert reversal.reverses in awards
        original = awards[reversal.reverses]
        assert (original.rule_id, original.kind) == (reversal.rule_id, reversal.kind)
        assert reversal.event_id == "d-p1-2026-03-03T18:00:00+03:00"
        assert reversal.because == "reversed by post.deleted of post_id p1"
        assert reversal.as_dict()["reverses"] == reversal.reverses
    assert len({d.id for d in reversals} | set(awards)) == len(reversals) + len(awards)
    assert all(d.reverses is None for d in decisions)


def test_only_the_linked_post_is_reversed_and_only_once() -> None:
    ruleset = load(REVERSIBLE)
    events = [
        created("p1"),
        created("p2", "2026-03-03T10:00:00+03:00"),
        deleted("p1"),
        deleted("p1", "2026-03-03T19:00:00+03:00"),
        deleted("p7"),
    ]
    decisions = run(ruleset, events)
    assert points(decisions, "u1") == 10
    assert [d.event_id for d in decisions if d.reverses] == ["d-p1-2026-03-03T18:00:00+03:00"] * 3


def test_reversal_ignores_active_dates_and_gives_no_limit_back() -> None:
    ruleset = load(
        REVERSIBLE.replace(
            "  reverse_on: post.deleted\n- id: first_post",
            "  active: {until: 2026-03-03}\n  reverse_on: post.deleted\n- id: first_post",
            1,
        )
    )
    morning = [created(f"p{n}", f"2026-03-03T0{n}:00:00+03:00") for n in range(1, 4)]
    late = created("p4", "2026-03-03T20:00:00+03:00")
    decisions = run(
        ruleset, [*morning, deleted("p1"), late, deleted("p2", "2026-03-04T09:00:00+03:00")]
    )
    quality = [d for d in decisions if d.rule_id == "quality_post" and d.kind == "points"]
    # Three awards, two reversed (the second a day after the campaign ended), and
    # the fourth post of the day still earns nothing: a deletion frees no limit.
    assert [d.amount for d in quality] == [10, 10, 10, -10, -10]


def test_a_reversing_type_with_no_rules_of_its_own_has_a_plan() -> None:
    ruleset = load(REVERSIBLE)
    plan = ruleset.plans["post.deleted"]
    assert plan.rules == ()
    assert [rule.id for rule in plan.reversals] == ["quality_post", "first_post"]
    assert ruleset.rule("quality_post").reverse_link == "post_id"


def test_an_award_without_its_link_value_is_not_remembered() -> None:
    state = MemoryState()
    post = event("post.created", body_length=120)  # no post_id
    assert len(judge(load(REVERSIBLE), post, state)) == 4
    assert state.awards == {}


POSTS = [f"p{n}" for n in range(4)]


@st.composite
def post_lives(draw: st.DrawFn) -> list[Event]:
    out = []
    for number in range(draw(st.integers(0, 30))):
        at = START + timedelta(hours=draw(st.integers(0, 24 * 4)))
        post = draw(st.sampled_from(POSTS))
        actor = draw(st.sampled_from(["u1", "u2"]))
        if draw(st.booleans()):
            length = draw(st.integers(0, 200))
            out.append(
                event(
                    "post.created",
                    actor,
                    at.isoformat(),
                    id=f"e{number:03d}",
                    post_id=post,
                    body_length=length,
                )
            )
        else:
            out.append(
                event("post.deleted", actor, at.isoformat(), id=f"e{number:03d}", post_id=post)
            )
    return out


START = datetime.fromisoformat("2026-03-01T00:00:00+03:00")


@settings(max_examples=80, deadline=None)
@given(post_lives())
def test_a_deleted_post_leaves_no_points_behind(items: list[Event]) -> None:
    ruleset = load(REVERSIBLE)
    state = MemoryState()
    awards: dict[str, tuple[str, str, int]] = {}  # decision id -> (post, user, amount)
    net: Counter[tuple[str, str]] = Counter()  # (post, user) -> points from that post
    reversed_ids: set[str] = set()
    for item in sorted(items, key=Event.sort_key):
        post = item.fields["post_id"]
        for decision in judge(ruleset, item, state):
            if decision.kind != "points":
                continue
            key = (post, decision.beneficiary)
            if decision.reverses is None:
                awards[decision.id] = (post, decision.beneficiary, decision.amount)
            else:
                assert decision.reverses not in reversed_ids  # each award at most once
                reversed_ids.add(decision.reverses)
                assert awards[decision.reverses] == (post, decision.beneficiary, -decision.amount)
            net[key] += decision.amount
            assert net[key] >= 0
        if item.type == "post.deleted":
            # Right after a deletion, nobody keeps points from that post.
            assert all(total == 0 for (p, _), total in net.items() if p == post)


MIXED = """\
- id: long
  event: post.created
  when: event.body_length >= 100
  award: {points: 1}
- id: long_too
  event: post.created
  when: event.body_length >= 100
  award: {points: 2}
- id: north
  event: post.created
  when: actor.region == "north"
  award: {points: 4}
- id: channel
  event: post.created
  when: has(event.channel_id) && event.channel_id == "c1"
  award: {points: 8}
- id: plain
  event: post.created
  award: {points: 16}
"""


def test_one_rule_failing_on_an_event_does_not_stop_the_others() -> None:
    # The batch of all conditions fails as a whole (no body_length, no profile);
    # the engine then judges rule by rule and reports each failure once.
    errors: list[str] = []
    post = event("post.created", channel_id="c1")
    decisions = judge(load(MIXED), post, MemoryState(), on_error=lambda r, e, x: errors.append(r))
    assert [d.rule_id for d in decisions] == ["channel", "plain"]
    assert errors == ["long", "long_too", "north"]


def test_conditions_report_each_rule_in_file_order() -> None:
    ruleset = load(MIXED)
    post = event("post.created", body_length=120, channel_id=None)
    north = {"region": "north"}
    assert conditions(ruleset, post, actor=north) == [True, True, True, False, True]
    assert conditions(ruleset, post) == [True, True, False, False, True]
    assert conditions(ruleset, event("comment.created")) == []
    # Identical conditions share one entry of the batch.
    assert ruleset.plans["post.created"].slots[:2] == ((0, -1), (0, -1))


@settings(max_examples=150, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "body_length": st.one_of(st.integers(0, 200), st.none(), st.text(max_size=2)),
            "channel_id": st.sampled_from(["c1", "c2", None]),
        },
    ),
    st.one_of(
        st.none(),
        st.fixed_dictionaries({}, optional={"region": st.sampled_from(["north", "south"])}),
    ),
)
def test_one_cel_call_per_event_agrees_with_one_per_rule(
    fields: dict[str, object], profile: dict[str, str] | None
) -> None:
    ruleset = load(MIXED)
    post = event("post.created", **fields)
    plan = ruleset.plans["post.created"]
    variables, _ = _bind(plan, post, post.at.astimezone(ruleset.timezone), profile, None)
    context = cel.Context(variables=variables)
    one_by_one = []
    for rule in plan.rules:
        try:
            one_by_one.append(rule.when is None or rule.when.execute(context) is True)
        except (KeyError, TypeError, ValueError, RuntimeError, ArithmeticError):
            one_by_one.append(False)
    assert conditions(ruleset, post, actor=profile) == one_by_one
