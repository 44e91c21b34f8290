"""Quiz drawing and grading, as pure functions (no database, no clock).

An attempt draws `n` questions of the course's bank with a seed stored on the attempt, and
shuffles each question's options with the same generator: the same seed and bank give the
same quiz, so a reload shows what was drawn. Grading reads only the drawn snapshot.

A question is right when the chosen options are exactly its correct ones (for a multiple
choice: all of them and none other). The score is the percent of right questions, rounded
down, so a score at the pass mark really is at least that share.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Bank questions as the service hands them in: {id, kind, text, options: [{id, text,
# correct}], explanation}. The drawn snapshot keeps the same shape, options reordered.
Question = Mapping[str, Any]


def draw(bank: Sequence[Question], n: int, seed: int) -> list[dict[str, Any]]:
    """`n` distinct questions of the bank (all of it if it has fewer), each with its options
    shuffled; deterministic in (bank ids, n, seed)."""
    rng = random.Random(seed)
    ordered = sorted(bank, key=lambda q: int(q["id"]))
    chosen = rng.sample(ordered, min(max(n, 0), len(ordered)))
    drawn: list[dict[str, Any]] = []
    for question in chosen:
        options = [dict(o) for o in question["options"]]
        rng.shuffle(options)
        drawn.append({**dict(question), "options": options})
    return drawn


def correct_ids(question: Question) -> frozenset[int]:
    return frozenset(int(o["id"]) for o in question["options"] if o.get("correct"))


def is_right(question: Question, chosen: Sequence[int]) -> bool:
    """All and only the correct options chosen; a question with no correct option (which
    publishing refuses) can never be right."""
    right = correct_ids(question)
    return bool(right) and frozenset(int(c) for c in chosen) == right


@dataclass(frozen=True)
class Graded:
    correct: int
    total: int
    score: int  # percent, 0..100, rounded down
    passed: bool
    right: tuple[bool, ...]  # per drawn question, in order


def score_of(correct: int, total: int) -> int:
    return 0 if total <= 0 else (100 * correct) // total


def grade(
    drawn: Sequence[Question], answers: Mapping[str, Sequence[int]], pass_mark: int
) -> Graded:
    """Grade answers ({"<question id>": [option ids]}) against the drawn questions. Options
    not of the question are ignored; a question without an answer is wrong."""
    right: list[bool] = []
    for question in drawn:
        valid = {int(o["id"]) for o in question["options"]}
        chosen = [int(c) for c in answers.get(str(question["id"]), ()) if int(c) in valid]
        right.append(is_right(question, chosen))
    correct = sum(right)
    score = score_of(correct, len(drawn))
    return Graded(
        correct=correct,
        total=len(drawn),
        score=score,
        passed=len(drawn) > 0 and score >= pass_mark,
        right=tuple(right),
    )


def perfect_answers(drawn: Sequence[Question]) -> dict[str, list[int]]:
    """The answer sheet that gets everything right (for tests and the demo)."""
    return {str(q["id"]): sorted(correct_ids(q)) for q in drawn}


def problems_of_question(kind: str, options: Sequence[Mapping[str, Any]]) -> list[str]:
    """Message keys (server/locales) of what is wrong with a question's options."""
    found: list[str] = []
    right = sum(1 for o in options if o.get("correct"))
    if len(options) < 2:
        found.append("courses.problem.too_few_options")
    if right == 0:
        found.append("courses.problem.no_correct_option")
    elif kind in ("single", "true_false") and right > 1:
        found.append("courses.problem.one_correct_option")
    if kind == "true_false" and len(options) != 2:
        found.append("courses.problem.true_false_two_options")
    return found
