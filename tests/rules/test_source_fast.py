"""The fast reading (libyaml's events) gives exactly what ruamel's gives: the same data,
the same line and column for every key and value, the same problems; anything it cannot
read exactly is left to ruamel. Compared over the default file, a corpus of edge cases and
a seeded corpus of broken edits of the default file."""

from __future__ import annotations

import random
import string
from typing import Any

import pytest

import rules.ruleset
from rules.errors import Problem, RulesetInvalid
from rules.ruleset import check_ruleset, check_text, default_text
from rules.source import Document, parse, parse_fast, parse_ruamel

EDGE_CASES = [
    "a: 1\nb:\n  - x\n  - {c: 2}\n",
    "d: 2026-12-01\nt: 2026-03-03T09:00:00+03:00\nf: 1.5\nn: NO\no: on\ny: yes\n",
    "i: [0x1F, 0o17, 012, 1_000, 1e3, -1.5, .inf, .NaN, +12, 0b101, 1:20, ~, null, true]\n",
    "q: 'it''s'\nw: \"a\\tb \\u263a\"\nm: \"multi\n  line\"\np: plain\n  folded\n",
    "a: |\n  b\n  c\nd: >-\n  e\n\n  f\ng: |+\n  h\n\n",
    "x:\ny: 1\n",
    "x:\n\ny: 1\n",
    "x: # c\ny: 1\n",
    "x:\n# c\ny: 1\n",
    "a:\n  x:\nb: 1\n",
    "a:\n  x: # c\nb: 1\n",
    "a:\n  x: # c\n  y: 1\n",
    "a:\n  - x: # c\n  - 1\n",
    "- x:\n- y\n",
    "x:\n",
    "x:",
    "x: # c",
    "x: # c\n\n",
    "x:   \ny: 1",
    "- \n- a\n",
    "- a\n-\n",
    "{a: , b: 1}",
    "{a, b: 1}",
    "[a: , b]",
    "? a\n",
    "? a\n: b\n",
    ": a\n",
    "a:\n  b:\n    c:\n",
    "1: a\ntrue: b\n",
    "~: a\nNone: b\n",
    "a: 1\nb: 2\na: 3\n",
    "a: {p: 1, p: 2}\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: !custom x\n",
    "<<: {a: 1}\nb: 2\n",
    "---\na: 1\n",
    "a: 1\n...\n",
    "a: 1\n---\nb: 2\n",
    "%YAML 1.1\n---\na: yes\n",
    "a: 1\r\nb: 2\r\n",
    "\ufeffa: 1\n",
    "a:\tb\n",
    "a: [1, 2\n",
    "a: {b: 1\n",
    "a: 'open\n",
    "a:\n  - b\n - c\n",
    "a: b: c\n",
    "[a, b]: c\n",
    "=: x\nv: =\n",
    "d: 2026-13-45\n",
    "",
    "# only a comment\n",
    "plain scalar\n",
    "- just\n- a list\n",
    "title: {en: Regular, ru: Завсегдатай мероприятий}\nwhen: event.x > 1 && event.y != 'é'\n",
]


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (True is not 1, a date not a str)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return (
            list(map(type, a)) == list(map(type, b))
            and list(a) == list(b)
            and all(same(a[k], b[k]) for k in a)
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return b != b
    return bool(a == b) or repr(a) == repr(b)  # e.g. ruamel's TaggedScalar for `=`


def outcome(read: Any, text: str) -> Document | list[Problem] | str:
    try:
        return read(text)  # type: ignore[no-any-return]
    except RulesetInvalid as exc:
        return exc.problems
    except Exception as exc:  # ruamel's own bugs, e.g. on merge keys (`<<:`)
        return type(exc).__name__


def assert_same_reading(text: str) -> bool:
    """parse() reads `text` as ruamel does; True when the fast path read it."""
    fast = parse_fast(text)
    new, old = outcome(parse, text), outcome(parse_ruamel, text)
    if isinstance(old, str):  # ruamel crashes: the same crash, or the fast path's reading
        assert fast is not None or new == old
        return fast is not None
    if isinstance(old, list):
        assert fast is None, f"ruamel refuses {text!r} ({old}) but the fast path read it"
        assert new == old
        return False
    assert isinstance(new, Document), text
    assert same(new.data, old.data), text
    assert new.values == old.values, text
    assert new.keys == old.keys, text
    return fast is not None


def test_the_default_file_is_read_fast_and_exactly() -> None:
    text = default_text()
    assert parse_fast(text) is not None
    assert assert_same_reading(text)


def test_a_large_generated_file_is_read_fast_and_exactly() -> None:
    from bench.rule_check_roundtrip import ruleset

    assert assert_same_reading(ruleset(40))


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_read_as_ruamel_reads_them(text: str) -> None:
    assert_same_reading(text)


def test_what_the_fast_path_leaves_to_ruamel() -> None:
    for text in ("a: &x 1\nb: *x\n", "a: !!str 1\n", "a: 1\nb: 2\na: 3\n", "a: [1, 2\n"):
        assert parse_fast(text) is None
    problems = outcome(parse, "a: &x 1\nb: *x\n")
    assert isinstance(problems, list) and len(problems) == 2


CHARS = string.ascii_letters + string.digits + "  :-#\"'_.,{}[]|>"


def broken(rng: random.Random, text: str) -> str:
    """One or two edits of the kind typing makes: characters, lines, indents, values."""
    for _ in range(rng.randint(1, 2)):
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        op = rng.random()
        if op < 0.3:
            j = rng.randrange(len(text))
            if text[j] != "\n":
                text = text[:j] + text[j + rng.randint(1, 3) :]
        elif op < 0.55:
            j = rng.randint(0, len(text))
            text = text[:j] + rng.choice(CHARS) + text[j:]
        elif op < 0.65:
            del lines[i]
            text = "\n".join(lines)
        elif op < 0.75:
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif op < 0.87 and ":" in lines[i]:
            cut = lines[i].index(":") + 1
            lines[i] = lines[i][:cut] + rng.choice(["", " ", "  # c", " ''"])
            text = "\n".join(lines)
        else:
            lines[i] = ("  " + lines[i]) if rng.random() < 0.5 else lines[i][2:]
            text = "\n".join(lines)
    return text


def test_broken_edits_of_the_default_file_give_the_same_problems() -> None:
    rng = random.Random(20261206)
    base = default_text()
    fast = with_problems = 0
    for _ in range(40):
        text = broken(rng, base)
        fast += assert_same_reading(text)
        new = check_text(text, "r.yaml")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(rules.ruleset, "parse", parse_ruamel)
            old = check_text(text, "r.yaml")
        assert new == old, text
        assert check_ruleset(text, "r.yaml")[1] == new  # the editor's check: the same
        with_problems += bool(new)
    # The corpus exercises the fast path and files with problems, not only ruamel's.
    assert fast >= 20 and with_problems >= 15, (fast, with_problems)


def test_windows_of_the_default_file_read_as_ruamel_reads_them() -> None:
    """Small files from top-level keys of the default file, broken: many more cases."""
    import textwrap

    rng = random.Random(7)
    lines = default_text().split("\n")
    starts = [n for n, line in enumerate(lines) if line.startswith("  - ")]
    fast = 0
    for _ in range(150):
        start = rng.choice(starts)
        window = textwrap.dedent("\n".join(lines[start : start + rng.randint(2, 25)]) + "\n")
        fast += assert_same_reading(broken(rng, window))
    assert fast >= 40, fast
