"""Dry-run a draft ruleset against the published one over the same events.

The comms team sees, before publishing, how many awards each rule would make and
whose totals would move most; the server feeds it stored events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
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
class StoreChange:
    store: str  # the store code, "" for people without one
    people: int  # people of the store with anything under either ruleset
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
    # rule id -> (net points under published, under draft)
    rule_points: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    stores: tuple[StoreChange, ...] = ()  # largest point changes first

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
            "rule_points": {
                k: {"published": p, "draft": d} for k, (p, d) in dict(self.rule_points).items()
            },
            "stores": [
                {
                    "store": s.store,
                    "people": s.people,
                    "points": {"published": s.published_points, "draft": s.draft_points},
                    "spins": {"published": s.published_spins, "draft": s.draft_spins},
                }
                for s in self.stores
            ],
        }


def diff_rulesets(
    draft: Ruleset,
    published: Ruleset,
    events: Iterable[Event],
    profiles: Mapping[str, Profile] | None = None,
    top: int = 20,
    progress: Callable[[int, int], None] | None = None,
) -> RulesetDiff:
    """`progress(done, total)` is called as events are judged (each event twice: once per
    ruleset); an exception it raises stops the dry run (how a cancel works)."""
    ordered = sorted(events, key=Event.sort_key)
    total = 2 * len(ordered)
    if progress is not None:
        progress(0, total)
    old = replay_events(
        published, ordered, profiles, progress=(lambda n: progress(n, total)) if progress else None
    )
    new = replay_events(
        draft,
        ordered,
        profiles,
        progress=(lambda n: progress(len(ordered) + n, total)) if progress else None,
    )
    if progress is not None:
        progress(total, total)
    rule_ids = sorted(set(old.rules) | set(new.rules) | {r.id for r in draft.rules})
    users = sorted(set(old.users()) | set(new.users()))
    changes = [_change(user, old, new) for user in users]
    changed = [c for c in changes if c.delta or c.published_spins != c.draft_spins]
    changed.sort(key=lambda c: (-abs(c.delta), -abs(c.draft_spins - c.published_spins), c.user))
    stores = _stores(changes, profiles or {})
    return RulesetDiff(
        draft_version=draft.version,
        published_version=published.version,
        rules={rule: (old.rules[rule], new.rules[rule]) for rule in rule_ids},
        points=(sum(old.points.values()), sum(new.points.values())),
        spins=(sum(old.spins.values()), sum(new.spins.values())),
        movers=tuple(changed[:top]),
        rule_points={rule: (old.rule_points[rule], new.rule_points[rule]) for rule in rule_ids},
        stores=tuple(stores[:top]),
    )


def _stores(changes: list[Change], profiles: Mapping[str, Profile]) -> list[StoreChange]:
    """Everyone's totals summed per store, the largest change in points first."""
    people: Counter[str] = Counter()
    sums: dict[str, list[int]] = {}
    for c in changes:
        profile = profiles.get(c.user)
        store = str(profile.get("store") or "") if profile else ""
        people[store] += 1
        row = sums.setdefault(store, [0, 0, 0, 0])
        row[0] += c.published_points
        row[1] += c.draft_points
        row[2] += c.published_spins
        row[3] += c.draft_spins
    out = [StoreChange(store, people[store], *row) for store, row in sums.items()]
    out.sort(key=lambda s: (-abs(s.delta), -abs(s.draft_spins - s.published_spins), s.store))
    return out


def _change(user: str, old: Totals, new: Totals) -> Change:
    return Change(user, old.points[user], new.points[user], old.spins[user], new.spins[user])
