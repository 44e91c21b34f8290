"""The OpenAPI 3.1 document, generated from the declared endpoints."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from server.api import UNSAFE_METHODS, Auth, Endpoint, openapi_path
from server.schemas import ErrorBody

_REF = "#/components/schemas/{model}"


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def build(endpoints: list[Endpoint], version: str) -> dict[str, Any]:
    models: set[type[BaseModel]] = {ErrorBody}
    for e in endpoints:
        models.update(m for m in (e.body, e.response) if m is not None)
    _, schema = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)], ref_template=_REF
    )
    error = {"content": {"application/json": {"schema": _ref(ErrorBody)}}}
    paths: dict[str, dict[str, Any]] = {}
    for e in endpoints:
        path, params = openapi_path(e.path)
        if e.query is not None:
            for name, info in e.query.model_fields.items():
                params.append(
                    {
                        "name": name,
                        "in": "query",
                        "required": info.is_required(),
                        "schema": {"type": _json_type(info.annotation)},
                    }
                )
        op: dict[str, Any] = {
            "summary": e.summary,
            "tags": list(e.tags),
            "operationId": f"{e.method.lower()}_{e.handler.__name__}",
            "parameters": params,
            "responses": {
                str(e.status): (
                    {
                        "description": "OK",
                        "content": {e.response_media_type: {"schema": _ref(e.response)}},
                    }
                    if e.response is not None
                    else {"description": "OK"}
                ),
                "4XX": {"description": "Error", **error},
            },
        }
        if e.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _ref(e.body)}},
            }
        elif e.raw_body is not None:
            op["requestBody"] = {"required": True, "content": {e.raw_body: {"schema": {}}}}
        if e.auth is Auth.USER:
            op["security"] = [
                {"session": [], "csrf": []} if e.method in UNSAFE_METHODS else {"session": []},
                {"token": []},
            ]
        if e.roles:
            op["description"] = "Roles: " + ", ".join(sorted(r.value for r in e.roles))
        paths.setdefault(path, {})[e.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Plaza API", "version": version},
        "paths": paths,
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "plaza_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
                "token": {"type": "http", "scheme": "bearer"},
            },
        },
    }


def _json_type(annotation: object) -> str:
    names: dict[object, str] = {bool: "boolean", int: "integer", float: "number"}
    return names.get(annotation, "string")
