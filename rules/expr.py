"""CEL conditions: compile once, and check statically what they read.

The cel package reports the root variables an expression names (`event`) but not
the fields it selects (`event.body_lenght`), so a token walk finds those. The walk
also tells the engine which fields each event type's rules read, so it converts
only those into CEL values: converting a string costs ~1 us in the Rust binding,
and a full post.created event with profiles ~18 us, more than ten conditions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import cel

from rules.events import PROFILE_FIELDS, enum_values, fields_of

ROOTS: Final = ("event", "actor", "subject")
_MACROS: Final = frozenset({"all", "exists", "exists_one", "map", "filter"})
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<str>[rRbB]{0,2}(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''
        |"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
    |(?P<num>0[xX][0-9a-fA-F]+[uU]?|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[uU]?)
    |(?P<id>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<op>==|!=|<=|>=|&&|\|\||\S)
    """,
    re.VERBOSE,
)
_SAMPLE_AT: Final = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    offset: int


@dataclass(slots=True)
class Analysis:
    """What one expression reads, and what is wrong with it (offset, message)."""

    # (root, field) pairs, e.g. ("event", "body_length"), ("actor", "region").
    reads: set[tuple[str, str]] = field(default_factory=set)
    # Fields asked about with has(): bound as `<flat>__present` booleans.
    presence: set[tuple[str, str]] = field(default_factory=set)
    # The same expression over flat variables (`event.body_length` ->
    # `event__body_length`), which the engine binds without building CEL maps:
    # a map costs ~1.5 us plus ~0.7 us a key, a top-level int ~0.1 us.
    flat_source: str = ""
    problems: list[tuple[int, str]] = field(default_factory=list)


def flat_name(root: str, name: str, *, present: bool = False) -> str:
    # An absent field is left unbound, so reading it fails (no match) as it would
    # on a map; has() reads the separate, always-bound presence flag.
    return f"{root}__{name}__present" if present else f"{root}__{name}"


class ExprSyntaxError(Exception):
    def __init__(self, offset: int, message: str) -> None:
        self.offset = offset
        super().__init__(message)


def compile_expr(source: str) -> cel.Program:
    try:
        return cel.compile(source)
    except ValueError as exc:
        raise _syntax_error(source, str(exc)) from None


def _syntax_error(source: str, text: str) -> ExprSyntaxError:
    # "ERROR: <input>:1:22: Syntax error: mismatched input ..." -> offset, message
    found = re.search(r"<input>:(\d+):(\d+): (.*)", text)
    if not found:
        return ExprSyntaxError(0, f"invalid CEL: {text.splitlines()[0]}")
    line, col, message = int(found[1]), int(found[2]), found[3]
    lines = source.split("\n")
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + col - 1
    return ExprSyntaxError(offset, f"invalid CEL: {message}")


def tokens(source: str) -> list[Token]:
    out = []
    for found in _TOKEN.finditer(source):
        kind = found.lastgroup or "op"
        if kind != "ws":
            out.append(Token(kind, found.group(), found.start()))
    return out


def analyse(source: str, program: cel.Program, event_type: str) -> Analysis:
    toks = tokens(source)
    result = Analysis()
    schemas: dict[str, Mapping[str, str]] = {
        "event": fields_of(event_type),
        "actor": PROFILE_FIELDS,
        "subject": PROFILE_FIELDS,
    }
    bound = _bound_names(toks)
    rewrites: list[tuple[int, int, str]] = []
    for index, tok in enumerate(toks):
        if tok.kind != "id" or _is_member(toks, index) or _is_call(toks, index):
            continue
        if tok.text in ROOTS and tok.text not in bound:
            rewrite = _root_use(toks, index, schemas[tok.text], event_type, result)
            if rewrite is not None:
                rewrites.append(rewrite)
    known = set(ROOTS) | bound
    for name in program.variables():
        if name not in known:
            offset = next((t.offset for t in toks if t.text == name), 0)
            result.problems.append(
                (offset, f"unknown name {name!r} (use event.<field>, actor or subject)")
            )
    result.flat_source = _splice(source, rewrites)
    return result


def _splice(source: str, rewrites: list[tuple[int, int, str]]) -> str:
    out, at = [], 0
    for start, end, text in sorted(rewrites):
        out += [source[at:start], text]
        at = end
    out.append(source[at:])
    return "".join(out)


def _is_member(toks: list[Token], index: int) -> bool:
    return index > 0 and toks[index - 1].text == "."


