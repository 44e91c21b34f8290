"""Contest standings as a pure function of the contributions: no I/O, no clock.

A contribution is one event's (or one award's) worth to one person. The standings are the
same whatever order the contributions arrive in, and the same contribution twice counts
once (by its key):

- only contributions that happened in [starts, ends) count, and of those only the ones
  that arrived (were settled) by `final_at` = ends + grace;
- a participant is the person, or their store, city, region or department;
- the raw score is the sum of the amounts; per head it is divided by the group's head count;
- the standings are by score, then by who reached their score first (the time of their
  last contribution that moved it: the moment the final score was reached), then by id;
  `tie` marks a row whose score equals a neighbour's;
- winners: the top N (with a score above 0), everyone at or over a bar, or the first N to
  reach a target (by the moment their running score, in time order, reached it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# Scores are compared rounded to this many decimals: per-head scores are fractions.
DIGITS = 6


class Spec(Protocol):
    """What standings read of a contest (rules.ruleset.ContestSpec has it)."""

    @property
    def starts(self) -> datetime: ...
    @property
    def ends(self) -> datetime: ...
    @property
    def final_at(self) -> datetime: ...
    @property
    def participants(self) -> str: ...
    @property
    def per_head(self) -> bool: ...
    @property
    def mode(self) -> str: ...
    @property
    def top(self) -> int | None: ...
    @property
    def over(self) -> float | None: ...
    @property
    def first(self) -> int | None: ...
    @property
    def reach(self) -> float | None: ...


@dataclass(frozen=True, slots=True)
class Contribution:
    key: str  # unique: the event id, or the award's transfer id
    person: str  # the user id it counts for
    amount: float
    at: datetime  # when it happened
    arrived: datetime | None = None  # when it was settled; None: in time


@dataclass(frozen=True, slots=True)
class Row:
    place: int
    participant: str
    score: float
    raw_score: float
    heads: int | None
    reached_at: datetime | None
    tie: bool
    winner: bool
    # Among the winners: 1 for the first (by place; for "first N to reach", by when the
    # target was reached), None for the others. Place prizes go by this.
    winner_rank: int | None = None


def counts(spec: Spec, c: Contribution) -> bool:
    """Whether a contribution is inside the contest's window and arrived in time."""
    return spec.starts <= c.at < spec.ends and (c.arrived is None or c.arrived <= spec.final_at)


def participant_of(spec: Spec, person: str, groups: Mapping[str, str]) -> str | None:
    """Who a person competes as: themselves, or their group (None: no group)."""
    if spec.participants == "people":
        return person
    return groups.get(person) or None


def effective(spec: Spec, raw: float, heads: int | None) -> float:
    if spec.per_head:
        return round(raw / heads, DIGITS) if heads else 0.0
    return round(raw, DIGITS)


def standings(
    spec: Spec,
    contributions: Iterable[Contribution],
    groups: Mapping[str, str] | None = None,
    heads: Mapping[str, int] | None = None,
) -> list[Row]:
    """The standings. `groups`: person -> their group's id (for group contests);
    `heads`: group id -> its head count (for per-head contests)."""
    groups = groups or {}
    heads = heads or {}
    seen: set[str] = set()
    kept: list[tuple[str, Contribution]] = []
    for c in contributions:
        if c.key in seen or not counts(spec, c):
            continue
        seen.add(c.key)
        who = participant_of(spec, c.person, groups)
        if who is not None:
            kept.append((who, c))
    raw: dict[str, float] = {}
    reached: dict[str, datetime] = {}
    for who, c in kept:
        raw[who] = raw.get(who, 0.0) + c.amount
        if c.amount != 0 and (who not in reached or c.at > reached[who]):
            reached[who] = c.at
    if not raw:
        return []
    head_of = {who: (heads.get(who) if spec.participants != "people" else None) for who in raw}
    scores = {who: effective(spec, raw[who], head_of[who]) for who in raw}
    order = sorted(raw, key=lambda w: (-scores[w], _time_key(reached.get(w)), w))
    winners = _winners(spec, order, scores, kept, head_of)
    rows = []
    for index, who in enumerate(order):
        score = scores[who]
        tie = (index > 0 and scores[order[index - 1]] == score) or (
            index + 1 < len(order) and scores[order[index + 1]] == score
        )
        rows.append(
            Row(
                place=index + 1,
                participant=who,
                score=score,
                raw_score=round(raw[who], DIGITS),
                heads=head_of[who],
                reached_at=reached.get(who),
                tie=tie,
                winner=who in winners,
                winner_rank=winners.get(who),
            )
        )
    return rows


def _time_key(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else float("inf")


def _winners(
    spec: Spec,
    order: list[str],
    scores: Mapping[str, float],
    kept: list[tuple[str, Contribution]],
    heads: Mapping[str, int | None],
) -> dict[str, int]:
    if spec.mode == "top":
        won = [who for who in order[: spec.top or 0] if scores[who] > 0]
    elif spec.mode == "over":
        bar = spec.over or 0.0
        won = [who for who in order if scores[who] >= bar and scores[who] > 0]
    else:
        firsts = reach_times(spec, kept, heads)
        won = sorted(firsts, key=lambda w: (firsts[w].timestamp(), w))[: spec.first or 0]
    return {who: rank for rank, who in enumerate(won, 1)}


def reach_times(
    spec: Spec, kept: Iterable[tuple[str, Contribution]], heads: Mapping[str, int | None]
) -> dict[str, datetime]:
    """When each participant's running score (in time order) first reached the target."""
    target = spec.reach or 0.0
    running: dict[str, float] = {}
    found: dict[str, datetime] = {}
    for who, c in sorted(kept, key=lambda item: (item[1].at, item[1].key)):
        running[who] = running.get(who, 0.0) + c.amount
        if who not in found and effective(spec, running[who], heads.get(who)) >= target:
            found[who] = c.at
    return found


@dataclass(frozen=True, slots=True)
class PrizeSlot:
    """One prize to one participant: `prize` is its index in the contest's prizes."""

    prize: int
    participant: str
    place: int  # the participant's place in the standings


class PrizeLike(Protocol):
    @property
    def for_(self) -> str: ...
    @property
    def place(self) -> int | None: ...
    @property
    def over(self) -> float | None: ...


def prize_slots(rows: list[Row], prizes: Iterable[PrizeLike]) -> list[PrizeSlot]:
    """Who gets which prize: place prizes by winner rank, `over` prizes to every
    participant at or over the bar, `first` (every winner) prizes to every winner."""
    by_rank = {r.winner_rank: r for r in rows if r.winner_rank is not None}
    out: list[PrizeSlot] = []
    for index, prize in enumerate(prizes):
        if prize.for_ == "place" and prize.place is not None:
            row = by_rank.get(prize.place)
            if row is not None:
                out.append(PrizeSlot(index, row.participant, row.place))
        elif prize.for_ == "over" and prize.over is not None:
            bar = prize.over
            out += [
                PrizeSlot(index, r.participant, r.place)
                for r in rows
                if r.score >= bar and r.score > 0
            ]
        elif prize.for_ == "first":
            out += [PrizeSlot(index, r.participant, r.place) for r in rows if r.winner]
    return out
