"""The OpenAPI 3.1 document, generated from the declared endpoints.

Every constraint the server checks comes from the pydantic model that checks it: bodies,
queries and path parameters are all models, so a request the document calls valid is one
the server parses (and the other way round), and the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema
from pydantic_core import core_schema

from server.api import UNSAFE_METHODS, Auth, Endpoint, openapi_path
from server.schemas import MAX_INT64, ErrorBody, Strict

_REF = "#/components/schemas/{model}"
_MIN_INT64 = -MAX_INT64 - 1


def _fits_64_bits(json: dict[str, Any]) -> None:
    """What `Strict._fits_64_bits` checks, in JSON Schema: integers, and integers in arrays."""
    if json.get("type") == "integer":
        if "minimum" not in json and "exclusiveMinimum" not in json:
            json["minimum"] = _MIN_INT64
        if "maximum" not in json and "exclusiveMaximum" not in json:
            json["maximum"] = MAX_INT64
    for branch in json.get("anyOf", ()):
        _fits_64_bits(branch)
    if isinstance(json.get("items"), dict):
        _fits_64_bits(json["items"])
    for item in json.get("prefixItems", ()):
        _fits_64_bits(item)


_FITS_64_BITS = getattr(Strict._fits_64_bits, "__func__", None)


class RequestSchema(GenerateJsonSchema):
    """Pydantic's JSON Schema, plus what its plain function validators and the strip of
    whitespace check, which it cannot see by itself."""

    def function_after_schema(self, schema: core_schema.AfterValidatorFunctionSchema) -> Any:
        json = super().function_after_schema(schema)
        function: Callable[..., Any] = schema["function"]["function"]
        if getattr(function, "__func__", None) is _FITS_64_BITS:
            _fits_64_bits(json)
        return json

    def str_schema(self, schema: core_schema.StringSchema) -> Any:
        json = super().str_schema(schema)
        shortest = json.get("minLength", 0)
        stripped = schema.get("strip_whitespace") or self._config.str_strip_whitespace
        if stripped and shortest > 0 and "pattern" not in json:
            # The length is checked after the strip: at least `shortest` characters from
            # the first that is not a space to the last ("\S" is what str.strip() keeps).
            json["pattern"] = r"\S" if shortest == 1 else rf"\S[\s\S]{{{shortest - 2},}}\S"
        return json


def build(endpoints: list[Endpoint], version: str) -> dict[str, Any]:
    bodies: set[type[BaseModel]] = {ErrorBody}
    for e in endpoints:
        bodies.update(m for m in (e.body, e.response) if m is not None)
    models = bodies | {m for e in endpoints for m in (e.query, e.path_model) if m is not None}
    inputs: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (m, "validation") for m in sorted(models, key=lambda m: (m.__name__, m.__module__))
    ]
    # Two models of one name (HistoryQuery in rewards and in chat) get distinct names here;
    # every reference below is the one pydantic made, so each resolves.
    refs, schema = models_json_schema(inputs, ref_template=_REF, schema_generator=RequestSchema)
    components: dict[str, Any] = schema.get("$defs", {})

    def ref(model: type[BaseModel]) -> dict[str, Any]:
        return dict(refs[(model, "validation")])

    def params(model: type[BaseModel], where: str) -> list[dict[str, Any]]:
        name = ref(model)["$ref"].rsplit("/", 1)[1]
        declared = components[name]
        required = set(declared.get("required", ()))
        return [
            {
                "name": field,
                "in": where,
                "required": where == "path" or field in required,
                "schema": _parameter_schema(prop),
                **({"description": prop["description"]} if "description" in prop else {}),
            }
            for field, prop in declared["properties"].items()
        ]

    error = {"content": {"application/json": {"schema": ref(ErrorBody)}}}
    paths: dict[str, dict[str, Any]] = {}
    for e in endpoints:
        path, parameters = openapi_path(e.path)
        if e.path_model is not None:
            typed = {p["name"]: p for p in params(e.path_model, "path")}
            parameters = [typed.get(p["name"], p) for p in parameters]
        if e.query is not None:
            parameters.extend(params(e.query, "query"))
        op: dict[str, Any] = {
            "summary": e.summary,
            "tags": list(e.tags),
            "operationId": f"{e.method.lower()}_{e.handler.__name__}",
            "parameters": parameters,
            "responses": {
                str(e.status): (
                    {
                        "description": "OK",
                        "content": {e.response_media_type: {"schema": ref(e.response)}},
                    }
                    if e.response is not None
                    else {"description": "OK"}
                ),
                "4XX": {"description": "Error", **error},
                "503": {
                    "description": "A dependency (Redis, the database) is down; try again "
                    "after Retry-After seconds",
                    **error,
                },
            },
        }
        if e.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(e.body)}},
            }
        elif e.raw_body:
            op["requestBody"] = {
                "required": True,
                "content": {media_type: {"schema": {}} for media_type in e.raw_body},
            }
        if e.auth is Auth.USER:
            op["security"] = [
                {"session": [], "csrf": []} if e.method in UNSAFE_METHODS else {"session": []},
                {"token": []},
            ]
        if e.roles:
            op["description"] = "Roles: " + ", ".join(sorted(r.value for r in e.roles))
        paths.setdefault(path, {})[e.method.lower()] = op
    # A query or path model is a list of parameters, not a body: out of the components.
    for e in endpoints:
        for model in (e.query, e.path_model):
            if model is not None and model not in bodies:
                components.pop(ref(model)["$ref"].rsplit("/", 1)[1], None)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Plaza API", "version": version},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "plaza_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
                "token": {"type": "http", "scheme": "bearer"},
            },
        },
    }


def _parameter_schema(prop: dict[str, Any]) -> dict[str, Any]:
    """A model field as a parameter's schema. A query string cannot say null: an optional
    parameter is one left out, so `X | None` is just X."""
    schema = {k: v for k, v in prop.items() if k not in ("title", "description")}
    branches = [b for b in schema.get("anyOf", ()) if b.get("type") != "null"]
    if "anyOf" in schema and len(branches) == 1:
        del schema["anyOf"]
        schema.update(branches[0])
    if schema.get("default", 0) is None:
        del schema["default"]
    return schema
