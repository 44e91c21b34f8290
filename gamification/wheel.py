"""The wheel of fortune: its YAML file, the draw, and how anyone can check the draws.

Pure: the seed and the spin id are passed in. A draw is HMAC-SHA256(period seed, spin id)
read as a 64-bit number and mapped to a segment by its integer weight. Numbers in the
uneven tail of the 2^64 range are rejected and the HMAC is taken again with a counter, so
every unit of weight is exactly equally likely (a plain modulo would favour the first
segments by up to total/2^64). Each period's seed is secret while spins use it and its
SHA-256 is published in advance; once the period ends the seed is revealed, and every
spin can be recomputed (`plaza wheel verify`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gamification.leaderboard import label
from rules.errors import Problem, RulesetInvalid
from rules.source import Document, parse

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Title = dict[Annotated[str, Field(pattern=r"^[a-z]{2}$")], str]
MAX_TOTAL_WEIGHT: Final = 1 << 32


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Prize(_Strict):
    title: Title
    stock: Annotated[int, Field(ge=0, le=1_000_000)] = 0  # put in stock when first published
    # What one prize is worth in points: the dry run prices the spins a ruleset issues.
    value: Annotated[int, Field(ge=0, le=10_000_000)] = 0


class Segment(_Strict):
    id: Name
    title: Title | None = None
    weight: Annotated[int, Field(ge=1, le=1_000_000)]
    prize: Name | None = None
    points: Annotated[int, Field(ge=1, le=100_000)] | None = None
    spins: Annotated[int, Field(ge=1, le=100)] | None = None
    wish: bool = False


class WheelFile(_Strict):
    version: Literal[1]
    period: Literal["day", "week", "month"] = "week"
    wishes: list[Title] = []
    prizes: dict[Name, Prize] = {}
    segments: list[Segment]


class Wheel(BaseModel):
    """A checked wheel; `version` is the sha256 of its text."""

    model_config = ConfigDict(frozen=True)

    version: str
    period: str
    wishes: tuple[dict[str, str], ...]
    prizes: dict[str, Prize]
    segments: tuple[Segment, ...]

    @property
    def weights(self) -> list[int]:
        return [s.weight for s in self.segments]

    def spin_value(self) -> float:
        """What one spin costs on average, in points: sum of weight x value / sum of weights.

        A prize is worth its `value`, points their number, a wish nothing; a segment that
        gives N more spins is worth N spins, so the value E solves E = (A + S x E) / W
        (A: the weighted values of the other segments, S: the weighted extra spins)."""
        total = sum(self.weights)
        direct = extra = 0
        for s in self.segments:
            if s.points is not None:
                direct += s.weight * s.points
            elif s.prize is not None:
                direct += s.weight * self.prizes[s.prize].value
            elif s.spins is not None:
                extra += s.weight * s.spins
        if total <= 0:
            return 0.0
        if extra >= total:  # every spin gives another on average: count them once
            return direct / total
        return direct / (total - extra)


def load_wheel(text: str, path: str = "wheel.yaml") -> Wheel:
    """Parse and check a wheel file; raises RulesetInvalid with file:line:col problems."""
    doc = parse(text, path)
    try:
        model = WheelFile.model_validate(doc.data)
    except ValidationError as exc:
        raise RulesetInvalid([_problem(doc, e) for e in exc.errors()]) from None
    problems = _check(doc, model)
    if problems:
        raise RulesetInvalid(problems)
    return Wheel(
        version=hashlib.sha256(text.encode()).hexdigest(),
        period=model.period,
        wishes=tuple(dict(w) for w in model.wishes),
        prizes=dict(model.prizes),
        segments=tuple(model.segments),
    )


def _problem(doc: Document, error: Any) -> Problem:
    loc: tuple[str | int, ...] = tuple(p for p in error["loc"] if p != "[key]")
    where = ".".join(str(p) for p in loc) or "file"
    if error["type"] == "extra_forbidden":
        return doc.problem(loc, f"unknown key {loc[-1]!r}", key=True)
    if error["type"] == "missing":
        return doc.problem(loc[:-1], f"missing key {loc[-1]!r}")
    message = str(error["msg"]).replace("Input should", "should")
    return doc.problem(loc, f"{where}: {message}")


def _check(doc: Document, model: WheelFile) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    if not model.segments:
        problems.append(doc.problem(("segments",), "the wheel needs at least one segment"))
    for index, segment in enumerate(model.segments):
        at = ("segments", index)
        if segment.id in seen:
            problems.append(doc.problem((*at, "id"), f"duplicate segment id {segment.id!r}"))
        seen.setdefault(segment.id, index)
        outcomes = [
            name
            for name, present in (
                ("prize", segment.prize is not None),
                ("points", segment.points is not None),
                ("spins", segment.spins is not None),
                ("wish", segment.wish),
            )
            if present
        ]
        if len(outcomes) != 1:
            problems.append(
                doc.problem(at, "a segment gives exactly one of prize, points, spins, wish")
            )
        if segment.prize is not None and segment.prize not in model.prizes:
            known = ", ".join(sorted(model.prizes)) or "none"
            problems.append(
                doc.problem((*at, "prize"), f"undefined prize {segment.prize!r} (defined: {known})")
            )
    if sum(s.weight for s in model.segments) > MAX_TOTAL_WEIGHT:
        problems.append(doc.problem(("segments",), "the weights add up to more than 2^32"))
    needs_wishes = any(s.wish or s.prize is not None for s in model.segments)
    if needs_wishes and not model.wishes:
        problems.append(
            doc.problem(
                ("wishes",), "wishes are needed: a wish segment or a prize out of stock draws one"
            )
        )
    return problems


def uniform(seed: bytes, message: str, total: int) -> int:
    """An unbiased number in [0, total) from HMAC-SHA256(seed, message), by rejection."""
    if total < 1:
        raise ValueError("total must be at least 1")
    space = 1 << 64
    limit = space - space % total
    counter = 0
    while True:
        text = message if counter == 0 else f"{message}#{counter}"
        number = int.from_bytes(hmac.new(seed, text.encode(), hashlib.sha256).digest()[:8], "big")
        if number < limit:
            return number % total
        counter += 1


def pick(weights: Sequence[int], ticket: int) -> int:
    """The segment whose cumulative weight range holds `ticket`."""
    for index, weight in enumerate(weights):
        if ticket < weight:
            return index
        ticket -= weight
    raise ValueError("ticket beyond the total weight")


def draw(seed: bytes, spin_id: str, weights: Sequence[int]) -> int:
    return pick(weights, uniform(seed, spin_id, sum(weights)))


def draw_wish(seed: bytes, spin_id: str, count: int) -> int:
    return uniform(seed, f"{spin_id}:wish", count)


def seed_hash(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def spin_id(user_id: int, idempotency_key: str) -> str:
    return hashlib.sha256(f"spin\x1f{user_id}\x1f{idempotency_key}".encode()).hexdigest()[:32]


def period_label(period: str, day: date) -> str:
    """The seed period a day falls in, e.g. "week:2026-03-02"."""
    for known in ("day", "week", "month"):
        if period == known:
            return f"{period}:{label(known, day)}"
    raise ValueError(period)


def verify_spin(
    seed: bytes, published_hash: str, spin: str, weights: Sequence[int], segment: int
) -> str | None:
    """None when the recorded segment is what the seed gives; else what is wrong."""
    if seed_hash(seed) != published_hash:
        return "the revealed seed does not match the hash published in advance"
    expected = draw(seed, spin, weights)
    if expected != segment:
        return f"drew segment {expected}, recorded {segment}"
    return None
