"""Schemathesis checks of our own (loaded through SCHEMATHESIS_HOOKS by test_schemathesis.py)."""

from __future__ import annotations

import schemathesis


@schemathesis.check
def parsed_as_declared(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """A request the document calls valid passes the server's parsing: its 422s that list
    `fields` come from the pydantic models (server/api.py `validation_error`), so one here
    is a constraint the document does not declare. A 422 without them is a rule about the
    data itself (an unknown employee, an end before the start), which no schema can say."""
    if response.status_code != 422:
        return None
    body = response.json()
    if isinstance(body, dict) and body.get("fields"):
        raise AssertionError(f"A schema-valid request failed to parse: {body['fields']}")
    return None
