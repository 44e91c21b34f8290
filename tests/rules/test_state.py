from __future__ import annotations

from datetime import date

from rules.state import CounterKey, MemoryState, State, StreakProgress, TierProgress


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
