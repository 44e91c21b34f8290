"""Dry-run a draft ruleset against the published one over the same events.

The comms team sees, before publishing, how many awards each rule would make and
whose totals would move most; the server feeds it stored events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rules.engine import Event, Profile
from rules.replay import Totals, replay_events
from rules.ruleset import Ruleset


@dataclass(frozen=True, slots=True)
class Change:
    user: str
    published_points: int
    draft_points: int
    published_spins: int
    draft_spins: int

    @property
    def delta(self) -> int:
        return self.draft_points - self.published_points


@dataclass(frozen=True, slots=True)
class RulesetDiff:
    draft_version: str
    published_version: str
    # rule id -> (awards under published, awards under draft)
    rules: Mapping[str, tuple[int, int]]
    points: tuple[int, int]
    spins: tuple[int, int]
    movers: tuple[Change, ...]  # largest point changes first

    def as_dict(self) -> dict[str, Any]:
        return {
            "draft_version": self.draft_version,
            "published_version": self.published_version,
            "rules": {k: {"published": p, "draft": d} for k, (p, d) in self.rules.items()},
            "points": {"published": self.points[0], "draft": self.points[1]},
            "spins": {"published": self.spins[0], "draft": self.spins[1]},
            "movers": [
                {
                    "user": c.user,
                    "points": {"published": c.published_points, "draft": c.draft_points},
                    "spins": {"published": c.published_spins, "draft": c.draft_spins},
                }
                for c in self.movers
            ],
        }


def diff_rulesets(
    draft: Ruleset,
    published: Ruleset,
    events: Iterable[Event],
    profiles: Mapping[str, Profile] | None = None,
    top: int = 20,
) -> RulesetDiff:
    ordered = sorted(events, key=Event.sort_key)
    old = replay_events(published, ordered, profiles)
    new = replay_events(draft, ordered, profiles)
    rule_ids = sorted(set(old.rules) | set(new.rules) | {r.id for r in draft.rules})
    users = sorted(set(old.users()) | set(new.users()))
    changes = [_change(user, old, new) for user in users]
    changed = [c for c in changes if c.delta or c.published_spins != c.draft_spins]
    changed.sort(key=lambda c: (-abs(c.delta), -abs(c.draft_spins - c.published_spins), c.user))
    return RulesetDiff(
        draft_version=draft.version,
        published_version=published.version,
        rules={rule: (old.rules[rule], new.rules[rule]) for rule in rule_ids},
        points=(sum(old.points.values()), sum(new.points.values())),
        spins=(sum(old.spins.values()), sum(new.spins.values())),
        movers=tuple(changed[:top]),
    )


def _change(user: str, old: Totals, new: Totals) -> Change:
    return Change(user, old.points[user], new.points[user], old.spins[user], new.spins[user])
