"""The engine's memory for one settlement batch: a snapshot loaded from the database inside
the batch's transaction, changed in memory as events are judged, written back before
commit (gamification/store.py does the reading and writing).

The engine's `State` protocol is synchronous, so everything a batch may read is loaded
first: the rows of the people the batch is about, in the calendar windows its events fall
in. A read outside what was loaded is recorded as a miss; the caller then loads more and
judges the batch again from the start, so no read ever answers from a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rules.state import AwardRecord, CounterKey, StreakProgress, TierProgress

_NO_TIERS = TierProgress()
_NO_STREAK = StreakProgress()


def counter_id(key: CounterKey) -> str:
    parts = ",".join(f"{name}={value}" for name, value in key.key)
    return f"{key.rule_id}|{key.per}|{key.window}|{parts}"


def counter_owner(key: CounterKey) -> str:
    return key.key[0][1] if key.key else ""


def progress_id(rule_id: str, user_id: str) -> str:
    return f"{rule_id}|{user_id}"


@dataclass(slots=True)
class Snapshot:
    """What was loaded: these people's rows, and counters in these windows."""

    owners: set[str] = field(default_factory=set)
    windows: set[str] = field(default_factory=set)
    counters: dict[str, int] = field(default_factory=dict)
    badges: set[tuple[str, str]] = field(default_factory=set)
    tiers: dict[str, TierProgress] = field(default_factory=dict)
    streaks: dict[str, StreakProgress] = field(default_factory=dict)


@dataclass(slots=True)
class SnapshotState:
    """A `rules.state.State` over a snapshot; writes stay in memory until flushed."""

    base: Snapshot
    counters: dict[str, int] = field(default_factory=dict)
    counter_meta: dict[str, tuple[str, str]] = field(default_factory=dict)  # owner, window
    badges: set[tuple[str, str]] = field(default_factory=set)
    tiers: dict[str, tuple[str, TierProgress]] = field(default_factory=dict)
    streaks: dict[str, tuple[str, StreakProgress]] = field(default_factory=dict)
    missing_owners: set[str] = field(default_factory=set)
    missing_windows: set[str] = field(default_factory=set)

    def _covered(self, owner: str, window: str | None = None) -> bool:
        ok = True
        if owner not in self.base.owners:
            self.missing_owners.add(owner)
            ok = False
        if window is not None and window not in self.base.windows:
            self.missing_windows.add(window)
            ok = False
        return ok

    @property
    def complete(self) -> bool:
        return not self.missing_owners and not self.missing_windows

    def count(self, key: CounterKey) -> int:
        ident = counter_id(key)
        found = self.counters.get(ident)
        if found is not None:
            return found
        self._covered(counter_owner(key), key.window)
        return self.base.counters.get(ident, 0)

    def increment(self, key: CounterKey) -> None:
        ident = counter_id(key)
        self.counters[ident] = self.count(key) + 1
        self.counter_meta[ident] = (counter_owner(key), key.window)

    def has_badge(self, user_id: str, badge_id: str) -> bool:
        if (user_id, badge_id) in self.badges:
            return True
        self._covered(user_id)
        return (user_id, badge_id) in self.base.badges

    def grant_badge(self, user_id: str, badge_id: str) -> None:
        self.badges.add((user_id, badge_id))

    def tier_progress(self, rule_id: str, user_id: str) -> TierProgress:
        ident = progress_id(rule_id, user_id)
        found = self.tiers.get(ident)
        if found is not None:
            return found[1]
        self._covered(user_id)
        return self.base.tiers.get(ident, _NO_TIERS)

    def set_tier_progress(self, rule_id: str, user_id: str, progress: TierProgress) -> None:
        self.tiers[progress_id(rule_id, user_id)] = (user_id, progress)

    def streak(self, rule_id: str, user_id: str) -> StreakProgress:
        ident = progress_id(rule_id, user_id)
        found = self.streaks.get(ident)
        if found is not None:
            return found[1]
        self._covered(user_id)
        return self.base.streaks.get(ident, _NO_STREAK)

    def set_streak(self, rule_id: str, user_id: str, progress: StreakProgress) -> None:
        self.streaks[progress_id(rule_id, user_id)] = (user_id, progress)

    # Settlement takes awards back through the ledger: each reversible transfer carries the
    # reference its deletion names, and tombstones catch a deletion settled before the
    # award. That also works when the events arrive out of order or the ruleset changed in
    # between, which the engine's in-order bookkeeping (used by replay and dry runs) cannot
    # promise; so the engine is given nothing to reverse here.
    def record_award(self, rule_id: str, link: str, award: AwardRecord) -> None:
        return None

    def take_awards(self, rule_id: str, link: str) -> list[AwardRecord]:
        return []


def streak_day(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
