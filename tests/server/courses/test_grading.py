"""The pure quiz code: drawing, shuffling and grading keep their promises for any bank."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from server.courses import grading


@st.composite
def banks(draw: st.DrawFn) -> list[dict[str, Any]]:
    size = draw(st.integers(min_value=0, max_value=15))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=size, max_size=size, unique=True))
    option_ids = iter(
        draw(st.lists(st.integers(1, 2**31), min_size=size * 6, max_size=size * 6, unique=True))
    )
    bank = []
    for qid in ids:
        kind = draw(st.sampled_from(["single", "multiple", "true_false"]))
        count = 2 if kind == "true_false" else draw(st.integers(2, 6))
        flags = [False] * count
        if kind == "multiple":
            flags = draw(st.lists(st.booleans(), min_size=count, max_size=count))
            flags[draw(st.integers(0, count - 1))] = True
        else:
            flags[draw(st.integers(0, count - 1))] = True
        options = [
            {"id": next(option_ids), "text": f"o{i}", "correct": f} for i, f in enumerate(flags)
        ]
        bank.append(
            {"id": qid, "kind": kind, "text": f"q{qid}", "options": options, "explanation": ""}
        )
    return bank


@settings(max_examples=200, deadline=None)
@given(bank=banks(), n=st.integers(0, 20), seed=st.integers(0, 2**63 - 1), data=st.data())
def test_draw_and_grade_invariants(
    bank: list[dict[str, Any]], n: int, seed: int, data: st.DataObject
) -> None:
    drawn = grading.draw(bank, n, seed)
    ids = [q["id"] for q in drawn]
    # A subset of the bank, without repeats, of the asked size (or the whole bank).
    assert len(ids) == len(set(ids)) == min(n, len(bank))
    by_id = {q["id"]: q for q in bank}
    assert set(ids) <= set(by_id)
    for q in drawn:
        # The shuffle is a permutation of the question's options, correctness kept.
        original = sorted((o["id"], o["correct"]) for o in by_id[q["id"]]["options"])
        assert sorted((o["id"], o["correct"]) for o in q["options"]) == original
    # Deterministic: the same seed draws the same quiz (a reload shows the same questions).
    assert grading.draw(bank, n, seed) == drawn
    pass_mark = data.draw(st.integers(0, 100))
    # Any answer sheet scores within 0..100; the perfect one scores 100 and passes.
    answers = {
        str(q["id"]): data.draw(
            st.lists(st.sampled_from([o["id"] for o in q["options"]]), max_size=4)
        )
        for q in drawn
    }
    graded = grading.grade(drawn, answers, pass_mark)
    assert 0 <= graded.score <= 100
    assert graded.correct == sum(graded.right) <= graded.total == len(drawn)
    perfect = grading.grade(drawn, grading.perfect_answers(drawn), pass_mark)
    assert perfect.correct == len(drawn)
    if drawn:
        assert perfect.score == 100 and perfect.passed
    # Nothing answered: nothing right.
    assert grading.grade(drawn, {}, pass_mark).correct == 0


def test_multiple_choice_needs_all_and_only_the_correct_options() -> None:
    q = {
        "id": 1,
        "kind": "multiple",
        "text": "?",
        "options": [
            {"id": 10, "correct": True},
            {"id": 11, "correct": True},
            {"id": 12, "correct": False},
        ],
    }
    assert grading.is_right(q, [10, 11])
    assert grading.is_right(q, [11, 10, 10])
    assert not grading.is_right(q, [10])
    assert not grading.is_right(q, [10, 11, 12])
    assert not grading.is_right(q, [])
    graded = grading.grade([q], {"1": [10, 11, 999]}, 100)  # a foreign option is ignored
    assert graded.passed and graded.score == 100


def test_score_rounds_down_and_the_pass_mark_is_inclusive() -> None:
    assert grading.score_of(2, 3) == 66
    assert grading.score_of(0, 0) == 0
    q = [
        {
            "id": i,
            "kind": "single",
            "text": "",
            "options": [{"id": i * 10, "correct": True}, {"id": i * 10 + 1, "correct": False}],
        }
        for i in range(1, 5)
    ]
    three = {"1": [10], "2": [20], "3": [30], "4": [41]}
    assert grading.grade(q, three, 75).passed
    assert not grading.grade(q, three, 76).passed


def test_question_problems() -> None:
    assert grading.problems_of_question("single", [{"correct": True}, {"correct": False}]) == []
    assert "courses.problem.no_correct_option" in grading.problems_of_question(
        "multiple", [{"correct": False}] * 3
    )
    assert "courses.problem.one_correct_option" in grading.problems_of_question(
        "single", [{"correct": True}] * 2
    )
    assert "courses.problem.true_false_two_options" in grading.problems_of_question(
        "true_false", [{"correct": True}, {"correct": False}, {"correct": False}]
    )
