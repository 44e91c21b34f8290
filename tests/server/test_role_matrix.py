"""The role matrix: every route of the app (enumerated from the declared API, which drives
both the routing table and the OpenAPI document) asked by each role, over real HTTP.

- A route restricted to some roles is listed in EXPECTED with exactly those roles, and
  every other role gets 403 there; an employee is refused on every admin and comms route.
- A moderator is let in only where moderation is (or where everyone is).
- A new `/api/admin/...`-like route, or a route that declares roles, with no line in
  EXPECTED fails the test: add its expectation.
- Every other route treats all roles alike (no role gets a 403 another role does not).

SQLite only: this is about the routes, not the database.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.api import Auth, Endpoint
from server.app import build_api
from server.models import Role
from server.openapi import build as build_openapi
from server.settings import Settings
from tests.conftest import LiveServer, base_settings
from tests.helpers import login, make_employee

ROLES = [Role.EMPLOYEE, Role.MANAGER, Role.COMMS, Role.MODERATOR, Role.ADMIN]
EVERYONE = frozenset(ROLES)
ADMIN = frozenset({Role.ADMIN})
COMMS_TEAM = frozenset({Role.COMMS, Role.ADMIN})
MODERATION = frozenset({Role.MODERATOR, Role.ADMIN})
AUDIT_READERS = frozenset({Role.COMMS, Role.MODERATOR, Role.ADMIN})
MANAGERS = frozenset({Role.MANAGER, Role.COMMS, Role.ADMIN})

# "METHOD path" (as declared) -> the roles that may use it.
EXPECTED: dict[str, frozenset[Role]] = {
    # IT admin: people, sessions, HR imports
    "GET /api/admin/employees": ADMIN,
    "PUT /api/admin/employees/{id:int}/role": ADMIN,
    "POST /api/admin/employees/{id:int}/deactivate": ADMIN,
    "POST /api/admin/employees/{id:int}/reactivate": ADMIN,
    "POST /api/admin/employees/{id:int}/sessions/end": ADMIN,
    "POST /api/admin/hr/imports": ADMIN,
    "GET /api/admin/hr/imports": ADMIN,
    "GET /api/admin/hr/imports/{id:int}": ADMIN,
    # The audit log (moderators see its moderation rows)
    "GET /api/admin/audit": AUDIT_READERS,
    "GET /api/admin/audit/status": AUDIT_READERS,
    "POST /api/admin/audit/verify": COMMS_TEAM,
    # Rules
    "POST /api/rulesets/check": COMMS_TEAM,
    "GET /api/admin/contests": COMMS_TEAM,
    "POST /api/admin/contests/dry-run": COMMS_TEAM,
    "GET /api/rulesets": COMMS_TEAM,
    "POST /api/rulesets": COMMS_TEAM,
    "GET /api/rulesets/live": COMMS_TEAM,
    "GET /api/rulesets/audit": COMMS_TEAM,
    "GET /api/rulesets/diff": COMMS_TEAM,
    "GET /api/rulesets/{id:int}": COMMS_TEAM,
    "POST /api/rulesets/{id:int}/test": COMMS_TEAM,
    "POST /api/rulesets/{id:int}/dry-run": COMMS_TEAM,
    "POST /api/rulesets/{id:int}/publish": COMMS_TEAM,
    # Content tools
    "POST /api/audience/count": COMMS_TEAM,
    "GET /api/audience/places": COMMS_TEAM,
    "GET /api/segments": COMMS_TEAM,
    "POST /api/segments": COMMS_TEAM,
    "POST /api/channels": COMMS_TEAM,
    "PATCH /api/channels/{id:int}": COMMS_TEAM,
    # Rewards admin
    "POST /api/admin/grants": COMMS_TEAM,
    "PUT /api/admin/wheel": COMMS_TEAM,
    "POST /api/admin/prizes/{id}/stock": COMMS_TEAM,
    "PUT /api/admin/shop/items/{id}": COMMS_TEAM,
    "GET /api/admin/redemptions": COMMS_TEAM,
    "POST /api/admin/redemptions/{id}/decision": COMMS_TEAM,
    "GET /api/admin/abuse/rings": COMMS_TEAM,
    "POST /api/employees/{id:int}/badges": MANAGERS,
    "POST /api/gifts": MANAGERS,
    "GET /api/me/allowance": MANAGERS,
    # Moderation
    "GET /api/archive": MODERATION,
    "GET /api/moderation/chat-archive": MODERATION,
    "GET /api/moderation/queue": MODERATION,
    "POST /api/moderation/cases/{id:int}/actions": MODERATION,
    "GET /api/moderation/words": MODERATION,
    "POST /api/moderation/words": MODERATION,
    "PATCH /api/moderation/words/{id:int}": MODERATION,
    "DELETE /api/moderation/words/{id:int}": MODERATION,
    "POST /api/moderation/words/test": MODERATION,
    # Content tools
    "PATCH /api/segments/{id:int}": COMMS_TEAM,
    "DELETE /api/segments/{id:int}": COMMS_TEAM,
    "GET /api/content/pinned": COMMS_TEAM,
    "GET /api/content/digest": COMMS_TEAM,
    "PUT /api/content/digest": COMMS_TEAM,
    "GET /api/content/confirmations": COMMS_TEAM,
    "GET /api/content/confirmations/{id:int}": COMMS_TEAM,
    "GET /api/scheduled": COMMS_TEAM,
    "POST /api/scheduled": COMMS_TEAM,
    "PATCH /api/scheduled/{id:int}": COMMS_TEAM,
    "DELETE /api/scheduled/{id:int}": COMMS_TEAM,
    # Rewards admin
    "GET /api/admin/prizes": COMMS_TEAM,
    "GET /api/admin/shop/items": COMMS_TEAM,
    "GET /api/admin/allowances": COMMS_TEAM,
    "PUT /api/admin/allowances": COMMS_TEAM,
    "PUT /api/admin/allowances/managers/{id:int}": COMMS_TEAM,
    "GET /api/admin/rewards/audit": COMMS_TEAM,
    # Analytics
    "GET /api/analytics/summary": COMMS_TEAM,
    "GET /api/analytics/series": COMMS_TEAM,
    "GET /api/analytics/breakdown": COMMS_TEAM,
    "GET /api/analytics/breakdown.csv": COMMS_TEAM,
    "GET /api/analytics/goals": COMMS_TEAM,
    "PUT /api/analytics/goals": COMMS_TEAM,
    "DELETE /api/analytics/goals": COMMS_TEAM,
    "GET /api/analytics/rewards": COMMS_TEAM,
    "GET /api/analytics/posts": COMMS_TEAM,
    "GET /api/analytics/posts.csv": COMMS_TEAM,
    "GET /api/analytics/rewards.csv": COMMS_TEAM,
    # The rule editor and the wheel editor
    "GET /api/rulesets/language": COMMS_TEAM,
    "POST /api/rulesets/{id:int}/dry-runs": COMMS_TEAM,
    "GET /api/rulesets/dry-runs/{job}": COMMS_TEAM,
    "DELETE /api/rulesets/dry-runs/{job}": COMMS_TEAM,
    "POST /api/admin/wheel/check": COMMS_TEAM,
    "GET /api/admin/wheel": COMMS_TEAM,
    "GET /api/admin/wheel/history": COMMS_TEAM,
    "GET /api/admin/wheel/diff": COMMS_TEAM,
    "GET /api/admin/wheel/versions/{id:int}": COMMS_TEAM,
    "POST /api/admin/wheel/versions/{id:int}/publish": COMMS_TEAM,
    # Personal data
    "GET /api/admin/employees/{id:int}/export": ADMIN,
    "POST /api/admin/employees/{id:int}/anonymise": ADMIN,
    # Courses: a store's progress (directors: their own store), writing courses (comms)
    "GET /api/courses/{id:int}/progress": MANAGERS,
    "GET /api/admin/courses": COMMS_TEAM,
    "POST /api/admin/courses": COMMS_TEAM,
    "GET /api/admin/courses/{id:int}": COMMS_TEAM,
    "PATCH /api/admin/courses/{id:int}": COMMS_TEAM,
    "POST /api/admin/courses/{id:int}/publish": COMMS_TEAM,
    "POST /api/admin/courses/{id:int}/unpublish": COMMS_TEAM,
    "POST /api/admin/courses/{id:int}/lessons": COMMS_TEAM,
    "PATCH /api/admin/courses/{id:int}/lessons/{lesson_id:int}": COMMS_TEAM,
    "DELETE /api/admin/courses/{id:int}/lessons/{lesson_id:int}": COMMS_TEAM,
    "POST /api/admin/courses/{id:int}/questions": COMMS_TEAM,
    "PATCH /api/admin/courses/{id:int}/questions/{qid:int}": COMMS_TEAM,
    "DELETE /api/admin/courses/{id:int}/questions/{qid:int}": COMMS_TEAM,
    "POST /api/admin/courses/{id:int}/assignments": COMMS_TEAM,
    "DELETE /api/admin/courses/{id:int}/assignments/{aid:int}": COMMS_TEAM,
    "POST /api/admin/courses/{id:int}/preview-markdown": COMMS_TEAM,
}

# Paths that are admin or comms areas: every route here needs a line in EXPECTED.
ADMIN_LIKE = re.compile(
    r"^/api/(admin|moderation|rulesets|comms|analytics|audience|segments|backups?|content"
    r"|scheduled)(/|$)"
)
# Where a moderator may be let in while an employee is not.
MODERATION_PATHS = re.compile(r"^/api/(moderation|archive|admin/audit|admin/moderation)(/|$)")

# Routes that do not take part in the HTTP sweep: they sign in or out (the sweep's own
# sessions would end) or need no credentials at all. Their roles are checked statically.
NOT_SWEPT = re.compile(r"^/api/auth/")


def _endpoints() -> list[Endpoint]:
    return build_api().endpoints


def _key(endpoint: Endpoint) -> str:
    return f"{endpoint.method} {endpoint.path}"


def _allowed(endpoint: Endpoint) -> frozenset[Role]:
    return EXPECTED.get(_key(endpoint), EVERYONE)


def test_every_restricted_or_admin_like_route_has_an_expectation() -> None:
    missing = [
        _key(e)
        for e in _endpoints()
        if (e.roles or ADMIN_LIKE.match(e.path)) and _key(e) not in EXPECTED
    ]
    assert missing == [], f"add these routes to EXPECTED in {__file__}: {missing}"
    stale = set(EXPECTED) - {_key(e) for e in _endpoints()}
    assert stale == set(), f"EXPECTED names routes that no longer exist: {sorted(stale)}"


def test_declared_roles_are_the_expected_ones() -> None:
    wrong = {
        _key(e): sorted(e.roles)
        for e in _endpoints()
        if _key(e) in EXPECTED and frozenset(e.roles) != EXPECTED[_key(e)]
    }
    assert wrong == {}


def test_admin_like_routes_refuse_employees_and_moderators_only_moderate() -> None:
    for endpoint in _endpoints():
        allowed = _allowed(endpoint)
        if ADMIN_LIKE.match(endpoint.path):
            assert Role.EMPLOYEE not in allowed, _key(endpoint)
            assert endpoint.auth is Auth.USER, _key(endpoint)
        if Role.MODERATOR in allowed and allowed != EVERYONE:
            assert MODERATION_PATHS.match(endpoint.path), (
                f"a moderator is let into {_key(endpoint)}, which is not moderation"
            )


_CONVERTER = re.compile(r"{(\w+):\w+}")


def test_the_openapi_document_lists_the_same_routes() -> None:
    endpoints = _endpoints()
    document = build_openapi(endpoints, "test")
    listed = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    declared = {e.method + " " + _CONVERTER.sub(r"{\1}", e.path) for e in endpoints}
    assert declared <= listed


# -- the HTTP sweep ------------------------------------------------------------------------


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "plaza.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite://{path}"


@pytest.fixture
def settings(tmp_path: Path, redis_socket: Path, database_url: str) -> Settings:
    # Hundreds of writes a minute from each role's one session.
    return base_settings(tmp_path, redis_socket, database_url, writes_per_minute=100_000)


@pytest.fixture
async def signed_in(live: LiveServer) -> AsyncIterator[dict[Role, httpx.AsyncClient]]:
    clients: dict[Role, httpx.AsyncClient] = {}
    try:
        for role in ROLES:
            await make_employee(f"{role.value}@example.com", role=role)
            client = httpx.AsyncClient(base_url=live.url, timeout=30)
            clients[role] = client
            assert (await login(client, f"{role.value}@example.com")).status_code == 200
        yield clients
    finally:
        for client in clients.values():
            await client.aclose()


def _url(path: str) -> str:
    # Ids of nothing: an allowed role gets 404 (or 422), never a change to real data.
    path = re.sub(r"{\w+:int}", "999999", path)
    return re.sub(r"{\w+}", "nothing-here", path)


async def _ask(client: httpx.AsyncClient, endpoint: Endpoint) -> httpx.Response:
    kwargs: dict[str, Any] = {}
    if endpoint.method in {"POST", "PUT", "PATCH"}:
        kwargs["json"] = {}
    return await client.request(endpoint.method, _url(endpoint.path), **kwargs)


def _refused(response: httpx.Response) -> bool:
    if response.status_code != 403:
        return False
    return response.json().get("error") == "forbidden"


async def test_each_role_gets_the_expected_answer_on_every_route(
    signed_in: dict[Role, httpx.AsyncClient],
) -> None:
    wrong: list[str] = []
    swept = 0
    for endpoint in _endpoints():
        if endpoint.auth is not Auth.USER or NOT_SWEPT.match(endpoint.path):
            continue
        swept += 1
        allowed = _allowed(endpoint)
        answers = {role: await _ask(signed_in[role], endpoint) for role in ROLES}
        for role, response in answers.items():
            assert response.status_code < 500, (_key(endpoint), role, response.text)
            if response.status_code == 401:
                wrong.append(f"{_key(endpoint)} as {role}: signed out ({response.text})")
        if allowed == EVERYONE:
            # Open to all: whatever the answer, it does not depend on the role.
            refused = {role for role, r in answers.items() if _refused(r)}
            if refused and refused != EVERYONE:
                wrong.append(f"{_key(endpoint)}: refused only to {sorted(refused)}")
            continue
        for role, response in answers.items():
            if _refused(response) == (role in allowed):
                wrong.append(f"{_key(endpoint)} as {role}: {response.status_code}")
    assert swept > 100
    assert wrong == [], "\n".join(wrong)
