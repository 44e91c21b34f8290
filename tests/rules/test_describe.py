"""The language description: true to the code, and docs/rules.md carries it unchanged."""

from __future__ import annotations

from pathlib import Path

import cel
import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from rules.cli import rules_group
from rules.describe import BEGIN, END, FUNCTIONS, LEVELS, describe, markdown, splice
from rules.events import EVENT_TYPES
from rules.model import RulesetFile

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_docs_generated_section_matches_the_description() -> None:
    doc = DOCS.read_text(encoding="utf-8")
    assert BEGIN in doc and END in doc
    assert splice(doc, markdown()) == doc, (
        "docs/rules.md is out of date: run `plaza rules describe --write docs/rules.md`"
    )


def test_the_cli_prints_the_same_markdown() -> None:
    result = CliRunner().invoke(rules_group, ["describe", "--markdown"])
    assert result.exit_code == 0
    assert result.output == markdown()


def test_every_event_type_is_described_with_its_fields() -> None:
    described = {e["type"]: [f["name"] for f in e["fields"]] for e in describe()["events"]}
    assert described == {t: list(fields) for t, fields in EVENT_TYPES.items()}


@pytest.mark.parametrize(("name", "example"), [(f[0], f[3]) for f in FUNCTIONS])
def test_every_function_listed_runs_in_the_cel_runtime(name: str, example: str) -> None:
    assert name in example
    assert cel.compile(example).execute({}) is True


def _models(model: type[BaseModel]) -> set[type[BaseModel]]:
    found = {model}
    for info in model.model_fields.values():
        for inner in _inner(info.annotation):
            found |= _models(inner)
    return found


def _inner(annotation: object) -> list[type[BaseModel]]:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _inner(arg)]


def test_every_mapping_of_the_file_has_a_level() -> None:
    assert _models(RulesetFile) == {model for _, model in LEVELS}


def test_a_level_lists_the_model_keys_with_choices() -> None:
    levels = {tuple(level["path"]): level["keys"] for level in describe()["levels"]}
    limit = {k["key"]: k for k in levels[("rules", "limits")]}
    assert limit["per"]["values"] == ["day", "week", "month", "total"]
    assert limit["max"]["required"] is True
    assert "from" in {k["key"] for k in levels[("rules", "active")]}
