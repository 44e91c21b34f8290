"""Who is calling: server-side sessions in an HttpOnly cookie, or a personal API token.

Both are stored as SHA-256 hashes. A web process keeps credentials it has checked in its
read cache (`server/caching.py`); ending a session, revoking a token, dismissing or changing
an employee drops them everywhere, so the change takes effect on the very next request.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from tortoise.models import Model

from server.community.sql import fetch
from server.context import Ctx
from server.errors import ApiError
from server.models import ApiToken, Employee, Session

if TYPE_CHECKING:
    from server.caching import ReadCaches
    from server.settings import Settings

SESSION_COOKIE = "plaza_session"
CSRF_COOKIE = "plaza_csrf"
CSRF_HEADER = "x-csrf-token"
TOKEN_PREFIX = "plz_"  # noqa: S105 - a visible prefix, not a secret
# last_seen_at is written at most this often, so that reads do not turn into writes.
_TOUCH_EVERY = timedelta(seconds=60)


def now() -> datetime:
    return datetime.now(UTC)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(settings: Settings, session_token_hash: str) -> str:
    """The CSRF token is bound to the session, so a token from one session fails in another."""
    mac = hmac.new(settings.secret().encode(), f"csrf:{session_token_hash}".encode(), "sha256")
    return mac.hexdigest()


def session_cookies(settings: Settings, token: str) -> list[dict[str, Any]]:
    common = {"path": "/", "samesite": "lax", "secure": settings.cookie_secure}
    max_age = settings.session_absolute_days * 86400
    return [
        {"key": SESSION_COOKIE, "value": token, "httponly": True, "max_age": max_age, **common},
        {
            "key": CSRF_COOKIE,
            "value": csrf_token(settings, digest(token)),
            "httponly": False,  # the web app reads it and echoes it in X-CSRF-Token
            "max_age": max_age,
            **common,
        },
    ]


async def create_session(employee: Employee, settings: Settings, ip: str, agent: str) -> str:
    token = new_token()
    moment = now()
    await Session.create(
        token_hash=digest(token),
        employee=employee,
        created_at=moment,
        last_seen_at=moment,
        expires_at=moment + timedelta(days=settings.session_absolute_days),
        ip=ip[:64],
        user_agent=agent[:300],
    )
    return token


async def revoke_session_token(token: str) -> None:
    await Session.filter(token_hash=digest(token), revoked_at=None).update(revoked_at=now())


async def revoke_all(employee_id: int, *, tokens: bool) -> int:
    """End every session (and, if asked, every API token) of an employee; returns sessions ended."""
    moment = now()
    ended = await Session.filter(employee_id=employee_id, revoked_at=None).update(revoked_at=moment)
    if tokens:
        await ApiToken.filter(employee_id=employee_id, revoked_at=None).update(revoked_at=moment)
    return ended


def _check_employee(employee: Employee) -> None:
    if not employee.is_active:
        raise ApiError(403, "account_dismissed")


async def authenticate(ctx: Ctx) -> None:
    """Fill ctx.user from a Bearer token or the session cookie. A credential that was sent but
    no longer works is an error (401/403), not an anonymous request: the client must know."""
    header = ctx.request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        await _from_token(ctx, header[7:].strip())
        return
    token = ctx.request.cookies.get(SESSION_COOKIE)
    if token:
        await _from_session(ctx, token)


M = TypeVar("M", bound=Model)


@functools.cache
def _columns(model: type[Model], alias: str) -> str:
    return ", ".join(
        f'{alias}."{column}" AS {alias}__{column}'
        for column in model._meta.fields_db_projection.values()
    )


def _instance(model: type[M], alias: str, row: dict[str, Any]) -> M:
    prefix = f"{alias}__"
    return model._init_from_db(
        **{k.removeprefix(prefix): v for k, v in row.items() if k.startswith(prefix)}
    )


@dataclass
class _Credential:
    """A credential row and its employee's row, as read from the database (cached)."""

    model: type[Model]
    employee_id: int
    row: dict[str, Any]