def _is_call(toks: list[Token], index: int) -> bool:
    return index + 1 < len(toks) and toks[index + 1].text == "("


def _bound_names(toks: list[Token]) -> set[str]:
    """Comprehension variables: the `x` in `list.exists(x, ...)`."""
    return {
        toks[i + 2].text
        for i in range(1, len(toks) - 2)
        if toks[i].text in _MACROS
        and toks[i - 1].text == "."
        and toks[i + 1].text == "("
        and toks[i + 2].kind == "id"
    }


def _root_use(
    toks: list[Token],
    index: int,
    schema: Mapping[str, str],
    event_type: str,
    result: Analysis,
) -> tuple[int, int, str] | None:
    """Check one use of event/actor/subject; return its flat rewrite (start, end, text)."""
    root = toks[index]
    nxt = toks[index + 1] if index + 1 < len(toks) else None
    name: str | None = None
    last = index  # the last token of the selection
    if nxt is not None and nxt.text == "." and index + 2 < len(toks):
        last = index + 2
        name = toks[last].text if toks[last].kind == "id" else None
    elif nxt is not None and nxt.text == "[" and index + 3 < len(toks):
        lit, close = toks[index + 2], toks[index + 3]
        if lit.kind == "str" and lit.text[:1] in "\"'" and close.text == "]":
            name, last = lit.text[1:-1], index + 3
    if name is None:
        if root.text == "event":
            result.problems.append((root.offset, "name a field: event.<field>"))
            return None
        # A bare profile (`subject != null`) stands for its id: null when absent.
        name = "id"
    else:
        name_tok = toks[last - 1] if toks[last].text == "]" else toks[last]
        if name not in schema:
            whose = f"event type {event_type}" if root.text == "event" else "a user profile"
            allowed = ", ".join(sorted(schema))
            result.problems.append(
                (name_tok.offset, f"{whose} has no field {name!r} (it has: {allowed})")
            )
            return None
        _check_enum(toks, last, schema[name], name, result)
    end_tok = toks[last]
    # has(event.x) asks whether the field is there.
    if (
        index >= 2
        and toks[index - 1].text == "("
        and toks[index - 2].text == "has"
        and last + 1 < len(toks)
        and toks[last + 1].text == ")"
    ):
        result.presence.add((root.text, name))
        return (
            toks[index - 2].offset,
            toks[last + 1].offset + 1,
            flat_name(root.text, name, present=True),
        )
    result.reads.add((root.text, name))
    return root.offset, end_tok.offset + len(end_tok.text), flat_name(root.text, name)


def _check_enum(toks: list[Token], last: int, type_: str, name: str, result: Analysis) -> None:
    """`event.kind == "poll"` can never be true when kind is post|kudos|news."""
    choices = enum_values(type_)
    if choices is None or last + 2 >= len(toks) or toks[last + 1].text not in ("==", "!="):
        return
    literal = toks[last + 2]
    if literal.kind == "str" and literal.text[1:-1] not in choices:
        result.problems.append(
            (literal.offset, f"{name} is one of {', '.join(choices)}, never {literal.text}")
        )


def sample_context(event_type: str) -> dict[str, Any]:
    """Typed stand-in values, to catch type errors before any real event arrives."""
    event = {name: _sample(type_) for name, type_ in fields_of(event_type).items()}
    profile = {name: _sample(type_) for name, type_ in PROFILE_FIELDS.items()}
    return {"event": event, "actor": profile, "subject": dict(profile)}


def _sample(type_: str) -> Any:
    base = type_.removesuffix("?")
    choices = enum_values(base)
    if choices:
        return choices[0]
    return {"int": 1, "bool": False, "datetime": _SAMPLE_AT}.get(base, "u1")


def trial(program: cel.Program, event_type: str) -> tuple[Any, str | None]:
    """Run the program on sample values: (result, problem or None)."""
    try:
        return program.execute(sample_context(event_type)), None
    except TypeError as exc:
        first = str(exc).split(". ")[0]
        return None, f"type error: {first}"
    except RuntimeError as exc:
        text = str(exc)
        found = re.search(r"Undefined variable or function: '([^']+)'", text)
        if found:
            return None, f"unknown function {found[1]!r}"
        return None, None
    except (KeyError, ValueError, ArithmeticError):
        # Depends on the values (a parse of a sample string, a division by the
        # sample 1 - 1); real events decide.
        return None, None
