from __future__ import annotations

from datetime import date, datetime

import pytest

from rules.errors import RulesetInvalid
from rules.source import canonical_bytes, parse


def test_positions_of_keys_and_values() -> None:
    doc = parse("a: 1\nb:\n  - x\n  - {c: 2}\n")
    assert doc.data == {"a": 1, "b": ["x", {"c": 2}]}
    assert doc.keys[("a",)] == (1, 1)
    assert doc.values[("a",)] == (1, 4)
    assert doc.values[("b", 1)] == (4, 5)
    assert doc.values[("b", 1, "c")] == (4, 9)
    assert doc.position(("b", 1, "missing")) == (4, 5)


def test_scalars_are_plain_builtins() -> None:
    data = parse("d: 2026-12-01\nt: 2026-03-03T09:00:00+03:00\nf: 1.5\nn: NO\no: on\n").data
    assert type(data["d"]) is date
    assert type(data["t"]) is datetime and data["t"].utcoffset() is not None
    assert type(data["f"]) is float
    assert data["n"] == "NO" and data["o"] == "on"  # YAML 1.2: strings


def test_expression_positions_inside_quotes() -> None:
    doc = parse("when: 'event.x > 1'\n")
    problem = doc.expression_problem(("when",), 6, "m")
    assert (problem.line, problem.column) == (1, 14)


def test_alias_bomb_is_refused_before_expansion() -> None:
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n"
    with pytest.raises(RulesetInvalid) as caught:
        parse(bomb)
    assert len(caught.value.problems) == 7


def test_canonical_bytes() -> None:
    assert canonical_bytes("\ufeffa: 1\r\nb: 2\r\n") == b"a: 1\nb: 2\n"
