"""YAML text -> plain data plus the line and column of every key and value.

YAML 1.2 as ruamel's round-trip parser reads it (so `on:` and `NO` stay strings), with
anchors, aliases and tags refused before anything is built: an alias bomb of a few
hundred bytes expands to gigabytes, and a tag is the door to constructing objects.

ruamel's parser is pure Python: ~1.3 s of CPU for a 500-rule (76 KB) file, far too slow
for the editor's check while typing. So a file is first read from libyaml's event stream
(PyYAML's C parser, ~20 ms), building the same data and positions as ruamel would (plain
scalars resolved by ruamel's own YAML 1.2 resolver and constructor). Anything that path
does not handle exactly as ruamel does (any YAML error, anchors, aliases, tags,
directives, several documents, duplicate or complex keys, merge keys, unusual line
breaks) goes to ruamel, whose answer (and error message, line and column) stays the
reference: tests/rules/test_source.py compares the two over a corpus of broken files.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

import yaml as libyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, DocumentStartEvent, NodeEvent
from ruamel.yaml.nodes import ScalarNode

from rules.errors import Problem, RulesetInvalid

# A ruleset for a large company is a few hundred rules, ~40 KiB; a file six times
# that is a mistake or an attack on the parser.
MAX_BYTES: Final = 256 * 1024

Path = tuple[str | int, ...]
Pos = tuple[int, int]  # 1-based line, column


@dataclass(slots=True)
class Document:
    path: str
    text: str
    data: Any
    # Position of each value, and of each mapping key, by its path from the root.
    values: dict[Path, Pos] = field(default_factory=dict)
    keys: dict[Path, Pos] = field(default_factory=dict)

    def problem(self, where: Path, message: str, *, key: bool = False) -> Problem:
        line, col = self.position(where, key=key)
        return Problem(self.path, line, col, message)

    def expression_problem(self, where: Path, offset: int, message: str) -> Problem:
        """A problem `offset` characters into the expression at `where`."""
        line, col = self.position(where)
        lines = self.text.splitlines()
        source = lines[line - 1] if line <= len(lines) else ""
        quoted = 1 if source[col - 1 : col] in ("'", '"') else 0
        expression = self.lookup(where)
        # Exact for the usual one-line `when: ...`; a block scalar (|, >) or a
        # folded line is reported at its start.
        if isinstance(expression, str) and source[col - 1 + quoted :].startswith(expression):
            col += quoted + offset
        return Problem(self.path, line, col, message)

    def lookup(self, where: Path) -> Any:
        node = self.data
        for part in where:
            node = node[part]
        return node

    def position(self, where: Path, *, key: bool = False) -> Pos:
        if key and where in self.keys:
            return self.keys[where]
        # The nearest enclosing node that exists, e.g. the mapping a key is missing from.
        for end in range(len(where), -1, -1):
            if where[:end] in self.values:
                return self.values[where[:end]]
        return (1, 1)


def canonical_bytes(text: str) -> bytes:
    """The bytes a ruleset's version hashes: UTF-8, LF line ends, no BOM."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").encode()


def parse(text: str, path: str = "<string>") -> Document:
    size = len(text.encode())
    if size > MAX_BYTES:
        raise RulesetInvalid(
            [Problem(path, 1, 1, f"file is {size} bytes, over the limit of {MAX_BYTES}")]
        )
    doc = parse_fast(text, path)
    return doc if doc is not None else parse_ruamel(text, path)


def parse_ruamel(text: str, path: str = "<string>") -> Document:
    """The reference reading (slow): ruamel's pure-Python round-trip parser."""
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        _refuse_references(yaml, text, path)
        raw = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise RulesetInvalid([Problem(path, line, col, f"YAML: {message}")]) from None
    except YAMLError as exc:
        raise RulesetInvalid([Problem(path, 1, 1, f"YAML: {exc}")]) from None
    doc = Document(path, text, None)
    doc.values[()] = (1, 1)
    doc.data = _plain(raw, (), doc)
    return doc


