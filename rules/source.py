"""YAML text -> plain data plus the line and column of every key and value.

YAML 1.2 through ruamel's round-trip parser (so `on:` and `NO` stay strings), with
anchors, aliases and tags refused before anything is built: an alias bomb of a few
hundred bytes expands to gigabytes, and a tag is the door to constructing objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, DocumentStartEvent, NodeEvent

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
