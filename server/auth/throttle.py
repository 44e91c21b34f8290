"""Rate limits in Redis: failed sign-ins and writes.

Sign-in failures are counted per (account, IP), per IP and per account. A plain per-account
lock-out would let anyone lock a colleague out by typing wrong passwords for them, so a
browser that has signed in to the account before carries a signed device cookie: it is
judged only by its own failures, never by the account's or the IP's (OWASP "device
cookies"). An attacker can thus slow down unknown browsers, but not the real user.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import TYPE_CHECKING, Any

from server.context import Ctx
from server.errors import ApiError
from server.metrics import LOGINS

if TYPE_CHECKING:
    from server.settings import Settings

DEVICE_COOKIE = "plaza_device"


def _account(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]


def _device_mac(settings: Settings, employee_id: int, nonce: str) -> str:
    msg = f"device:{employee_id}:{nonce}".encode()
    return hmac.new(settings.secret().encode(), msg, "sha256").hexdigest()[:32]


def device_cookie(settings: Settings, employee_id: int) -> dict[str, Any]:
    nonce = secrets.token_urlsafe(12)
    value = f"{employee_id}.{nonce}.{_device_mac(settings, employee_id, nonce)}"
    return {
        "key": DEVICE_COOKIE,
        "value": value,
        "httponly": True,
        "samesite": "lax",
        "secure": settings.cookie_secure,
        "max_age": 365 * 86400,
        "path": "/",
    }


def known_device(ctx: Ctx, employee_id: int | None) -> str | None:
    """The device id if the request carries a valid device cookie for this employee."""
    raw = ctx.request.cookies.get(DEVICE_COOKIE, "")
    parts = raw.split(".")
    if employee_id is None or len(parts) != 3 or parts[0] != str(employee_id):
        return None
    expected = _device_mac(ctx.services.settings, employee_id, parts[1])
    return parts[1] if hmac.compare_digest(parts[2], expected) else None


def _scopes(ctx: Ctx, email: str, device: str | None) -> list[tuple[str, int]]:
    keys, settings = ctx.services.keys, ctx.services.settings
    account = _account(email)
    if device is not None:
        return [(keys.login_failures("device", device), settings.login_failures_per_account_ip)]
    return [
        (
            keys.login_failures("acct_ip", f"{account}:{ctx.ip}"),
            settings.login_failures_per_account_ip,
        ),
        (keys.login_failures("ip", ctx.ip), settings.login_failures_per_ip),
        (keys.login_failures("acct", account), settings.login_failures_per_account),
    ]


async def check_login_allowed(ctx: Ctx, email: str, device: str | None) -> None:
    redis = ctx.services.redis
    scopes = _scopes(ctx, email, device)
    async with redis.pipeline(transaction=False) as pipe:
        for key, _ in scopes:
            pipe.get(key)
            pipe.ttl(key)
        values = await pipe.execute()
    for index, (_, limit) in enumerate(scopes):
        count, ttl = values[2 * index], values[2 * index + 1]
        if count is not None and int(count) >= limit:
            LOGINS.labels("throttled").inc()
            wait = max(int(ttl), 1)
            raise ApiError(
                429,
                "too_many_requests",
                detail_key="error.too_many_login_attempts",
                seconds=wait,
                headers={"Retry-After": str(wait)},
            )


async def record_login_failure(ctx: Ctx, email: str, device: str | None) -> None:
    window = ctx.services.settings.login_window_seconds
    async with ctx.services.redis.pipeline(transaction=False) as pipe:
        for key, _ in _scopes(ctx, email, device):
            pipe.incr(key)
            pipe.expire(key, window, nx=True)
        await pipe.execute()
    LOGINS.labels("failed").inc()


async def record_login_success(ctx: Ctx, email: str, device: str | None) -> None:
    keys = ctx.services.keys
    await ctx.services.redis.delete(
        keys.login_failures("acct_ip", f"{_account(email)}:{ctx.ip}"),
        *([keys.login_failures("device", device)] if device else []),
    )
    LOGINS.labels("ok").inc()


async def check_write_rate(ctx: Ctx) -> None:
    if ctx.user is None:
        return
    limit = ctx.services.settings.writes_per_minute
    minute = int(time.time() // 60)
    key = ctx.services.keys.writes(str(ctx.user.id), minute)
    async with ctx.services.redis.pipeline(transaction=False) as pipe:
        pipe.incr(key)
        pipe.expire(key, 120, nx=True)
        count, _ = await pipe.execute()
    if int(count) > limit:
        wait = 60 - int(time.time() % 60)
        raise ApiError(429, "too_many_requests", seconds=wait, headers={"Retry-After": str(wait)})