def _refuse_references(yaml: YAML, text: str, path: str) -> None:
    problems: list[Problem] = []
    documents = 0
    for event in yaml.parse(text):
        line, col = event.start_mark.line + 1, event.start_mark.column + 1
        if isinstance(event, DocumentStartEvent):
            documents += 1
            if documents == 2:
                problems.append(Problem(path, line, col, "one YAML document per file"))
        if isinstance(event, AliasEvent):
            problems.append(Problem(path, line, col, "YAML aliases (*name) are not allowed"))
        elif isinstance(event, NodeEvent) and event.anchor is not None:
            problems.append(Problem(path, line, col, "YAML anchors (&name) are not allowed"))
        tag = getattr(event, "tag", None)
        if tag is not None and not isinstance(event, AliasEvent):
            problems.append(Problem(path, line, col, f"YAML tags ({tag}) are not allowed"))
    if problems:
        raise RulesetInvalid(problems)


def _plain(node: Any, where: Path, doc: Document) -> Any:
    """Round-trip nodes to builtin types, recording where each one sits."""
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            child = (*where, key if isinstance(key, str | int) else str(key))
            kline, kcol = node.lc.key(key)
            vline, vcol = node.lc.value(key)
            doc.keys[child] = (kline + 1, kcol + 1)
            doc.values[child] = (vline + 1, vcol + 1)
            out[_scalar(key)] = _plain(value, child, doc)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            line, col = node.lc.item(index)
            doc.values[(*where, index)] = (line + 1, col + 1)
            items.append(_plain(value, (*where, index), doc))
        return items
    return _scalar(node)


def _scalar(value: Any) -> Any:
    # ruamel's ScalarInt/ScalarFloat/TimeStamp subclass the builtins; unwrap them
    # so pydantic's strict mode and orjson see plain values.
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime):
        return datetime.fromisoformat(value.isoformat())
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    return value


# --- The fast path: libyaml's events, ruamel's meaning -------------------------------


class _Fallback(Exception):
    """Something the fast path does not read exactly as ruamel: ask ruamel."""


# Line breaks YAML 1.1 (libyaml) and ruamel might count differently; BOM handling too.
# Tabs: libyaml lets some through where ruamel refuses them.
_UNUSUAL = ("\r", "\x85", "\u2028", "\u2029", "\ufeff", "\t")
_PLAIN_KEYS = (str, int, type(None))  # bool is an int
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_BUILT = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp")
)


class _Plain:
    """Plain scalars' values as ruamel's YAML 1.2 round-trip loader gives them (then
    made builtins by `_scalar`), remembered: a ruleset repeats the same few hundred."""

    LIMIT = 20_000

    def __init__(self) -> None:
        self._yaml = YAML(typ="rt", pure=True)
        self._lock = threading.Lock()
        self._known: dict[str, tuple[str, Any]] = {}

    def __call__(self, value: str) -> tuple[str, Any]:
        """(resolved tag, plain value) of a plain scalar."""
        known = self._known.get(value)
        if known is not None:
            return known
        with self._lock:
            tag = str(self._yaml.resolver.resolve(ScalarNode, value, (True, False)))
            if tag == _STR:
                out: Any = value
            elif tag == _MERGE:
                out = None
            elif tag not in _BUILT:
                raise _Fallback  # `=`: ruamel keeps a tagged scalar
            else:
                constructor = self._yaml.constructor
                try:
                    built = constructor.construct_object(ScalarNode(tag, value), deep=True)
                except Exception as exc:  # e.g. 2026-13-45: let ruamel say what it says
                    raise _Fallback from exc
                finally:
                    constructor.constructed_objects.clear()
                out = _scalar(built)
            if len(self._known) >= self.LIMIT:
                self._known.clear()
            self._known[value] = known = (tag, out)
        return known


_plain_scalar = _Plain()
_C_LOADER: Any = getattr(libyaml, "CSafeLoader", None)  # None: PyYAML without libyaml


def parse_fast(text: str, path: str = "<string>") -> Document | None:
    """The file read from libyaml's events, or None where only ruamel can say."""
    if _C_LOADER is None or any(mark in text for mark in _UNUSUAL):
        return None
    try:
        loader = _C_LOADER(text)
    except Exception:  # e.g. a lone surrogate that cannot be UTF-8
        return None
    try:
        return _build(loader, path, text)
    except (_Fallback, libyaml.YAMLError, UnicodeError):
        return None
    finally:
        loader.dispose()


