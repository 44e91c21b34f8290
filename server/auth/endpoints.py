"""/api/auth, /api/me, /api/tokens and the admin's session controls."""

from __future__ import annotations

from starlette.responses import Response
from tortoise.transactions import in_transaction

from server import audit
from server.api import Api, Auth, Ctx
from server.auth import service, sessions
from server.auth.passwords import MAX_LENGTH
from server.auth.schemas import (
    EndSessions,
    LoginBody,
    RegisterBody,
    SessionsEnded,
    SignedIn,
    SignUpPolicy,
    TokenCreate,
    TokenCreated,
    TokenList,
    TokenOut,
)
from server.caching import invalidate
from server.errors import not_found
from server.models import ApiToken, Employee, Role
from server.people import announce_access_change, employee_out
from server.schemas import EmployeeOut

api = Api()


async def _signed_in(ctx: Ctx) -> SignedIn:
    assert ctx.new_csrf is not None
    return SignedIn(me=await employee_out(ctx.me), csrf_token=ctx.new_csrf)


@api.route(
    "POST",
    "/api/auth/register",
    summary="Register with a company e-mail or an HR-listed one",
    tags=["auth"],
    body=RegisterBody,
    response=SignedIn,
    status=201,
    auth=Auth.NONE,
)
async def register(ctx: Ctx, body: RegisterBody) -> SignedIn:
    await service.register(ctx, body.email, body.password, body.name)
    return await _signed_in(ctx)


@api.route(
    "GET",
    "/api/auth/policy",
    summary="Who may register and the password policy (for the sign-up form)",
    tags=["auth"],
    response=SignUpPolicy,
    auth=Auth.NONE,
)
async def signup_policy(ctx: Ctx) -> SignUpPolicy:
    settings = ctx.services.settings
    return SignUpPolicy(
        email_domains=list(settings.email_domains),
        hr_list=True,
        password_min_length=settings.password_min_length,
        password_max_length=MAX_LENGTH,
        password_min_classes=settings.password_min_classes,
    )


@api.route(
    "POST",
    "/api/auth/login",
    summary="Sign in; sets the session and CSRF cookies",
    tags=["auth"],
    body=LoginBody,
    response=SignedIn,
    auth=Auth.NONE,
)
async def login(ctx: Ctx, body: LoginBody) -> SignedIn:
    await service.login(ctx, body.email, body.password)
    return await _signed_in(ctx)


@api.route(
    "POST",
    "/api/auth/logout",
    summary="Sign out: ends this session",
    tags=["auth"],
    auth=Auth.OPTIONAL,
    status=204,
)
async def logout(ctx: Ctx) -> Response:
    await service.logout(ctx)
    return Response(status_code=204)


@api.route(
    "GET", "/api/me", summary="The signed-in employee", tags=["people"], response=EmployeeOut
)
async def me(ctx: Ctx) -> EmployeeOut:
    return await employee_out(ctx.me)


def _token_out(row: ApiToken) -> TokenOut:
    return TokenOut(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
    )


@api.route(
    "POST",
    "/api/tokens",
    summary="Create a personal API token (shown once)",
    tags=["auth"],
    body=TokenCreate,
    response=TokenCreated,
    status=201,
)
async def create_token(ctx: Ctx, body: TokenCreate) -> TokenCreated:
    row, token = await sessions.create_api_token(ctx.me, body.name)
    return TokenCreated(**_token_out(row).model_dump(), token=token)


@api.route("GET", "/api/tokens", summary="My API tokens", tags=["auth"], response=TokenList)
async def list_tokens(ctx: Ctx) -> TokenList:
    rows = await ApiToken.filter(employee_id=ctx.me.id, revoked_at=None).order_by("id")
    return TokenList(tokens=[_token_out(r) for r in rows])


@api.route(
    "DELETE",
    "/api/tokens/{id:int}",
    summary="Revoke one of my API tokens",
    tags=["auth"],
    status=204,
)
async def revoke_token(ctx: Ctx) -> Response:
    changed = await ApiToken.filter(
        id=ctx.path_int("id"), employee_id=ctx.me.id, revoked_at=None
    ).update(revoked_at=sessions.now())
    if not changed:
        raise not_found()
    await invalidate(ctx.services.redis, ctx.services.keys, employees=[ctx.me.id])
    return Response(status_code=204)


@api.route(
    "POST",
    "/api/admin/employees/{id:int}/sessions/end",
    summary="End every session (and optionally every API token) of an employee",
    tags=["admin"],
    body=EndSessions,
    response=SessionsEnded,
    roles=[Role.ADMIN],
)
async def end_sessions(ctx: Ctx, body: EndSessions) -> SessionsEnded:
    employee = await Employee.get_or_none(id=ctx.path_int("id"))
    if employee is None:
        raise not_found()
    async with in_transaction():
        ended = await sessions.revoke_all(employee.id, tokens=body.tokens)
        await audit.record(
            ctx.me.id,
            "employee.sessions.end",
            f"employee:{employee.id}",
            {"name": employee.name, "sessions_ended": ended, "tokens": body.tokens},
        )
    await announce_access_change(
        ctx.services.redis, ctx.services.keys, employee.id, "sessions_ended"
    )
    return SessionsEnded(sessions_ended=ended)
