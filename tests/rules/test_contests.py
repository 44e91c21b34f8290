"""The `contests:` section: checked with line and column, compiled, tested."""

from __future__ import annotations

from datetime import UTC, datetime

from rules.ruleset import check_ruleset, check_text, load_ruleset
from rules.testing import run_tests

HEAD = """\
version: 1
badges:
  champ: {title: {en: Champ}}
rules:
  - id: post
    event: post.created
    award: {points: 10}
contests:
"""


def problems(contest: str) -> list[str]:
    return [f"{p.line}:{p.column}: {p.message}" for p in check_text(HEAD + contest)]


def test_an_unknown_rule_in_points_from_is_pointed_at() -> None:
    found = problems("""\
  - id: c
    title: {en: C}
    starts: 2026-12-01T00:00
    ends: 2026-12-31T00:00
    score: {points_from: [post, nope]}
    winners: {top: 3}
""")
    assert found == ["13:33: unknown rule id 'nope' (rules: post)"]


def test_a_prize_past_the_top_and_ends_before_starts() -> None:
    found = problems("""\
  - id: c
    title: {en: C}
    starts: 2026-12-05T00:00
    ends: 2026-12-01T00:00
    score: {count: post.created}
    winners: {top: 3}
    prizes:
      - {place: 4, award: {points: 5}}
      - {place: 1, award: {badge: nope}}
""")
    assert found[0].startswith("12:11: ends 2026-12-01T00:00:00 is not after starts")
    assert "16:17: a prize for place 4, but the winners are the top 3" in found
    assert any(f.startswith("17:35: undefined badge 'nope'") for f in found)


def test_a_shop_item_prize_must_be_in_the_shop_when_the_shop_is_known() -> None:
    text = (
        HEAD
        + """\
  - id: c
    title: {en: C}
    starts: 2026-12-01T00:00
    ends: 2026-12-31T00:00
    score: {count: post.created}
    winners: {top: 2}
    prizes:
      - {place: 1, award: {item: mug}}
      - {place: 2, award: {item: hat, points: 5}}
"""
    )
    # An item alone is a prize; loading a saved version does not ask the shop.
    assert load_ruleset(text).contests[0].prizes[0].award.item == "mug"
    version, found = check_ruleset(text, shop_items={"mug", "tea"})
    assert version == ""
    assert [f"{p.line}:{p.column}: {p.message}" for p in found] == [
        "17:34: no shop item 'hat' (in the shop: mug, tea)"
    ]
    assert check_ruleset(text, shop_items={"mug", "hat"})[1] == []
    # A rule's award has no item: shop items are contest prizes only.
    rule = HEAD.replace("award: {points: 10}", "award: {item: mug}") + "  []\n"
    assert any("item" in p.message for p in check_text(rule))


def test_an_unknown_event_field_in_when_is_pointed_at_inside_the_expression() -> None:
    found = problems("""\
  - id: c
    title: {en: C}
    starts: 2026-12-01T00:00
    ends: 2026-12-31T00:00
    score: {count: post.created, when: 'event.has_imag'}
    winners: {first: 3}
""")
    assert found[0].startswith("13:47: event type post.created has no field 'has_imag'")
    assert "14:14: first: N needs reach: the score to reach" in found


def test_a_sum_needs_a_whole_number_field_and_per_head_needs_groups() -> None:
    found = problems("""\
  - id: c
    title: {en: C}
    starts: 2026-12-01T00:00
    ends: 2026-12-31T00:00
    per_head: true
    score: {sum: kind, event: post.created}
    winners: {over: 3}
""")
    assert any("per_head divides a group's score" in f for f in found)
    assert any(f.startswith("14:18: post.created has no whole-number field 'kind'") for f in found)


def test_the_window_is_in_the_files_zone_and_tests_can_expect_standings() -> None:
    text = (
        HEAD.replace("version: 1\n", "version: 1\ntimezone: Europe/Moscow\n")
        + """\
  - id: stores
    title: {en: Stores}
    starts: 2026-12-01T00:00
    ends: 2026-12-31T00:00
    grace: 2d
    participants: store
    per_head: true
    score: {count: post.created, when: 'event.has_image'}
    winners: {top: 1}
tests:
  - name: a small store beats a big one per head
    users: {u1: {store: big}, u2: {store: big}, u3: {store: small}}
    events:
      - {type: post.created, actor: u1, at: "2026-12-03T09:00:00+03:00", post_id: p1,
         body_length: 3, has_image: true, kind: post, repeat: 3, every: 1h}
      - {type: post.created, actor: u3, at: "2026-12-03T09:00:00+03:00", post_id: p2,
         body_length: 3, has_image: true, kind: post, repeat: 2, every: 1h}
      - {type: post.created, actor: u3, at: "2026-12-03T09:00:00+03:00", post_id: p3,
         body_length: 3, has_image: false, kind: post, repeat: 5, every: 1h}
    standings: {stores: [small, big]}
"""
    )
    ruleset = load_ruleset(text)
    spec = ruleset.contests[0]
    assert spec.starts == datetime(2026, 11, 30, 21, 0, tzinfo=UTC)
    assert spec.final_at == datetime(2027, 1, 1, 21, 0, tzinfo=UTC)
    assert [r.passed for r in run_tests(ruleset)] == [True]
    wrong = load_ruleset(text.replace("[small, big]", "[big, small]"))
    result = run_tests(wrong)[0]
    assert not result.passed
    assert "FAIL stores standings: expected ['big', 'small'], got ['small', 'big']" in result.lines