def _build(loader: Any, path: str, text: str) -> Document:
    get = loader.get_event
    scalar_event, mapping_start, sequence_start = (
        libyaml.ScalarEvent,
        libyaml.MappingStartEvent,
        libyaml.SequenceStartEvent,
    )
    end_events = (libyaml.MappingEndEvent, libyaml.SequenceEndEvent)
    plain = _plain_scalar
    values: dict[Path, Pos] = {(): (1, 1)}
    keys: dict[Path, Pos] = {}

    if not isinstance(get(), libyaml.StreamStartEvent):
        raise _Fallback
    start = get()
    if (
        not isinstance(start, libyaml.DocumentStartEvent)
        or start.explicit
        or start.version
        or start.tags
    ):
        raise _Fallback  # an empty stream, `---`, or %YAML / %TAG directives

    lines: list[str] | None = None
    # Frames: [container, path, pending key (a sentinel when a key is expected), key pos,
    # flow style]
    no_key: Any = _Fallback
    stack: list[list[Any]] = []
    root: Any = None
    while True:
        event = get()
        kind = type(event)
        if kind in end_events:
            stack.pop()
            if not stack:
                break
            continue
        if kind is not scalar_event and kind is not mapping_start and kind is not sequence_start:
            raise _Fallback  # an alias, or something unexpected
        if event.anchor is not None or event.tag is not None:
            raise _Fallback
        mark = event.start_mark
        pos = (mark.line + 1, mark.column + 1)
        if kind is scalar_event:
            if event.style == "" and event.implicit[0]:
                tag, value = plain(event.value)
                if tag == _MERGE:
                    raise _Fallback
                if event.value == "":
                    # An empty value: ruamel places it elsewhere than libyaml does.
                    if not stack or stack[-1][4]:
                        raise _Fallback  # the whole document, or in a flow collection
                    if type(stack[-1][0]) is dict:
                        if stack[-1][2] is no_key:
                            raise _Fallback  # an empty key
                        if lines is None:
                            lines = text.split("\n")
                        pos = _empty_value_at(lines, mark.line, mark.column, stack[-1][3][1])
                    # (an empty item of a block sequence: both place it alike)
            else:
                value = event.value
        elif kind is mapping_start:
            value = {}
        else:
            value = []
        if not stack:
            root = value
            if kind is scalar_event:
                break
            stack.append([value, (), no_key, None, event.flow_style])
            continue
        frame = stack[-1]
        container = frame[0]
        if type(container) is list:
            where: Path = (*frame[1], len(container))
            values[where] = pos
            container.append(value)
        elif frame[2] is no_key:
            if kind is not scalar_event or type(value) not in _PLAIN_KEYS:
                raise _Fallback  # a complex, float, date... key: ruamel's own str() of it
            if value in container:
                raise _Fallback  # a duplicate key: ruamel's error
            frame[2], frame[3] = value, pos
            continue
        else:
            key = frame[2]
            where = (*frame[1], "None" if key is None else key)  # as `_plain` names it
            keys[where] = frame[3]
            values[where] = pos
            container[key] = value
            frame[2] = no_key
        if kind is not scalar_event:
            stack.append([value, where, no_key, None, event.flow_style])

    end = get()
    if not isinstance(end, libyaml.DocumentEndEvent) or end.explicit:
        raise _Fallback  # `...`
    if not isinstance(get(), libyaml.StreamEndEvent):
        raise _Fallback  # a second document: ruamel's problem
    return Document(path, text, root, values, keys)


def _empty_value_at(lines: list[str], line: int, column: int, key_column: int) -> Pos:
    """Where ruamel places the empty value of `key:` in a block mapping (libyaml: just
    after the colon, 0-based `line` and `column`; `key_column` is the key's, 1-based).

    ruamel places it at the next token: the next non-blank, non-comment character, or
    the end of the text. Only when a comment follows the colon on its line and the next
    token is the mapping's next key does it stay after the colon."""
    if line >= len(lines):
        raise _Fallback
    text = lines[line]
    if column < 1 or text[column - 1 : column] != ":":
        raise _Fallback  # `? key` without a value: not worth copying
    rest = text[column:].lstrip(" ")
    if rest and not rest.startswith("#"):
        raise _Fallback  # libyaml saw an empty value before more text on the line
    for number in range(line + 1, len(lines)):
        content = lines[number].lstrip(" ")
        if content and not content.startswith("#"):
            at = len(lines[number]) - len(content) + 1
            if not rest:
                return (number + 1, at)
            if at == key_column:
                return (line + 1, column + 1)  # the mapping's next key
            if at < key_column:
                return (number + 1, at)  # the mapping ends there
            raise _Fallback
    return (len(lines), len(lines[-1]) + 1)  # the end of the text
