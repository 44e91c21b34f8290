"""Registration, sign-in, sign-out and API tokens."""

from __future__ import annotations

from server.auth import sessions, throttle
from server.auth.passwords import PasswordPolicy, hash_password, needs_rehash, verify_password
from server.caching import invalidate
from server.context import Ctx
from server.errors import ApiError
from server.i18n import translate
from server.models import Employee


def policy(ctx: Ctx) -> PasswordPolicy:
    settings = ctx.services.settings
    return PasswordPolicy(settings.password_min_length, settings.password_min_classes)


def check_password(ctx: Ctx, password: str, email: str) -> None:
    problems = policy(ctx).problems(password, email)
    if problems:
        reasons = [translate(ctx.locale, key, **params) for key, params in problems]
        raise ApiError(
            422,
            "weak_password",
            reasons="; ".join(reasons),
            extra={"reasons": [key.removeprefix("password.") for key, _ in problems]},
        )


async def register(ctx: Ctx, email: str, password: str, name: str) -> Employee:
    settings = ctx.services.settings
    email = email.strip().lower()
    existing = await Employee.get_or_none(email=email)
    if existing is not None and existing.password_hash:
        raise ApiError(409, "already_registered")
    if existing is not None and not existing.is_active:
        raise ApiError(403, "account_dismissed")
    domain = email.rsplit("@", 1)[-1]
    if domain not in settings.email_domains and not (existing and existing.hr_listed):
        raise ApiError(
            403,
            "email_not_allowed",
            email=email,
            domains=", ".join(settings.email_domains) or "-",
        )
    check_password(ctx, password, email)
    if existing is None:
        employee = await Employee.create(
            email=email, name=name, locale=ctx.locale, password_hash=hash_password(password)
        )
    else:
        # The HR list is the source of the name; the form's name is kept only if HR had none.
        existing.password_hash = hash_password(password)
        existing.name = existing.name or name
        await existing.save(update_fields=["password_hash", "name", "updated_at"])
        await invalidate(ctx.services.redis, ctx.services.keys, employees=[existing.id])
        employee = existing
    await sign_in(ctx, employee)
    keys = ctx.services.keys
    await ctx.services.enqueue(
        "send_welcome_mail", employee.id, job_id=keys.job_id("welcome", employee.id)
    )
    return employee


async def login(ctx: Ctx, email: str, password: str) -> Employee:
    email = email.strip().lower()
    employee = await Employee.get_or_none(email=email)
    device = throttle.known_device(ctx, employee.id if employee else None)
    await throttle.check_login_allowed(ctx, email, device)
    if employee is None or not verify_password(employee.password_hash, password):
        await throttle.record_login_failure(ctx, email, device)
        raise ApiError(401, "invalid_credentials")
    if not employee.is_active:
        raise ApiError(403, "account_dismissed")
    await throttle.record_login_success(ctx, email, device)
    if employee.password_hash and needs_rehash(employee.password_hash):
        employee.password_hash = hash_password(password)
        await employee.save(update_fields=["password_hash"])
    await sign_in(ctx, employee)
    return employee


async def sign_in(ctx: Ctx, employee: Employee) -> None:
    """Start a new session: always a fresh id, and the one the browser had is ended, so a
    session id planted before sign-in (session fixation) is worthless after it."""
    settings = ctx.services.settings
    old = ctx.request.cookies.get(sessions.SESSION_COOKIE)
    if old:
        await sessions.revoke_session_token(old)
        await invalidate(ctx.services.redis, ctx.services.keys, tokens=[sessions.digest(old)])
    request = ctx.request
    token = await sessions.create_session(
        employee, settings, ctx.ip, request.headers.get("user-agent", "")
    )
    ctx.set_cookies.extend(sessions.session_cookies(settings, token))
    ctx.set_cookies.append(throttle.device_cookie(settings, employee.id))
    ctx.user, ctx.via = employee, "session"
    ctx.new_csrf = sessions.csrf_token(settings, sessions.digest(token))


async def logout(ctx: Ctx) -> None:
    token = ctx.request.cookies.get(sessions.SESSION_COOKIE)
    if token:
        await sessions.revoke_session_token(token)
        await invalidate(ctx.services.redis, ctx.services.keys, tokens=[sessions.digest(token)])
    ctx.delete_cookies.extend([sessions.SESSION_COOKIE, sessions.CSRF_COOKIE])
