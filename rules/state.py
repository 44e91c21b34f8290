"""What the engine remembers between events, behind a small protocol.

The in-memory `MemoryState` serves replay and tests; the settlement layer implements
the same methods over the database inside the transaction that records decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple, Protocol


class CounterKey(NamedTuple):
    """How many times a rule awarded to one key (e.g. beneficiary u1) in one window.

    A named tuple, not a dataclass: the engine builds one per limit per award, and
    a frozen dataclass costs ~1 us to build against ~0.2 us for this.
    """

    rule_id: str
    per: str  # day | week | month | total
    window: str  # label from rules.windows.window_label, e.g. "2026-03-03"
    key: tuple[tuple[str, str], ...]  # (("beneficiary", "u1"), ("actor", "u2"))


class TierProgress(NamedTuple):
    events: int = 0  # matching events so far
    awarded: frozenset[int] = frozenset()  # `at` of the tiers already awarded


class StreakProgress(NamedTuple):
    last_day: date | None = None
    length: int = 0  # consecutive calendar days ending at last_day


class AwardRecord(NamedTuple):
    """Points or spins a later event may take back (a rule with `reverse_on`)."""

    decision_id: str  # the award's Decision.id
    beneficiary: str
    kind: str  # points | spins
    amount: int


class State(Protocol):
    def count(self, key: CounterKey) -> int: ...

    def increment(self, key: CounterKey) -> None: ...

    def has_badge(self, user_id: str, badge_id: str) -> bool: ...

    def grant_badge(self, user_id: str, badge_id: str) -> None: ...

    def tier_progress(self, rule_id: str, user_id: str) -> TierProgress: ...

    def set_tier_progress(self, rule_id: str, user_id: str, progress: TierProgress) -> None: ...

    def streak(self, rule_id: str, user_id: str) -> StreakProgress: ...

    def set_streak(self, rule_id: str, user_id: str, progress: StreakProgress) -> None: ...

    def record_award(self, rule_id: str, link: str, award: AwardRecord) -> None:
        """Remember an award of a rule with `reverse_on`, under its link value (a post id)."""
        ...

    def take_awards(self, rule_id: str, link: str) -> list[AwardRecord]:
        """Forget and return the awards recorded under (rule, link), oldest first.

        A second call returns [], so a repeated deletion reverses nothing twice.
        """
        ...


_NO_TIERS = TierProgress()
_NO_STREAK = StreakProgress()
_NO_AWARDS: tuple[tuple[str, str, str, int], ...] = ()
_new = tuple.__new__
_SEP = "\x1f"  # joins the parts of MemoryState's keys; ids never contain it

# MemoryState keys its dicts by strings and stores ints, strings and dates: none of
# these is tracked by the cyclic garbage collector, so neither are the dicts, and a
# collection never walks them. Keyed by the protocol's named tuples, the dicts held
# ~1M tracked objects after a 1M-event replay, and the full collections that kept
# walking them took ~25% of the run.


@dataclass(slots=True)
class MemoryState:
    counters: dict[str, int] = field(default_factory=dict)  # "rule\x1fper\x1fwindow\x1fkey"
    badges: set[str] = field(default_factory=set)  # "user\x1fbadge"
    # "rule\x1fuser" -> matching events, and the tiers awarded once there are any
    tier_events: dict[str, int] = field(default_factory=dict)
    tiers_awarded: dict[str, frozenset[int]] = field(default_factory=dict)
    streak_days: dict[str, date | None] = field(default_factory=dict)
    streak_lengths: dict[str, int] = field(default_factory=dict)
    awards: dict[str, tuple[tuple[str, str, str, int], ...]] = field(default_factory=dict)
    # The engine calls count() and then increment() with one key: flatten it once.
    _last_key: CounterKey | None = field(default=None, init=False, repr=False, compare=False)
    _last_flat: str = field(default="", init=False, repr=False, compare=False)

    def _flat(self, key: CounterKey) -> str:
        if key is self._last_key:
            return self._last_flat
        rule_id, per, window, parts = key
        if len(parts) == 1:
            name, value = parts[0]
            flat = f"{rule_id}{_SEP}{per}{_SEP}{window}{_SEP}{name}={value}"
        else:
            tail = _SEP.join([f"{name}={value}" for name, value in parts])
            flat = f"{rule_id}{_SEP}{per}{_SEP}{window}{_SEP}{tail}"
        self._last_key = key
        self._last_flat = flat
        return flat

    def count(self, key: CounterKey) -> int:
        return self.counters.get(self._flat(key), 0)

    def increment(self, key: CounterKey) -> None:
        flat = self._flat(key)
        counters = self.counters
        counters[flat] = counters.get(flat, 0) + 1

    def has_badge(self, user_id: str, badge_id: str) -> bool:
        return f"{user_id}{_SEP}{badge_id}" in self.badges

    def grant_badge(self, user_id: str, badge_id: str) -> None:
        self.badges.add(f"{user_id}{_SEP}{badge_id}")

    def tier_progress(self, rule_id: str, user_id: str) -> TierProgress:
        key = f"{rule_id}{_SEP}{user_id}"
        events = self.tier_events.get(key)
        if events is None:
            return _NO_TIERS
        awarded = self.tiers_awarded.get(key, _NO_TIERS.awarded)
        return _new(TierProgress, (events, awarded))

    def set_tier_progress(self, rule_id: str, user_id: str, progress: TierProgress) -> None:
        key = f"{rule_id}{_SEP}{user_id}"
        self.tier_events[key] = progress[0]
        if progress[1]:
            self.tiers_awarded[key] = progress[1]
        else:
            self.tiers_awarded.pop(key, None)

    def streak(self, rule_id: str, user_id: str) -> StreakProgress:
        key = f"{rule_id}{_SEP}{user_id}"
        length = self.streak_lengths.get(key)
        if length is None:
            return _NO_STREAK
        return _new(StreakProgress, (self.streak_days[key], length))

    def set_streak(self, rule_id: str, user_id: str, progress: StreakProgress) -> None:
        key = f"{rule_id}{_SEP}{user_id}"
        self.streak_days[key] = progress[0]
        self.streak_lengths[key] = progress[1]

    def record_award(self, rule_id: str, link: str, award: AwardRecord) -> None:
        key = f"{rule_id}{_SEP}{link}"
        self.awards[key] = (
            *self.awards.get(key, _NO_AWARDS),
            (award[0], award[1], award[2], award[3]),
        )

    def take_awards(self, rule_id: str, link: str) -> list[AwardRecord]:
        found = self.awards.pop(f"{rule_id}{_SEP}{link}", _NO_AWARDS)
        return [_new(AwardRecord, item) for item in found]
