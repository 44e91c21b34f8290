"""The wheel's pure core: the file checker, the unbiased draw, verification."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamification.wheel import (
    draw,
    load_wheel,
    pick,
    seed_hash,
    uniform,
    verify_spin,
)
from rules.errors import RulesetInvalid
from server.rewards.wheel import default_wheel_text


def test_the_shipped_wheel_is_valid() -> None:
    wheel = load_wheel(default_wheel_text())
    assert wheel.period == "week"
    assert sum(wheel.weights) == 100


def test_problems_point_at_lines_and_columns() -> None:
    text = (
        "version: 1\n"
        "segments:\n"
        "  - {id: a, weight: 0, wish: true}\n"
        "  - {id: b, weight: 2, prize: mug}\n"
        "  - {id: b, wieght: 2}\n"
    )
    with pytest.raises(RulesetInvalid) as caught:
        load_wheel(text, "w.yaml")
    lines = [str(p) for p in caught.value.problems]
    assert "w.yaml:3:21: segments.0.weight: should be greater than or equal to 1" in lines
    assert "w.yaml:5:13: unknown key 'wieght'" in lines


def test_meaning_problems() -> None:
    text = (
        "version: 1\nwishes: [{en: hi}]\n"
        "segments:\n  - {id: a, weight: 3, prize: x}\n  - {id: a, weight: 2, points: 1, wish: true}\n"
    )
    with pytest.raises(RulesetInvalid) as caught:
        load_wheel(text, "w.yaml")
    messages = {p.message for p in caught.value.problems}
    assert "undefined prize 'x' (defined: none)" in messages
    assert "duplicate segment id 'a'" in messages
    assert "a segment gives exactly one of prize, points, spins, wish" in messages


@given(st.binary(min_size=1, max_size=32), st.text(max_size=20), st.integers(1, 10**9))
def test_uniform_stays_in_range_and_is_deterministic(seed: bytes, message: str, total: int) -> None:
    value = uniform(seed, message, total)
    assert 0 <= value < total
    assert uniform(seed, message, total) == value


@given(st.lists(st.integers(1, 50), min_size=1, max_size=8), st.data())
def test_pick_maps_each_unit_of_weight_to_its_segment(
    weights: list[int], data: st.DataObject
) -> None:
    ticket = data.draw(st.integers(0, sum(weights) - 1))
    index = pick(weights, ticket)
    assert sum(weights[:index]) <= ticket < sum(weights[: index + 1])


def test_rejection_sampling_rejects_the_uneven_tail() -> None:
    # With total = 2^63 + 1, nearly half of all 64-bit numbers fall in the tail and must be
    # rejected; the result is still in range and the counter suffix was used.
    total = (1 << 63) + 1
    values = [uniform(b"seed", f"spin{n}", total) for n in range(200)]
    assert all(0 <= v < total for v in values)


def test_draws_follow_the_weights() -> None:
    weights = [1, 3, 6]
    counts = Counter(draw(b"k" * 32, f"s{n}", weights) for n in range(20_000))
    for index, weight in enumerate(weights):
        assert abs(counts[index] / 20_000 - weight / 10) < 0.015


def test_verification_finds_a_forged_result_and_a_swapped_seed() -> None:
    seed = hashlib.sha256(b"a secret").digest()
    weights = [5, 5]
    segment = draw(seed, "spin-1", weights)
    assert verify_spin(seed, seed_hash(seed), "spin-1", weights, segment) is None
    assert verify_spin(seed, seed_hash(seed), "spin-1", weights, 1 - segment) is not None
    assert verify_spin(b"another", seed_hash(seed), "spin-1", weights, segment) is not None
