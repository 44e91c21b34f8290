"""Pydantic validation whose errors point at YAML lines and columns."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from rules.errors import Problem
from rules.model import RulesetFile
from rules.source import Document, Path


def validate(doc: Document) -> tuple[RulesetFile | None, list[Problem]]:
    try:
        return RulesetFile.model_validate(doc.data), []
    except ValidationError as exc:
        return None, [_problem(doc, error) for error in exc.errors()]


def _problem(doc: Document, error: Any) -> Problem:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind = error["type"]
    if loc and loc[-1] == "[key]":  # a bad mapping key: point at the key itself
        return doc.problem(loc[:-1], f"{_dotted(loc[:-1])}: {error['msg']}", key=True)
    if kind == "extra_forbidden":
        allowed = ", ".join(_allowed_keys(loc[:-1]))
        return doc.problem(loc, f"unknown key {loc[-1]!r} (allowed: {allowed})", key=True)
    if kind == "missing":
        where = f" in {_dotted(loc[:-1])}" if loc[:-1] else ""
        return doc.problem(loc[:-1], f"missing key {loc[-1]!r}{where}")
    message = str(error["msg"]).removeprefix("Value error, ").replace("Input should", "should")
    if kind.endswith("_type") and "input" in error:
        message += f", got {_kind(error['input'])}"
    if kind in ("model_type", "dict_type") and isinstance(error.get("input"), list):
        message = "expected a mapping (key: value), got a list"
    return doc.problem(loc, f"{_dotted(loc)}: {message}")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{value!r} ({type(value).__name__})"


def _dotted(loc: Path) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _allowed_keys(loc: Path) -> list[str]:
    """The keys the model accepts at `loc`, found by walking the type annotations."""
    annotation: Any = RulesetFile
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    model = _model_of(annotation)
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _step(annotation: Any, part: str | int) -> Any:
    model = _model_of(annotation)
    if model is not None:
        for name, field in model.model_fields.items():
            if part in (name, field.alias):
                return field.annotation
        return None
    for arg in _members(annotation):
        origin = typing.get_origin(arg)
        if origin is list and isinstance(part, int):
            return typing.get_args(arg)[0]
        if origin is dict and isinstance(part, str):
            return typing.get_args(arg)[1]
    return None


def _members(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for arg in _members(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None
