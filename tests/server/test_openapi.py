"""The OpenAPI document says what the models check: parameters from their models, 64-bit
integers, stripped lengths, and every reference resolves."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import Field, ValidationError
from pydantic.json_schema import models_json_schema

from server.app import build_api
from server.openapi import RequestSchema, build
from server.schemas import MAX_INT64, Strict


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build(build_api().endpoints, "test")


def _param(document: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    op = document["paths"][path][method]
    return next(p for p in op["parameters"] if p["name"] == name)


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    text = repr(document)
    refs = set(re.findall(r"'#/components/schemas/([^']+)'", text))
    assert refs and refs <= set(document["components"]["schemas"])


def test_query_parameters_carry_their_models_constraints(document: dict[str, Any]) -> None:
    limit = _param(document, "/api/feed", "get", "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    assert not limit["required"]
    cursor = _param(document, "/api/me/transfers", "get", "before")["schema"]
    assert cursor == {"type": "string", "format": "date-time"}  # no null in a query string
    state = _param(document, "/api/groups/{id}/members", "get", "state")["schema"]
    assert state["enum"] == ["member", "requested", "invited"]
    # The name the model reads (an alias), not the attribute's.
    assert {p["name"] for p in document["paths"]["/api/rulesets/diff"]["get"]["parameters"]} == {
        "from",
        "to",
    }
    # Query models are parameters, not components.
    assert "PageQuery" not in document["components"]["schemas"]


def test_path_parameters(document: dict[str, Any]) -> None:
    post_id = _param(document, "/api/posts/{id}", "get", "id")["schema"]
    assert post_id == {"type": "integer", "minimum": 0, "maximum": MAX_INT64}
    period = _param(document, "/api/leaderboards/{scope}/{period}", "get", "period")["schema"]
    assert period["enum"] == ["day", "week", "month", "quarter", "all"]
    emoji = _param(document, "/api/posts/{id}/reactions/{emoji}", "put", "emoji")["schema"]
    assert "like" in emoji["enum"] and "🔥" in emoji["enum"]


def test_body_integers_fit_64_bits_and_stripped_lengths_count_from_the_first_letter(
    document: dict[str, Any],
) -> None:
    comment = document["components"]["schemas"]["CommentIn"]["properties"]
    parent = next(b for b in comment["parent_id"]["anyOf"] if b.get("type") == "integer")
    assert parent["minimum"] == -MAX_INT64 - 1 and parent["maximum"] == MAX_INT64
    login = document["components"]["schemas"]["LoginBody"]["properties"]
    assert login["password"]["pattern"] == r"\S"  # "   " is stripped to nothing: refused


class Sample(Strict):
    ids: list[int] = Field(default_factory=list)
    word: str = Field(min_length=3, max_length=10)


@pytest.mark.parametrize(
    ("word", "valid"), [("abc", True), (" ab ", False), ("  a c  ", True), ("a\n\nb", True)]
)
def test_the_stripped_length_pattern_agrees_with_the_model(word: str, valid: bool) -> None:
    _, defs = models_json_schema([(Sample, "validation")], schema_generator=RequestSchema)
    properties = defs["$defs"]["Sample"]["properties"]
    assert properties["ids"]["items"]["maximum"] == MAX_INT64
    pattern = properties["word"]["pattern"]
    assert bool(re.search(pattern, word)) is valid
    try:
        Sample(word=word)
        parsed = True
    except ValidationError:
        parsed = False
    assert parsed is valid


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    """The generated TypeScript keys operations by id: a repeated id gives one of the two
    endpoints the other's body and answer (chat's read receipt typed as notifications')."""
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