async def _with_employee(
    model: type[M], token_hash: str, caches: ReadCaches | None = None
) -> M | None:
    """The credential row and its employee in one raw statement: every authenticated request
    does this, and the ORM's select_related spent ~0.6 ms of Python building the query.
    With `caches` the rows come from this process's cache when they are there; every change
    of a credential or an employee drops them (`server/caching.py`)."""
    entry = caches.auth.get(token_hash) if caches is not None else None
    if entry is None or entry.model is not model:
        started = caches.auth.begin() if caches is not None else 0.0
        columns = f"{_columns(model, 'c')}, {_columns(Employee, 'e')}"
        rows = await fetch(
            f"SELECT {columns} FROM {model._meta.db_table} c "  # noqa: S608 - no values
            "JOIN employee e ON e.id = c.employee_id WHERE c.token_hash = ?",
            [token_hash],
        )
        if not rows:
            return None
        entry = _Credential(model, int(rows[0]["e__id"]), rows[0])
        if caches is not None:
            caches.auth.put(token_hash, entry, started)
    credential = _instance(model, "c", entry.row)
    object.__setattr__(credential, "_employee", _instance(Employee, "e", entry.row))
    object.__setattr__(credential, "_cached_row", entry.row)
    return credential


def _touched(credential: Model, column: str, moment: datetime) -> None:
    """Keep the cached row's `last_seen_at`/`last_used_at` in step with the database."""
    row = getattr(credential, "_cached_row", None)
    if row is not None:
        row[f"c__{column}"] = moment


async def employee_for_api_token(token: str, caches: ReadCaches | None = None) -> Employee:
    """The active employee behind a personal API token, or ApiError (401/403)."""
    row = await _with_employee(ApiToken, digest(token), caches)
    if row is None:
        raise ApiError(401, "not_authenticated")
    _check_employee(row.employee)
    if row.revoked_at is not None:
        raise ApiError(401, "session_expired")
    moment = now()
    if row.last_used_at is None or moment - row.last_used_at > _TOUCH_EVERY:
        await ApiToken.filter(id=row.id).update(last_used_at=moment)
        _touched(row, "last_used_at", moment)
    return row.employee


async def _from_token(ctx: Ctx, token: str) -> None:
    employee = await employee_for_api_token(token, ctx.services.caches)
    ctx.user, ctx.via = employee, "token"


async def session_for_cookie(
    token: str, settings: Settings, caches: ReadCaches | None = None
) -> Session:
    """The live session (with its active employee) behind a session cookie, or ApiError."""
    row = await _with_employee(Session, digest(token), caches)
    moment = now()
    idle = timedelta(minutes=settings.session_idle_minutes)
    if row is not None and caches is not None and moment - row.last_seen_at >= idle:
        # Another process may have seen the session since this one cached it: ask the
        # database before calling it idle.
        caches.auth.drop(row.token_hash)
        row = await _with_employee(Session, row.token_hash, caches)
    if row is None:
        raise ApiError(401, "session_expired")
    _check_employee(row.employee)
    if row.revoked_at is not None or moment >= row.expires_at or moment - row.last_seen_at >= idle:
        raise ApiError(401, "session_expired")
    if moment - row.last_seen_at > _TOUCH_EVERY:
        await Session.filter(id=row.id).update(last_seen_at=moment)
        _touched(row, "last_seen_at", moment)
    return row


async def _from_session(ctx: Ctx, token: str) -> None:
    try:
        row = await session_for_cookie(token, ctx.services.settings, ctx.services.caches)
    except ApiError as exc:
        if exc.code == "session_expired":
            ctx.delete_cookies.append(SESSION_COOKIE)
        raise
    ctx.user, ctx.session, ctx.via = row.employee, row, "session"


def check_csrf(ctx: Ctx) -> None:
    if ctx.session is None:
        return
    sent = ctx.request.headers.get(CSRF_HEADER, "")
    expected = csrf_token(ctx.services.settings, ctx.session.token_hash)
    if not sent or not hmac.compare_digest(sent, expected):
        raise ApiError(403, "csrf_failed")


async def create_api_token(employee: Employee, name: str) -> tuple[ApiToken, str]:
    token = TOKEN_PREFIX + new_token()
    row = await ApiToken.create(
        token_hash=digest(token), prefix=token[:10], name=name, employee=employee
    )
    return row, token
