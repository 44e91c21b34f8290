from __future__ import annotations

import gc
from datetime import date

from rules.state import AwardRecord, CounterKey, MemoryState, State, StreakProgress, TierProgress


def test_memory_state_implements_the_protocol() -> None:
    state: State = MemoryState()
    key = CounterKey("r", "day", "2026-03-03", (("beneficiary", "u1"),))
    assert state.count(key) == 0
    state.increment(key)
    state.increment(key)
    assert state.count(key) == 2
    assert state.count(key._replace(window="2026-03-04")) == 0
    assert not state.has_badge("u1", "b")
    state.grant_badge("u1", "b")
    assert state.has_badge("u1", "b") and not state.has_badge("u2", "b")
    assert state.tier_progress("r", "u1") == TierProgress(0, frozenset())
    state.set_tier_progress("r", "u1", TierProgress(3, frozenset({2})))
    assert state.tier_progress("r", "u1").events == 3
    assert state.streak("r", "u1") == StreakProgress(None, 0)
    state.set_streak("r", "u1", StreakProgress(date(2026, 3, 3), 2))
    assert state.streak("r", "u1").length == 2


def test_memory_state_remembers_awards_to_reverse_until_taken() -> None:
    state: State = MemoryState()
    first = AwardRecord("d1", "u1", "points", 10)
    second = AwardRecord("d2", "u1", "spins", 1)
    state.record_award("r", "p1", first)
    state.record_award("r", "p1", second)
    state.record_award("other", "p1", first)
    assert state.take_awards("r", "p2") == []
    assert state.take_awards("r", "p1") == [first, second]
    assert state.take_awards("r", "p1") == []
    assert state.take_awards("other", "p1") == [first]


def test_memory_state_keeps_nothing_the_garbage_collector_must_walk() -> None:
    # ~1M counters after a 1M-event replay: tracked, every full collection walked them.
    state = MemoryState()
    key = CounterKey("r", "day", "2026-03-03", (("beneficiary", "u1"), ("actor", "u2")))
    state.increment(key)
    state.grant_badge("u1", "b")
    state.set_tier_progress("r", "u1", TierProgress(3))
    state.set_streak("r", "u1", StreakProgress(date(2026, 3, 3), 2))
    # (A set is always tracked; badges are few.)
    for name in ("counters", "tier_events", "streak_days", "streak_lengths"):
        assert not gc.is_tracked(getattr(state, name)), name


def test_counter_keys_with_different_parts_stay_apart() -> None:
    state = MemoryState()
    one = CounterKey("r", "day", "2026-03-03", (("beneficiary", "u1"),))
    two = one._replace(key=(("beneficiary", "u1"), ("actor", "u2")))
    three = one._replace(key=(("beneficiary", "u1"), ("subject", "u2")))
    state.increment(one)
    state.increment(two)
    state.increment(two)
    assert [state.count(k) for k in (one, two, three)] == [1, 2, 0]
    state.set_tier_progress("r", "u1", TierProgress(4, frozenset({2})))
    state.set_tier_progress("r", "u1", TierProgress(5))
    assert state.tier_progress("r", "u1") == TierProgress(5, frozenset())
