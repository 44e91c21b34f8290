"""Levels from lifetime points earned, with names from configuration. Pure."""

from __future__ import annotations

import itertools
from dataclasses import dataclass


class LevelsInvalid(ValueError):
    """The `levels` setting is not "points:name,..." starting at 0 and growing."""


@dataclass(frozen=True, slots=True)
class Level:
    number: int  # 1-based
    name: str
    floor: int  # lifetime points where it starts
    next_at: int | None  # where the next level starts, None at the top

    def progress(self, points: int) -> float:
        """How far towards the next level, 0..1 (1 at the top)."""
        if self.next_at is None:
            return 1.0
        return max(0.0, min(1.0, (points - self.floor) / (self.next_at - self.floor)))


def parse_levels(spec: str) -> list[tuple[int, str]]:
    levels = []
    for part in spec.split(","):
        threshold, sep, name = part.strip().partition(":")
        if not sep or not threshold.strip().isdigit() or not name.strip():
            raise LevelsInvalid(f"{part.strip()!r}: expected points:name, e.g. 100:Member")
        levels.append((int(threshold), name.strip()))
    if not levels or levels[0][0] != 0:
        raise LevelsInvalid("the first level must start at 0 points")
    if any(b[0] <= a[0] for a, b in itertools.pairwise(levels)):
        raise LevelsInvalid("level thresholds must grow")
    return levels


def level_for(points: int, levels: list[tuple[int, str]]) -> Level:
    index = 0
    for i, (threshold, _) in enumerate(levels):
        if points >= threshold:
            index = i
    following = levels[index + 1][0] if index + 1 < len(levels) else None
    return Level(index + 1, levels[index][1], levels[index][0], following)
