"""Declared API routes: each endpoint states its body, response, auth and roles once, and
the same declaration drives request handling and the OpenAPI document.

An endpoint parses, calls one service function and serialises; everything every endpoint
needs (authentication, CSRF, roles, the write rate limit, body limits, JSON errors, metrics,
the access log) happens here, once.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from redis import exceptions as redis_errors
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.exceptions import DBConnectionError

from server.activity import note_daily_login
from server.auth.sessions import authenticate, check_csrf
from server.auth.throttle import check_write_rate
from server.context import Ctx
from server.errors import ApiError
from server.i18n import negotiate, translate
from server.metrics import observe_request
from server.models import Role
from server.schemas import MAX_INT64
from server.services import Services
from server.settings import SUPPORTED_LOCALES

log = logging.getLogger("plaza.http")

__all__ = ["JSON", "Api", "Auth", "Ctx", "Endpoint", "read_body"]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Auth(Enum):
    NONE = "none"  # never looks at credentials (health, login)
    OPTIONAL = "optional"
    USER = "user"


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


Handler = Callable[..., Awaitable[Any]]
H = TypeVar("H", bound=Handler)


@dataclass
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    tags: tuple[str, ...]
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    auth: Auth
    roles: frozenset[Role]
    raw_body: tuple[str, ...]  # media types the handler reads itself (uploads), if any
    max_body: int | None
    csrf: bool
    response_media_type: str = "application/json"
    path_model: type[BaseModel] | None = None  # path parameters that are more than an int


class Api:
    """A collection of declared endpoints; `routes()` turns them into Starlette routes."""

    def __init__(self) -> None:
        self.endpoints: list[Endpoint] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        tags: Sequence[str] = (),
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        path_params: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        auth: Auth = Auth.USER,
        roles: Sequence[Role] = (),
        raw_body: Sequence[str] = (),
        max_body: int | None = None,
        csrf: bool = True,
        response_media_type: str = "application/json",
    ) -> Callable[[H], H]:
        def register(handler: H) -> H:
            self.endpoints.append(
                Endpoint(
                    method=method,
                    path=path,
                    handler=handler,
                    summary=summary,
                    tags=tuple(tags),
                    body=body,
                    query=query,
                    response=response,
                    status=status,
                    auth=auth,
                    roles=frozenset(roles),
                    raw_body=tuple(raw_body),
                    max_body=max_body,
                    csrf=csrf,
                    response_media_type=response_media_type,
                    path_model=path_params,
                )
            )
            return handler

        return register

    def include(self, other: Api) -> None:
        self.endpoints.extend(other.endpoints)

    def routes(self) -> list[Route]:
        by_path: dict[str, dict[str, Endpoint]] = {}
        for endpoint in self.endpoints:
            by_path.setdefault(endpoint.path, {})[endpoint.method] = endpoint
        return [
            Route(path, self._dispatcher(methods), methods=list(methods))
            for path, methods in by_path.items()
        ]

    def _dispatcher(self, methods: dict[str, Endpoint]) -> Callable[[Request], Awaitable[Response]]:
        async def dispatch(request: Request) -> Response:
            return await self._handle(methods[request.method], request)

        return dispatch

    async def _handle(self, endpoint: Endpoint, request: Request) -> Response:
        services: Services = request.app.state.services
        started = time.perf_counter()
        settings = services.settings
        ctx = Ctx(
            request=request,
            services=services,
            locale=negotiate(request.headers.get("accept-language"), settings.locale),
            ip=request.client.host if request.client else "",
        )
        status = 500
        try:
            response = await self._run(endpoint, ctx)
            status = response.status_code
        except ApiError as exc:
            status = exc.status
            response = error_response(exc, ctx.locale)
        except DEPENDENCY_DOWN as exc:
            # Redis restarting (BusyLoadingError while it loads its data) or the database
            # unreachable: the client's request was fine; it may try again shortly.
            log.warning(
                "dependency unavailable", extra={"path": request.url.path, "error": repr(exc)}
            )
            status = 503
            response = error_response(unavailable(exc), ctx.locale)
        except Exception:
            log.exception("unhandled error", extra={"path": request.url.path})
            response = error_response(ApiError(500, "internal"), ctx.locale)
        for cookie in ctx.set_cookies:
            response.set_cookie(**cookie)
        for name in ctx.delete_cookies:
            response.delete_cookie(name, path="/")
        elapsed = time.perf_counter() - started
        observe_request(endpoint.method, endpoint.path, status, elapsed)
        if not settings.access_log:
            return response
        log.info(
            "request",
            extra={
                "method": endpoint.method,
                "path": request.scope["path"],
                "route": endpoint.path,
                "status": status,
                "ms": round(elapsed * 1000, 2),
                "user": ctx.user.id if ctx.user else None,
                "ip": ctx.ip,
            },
        )
        return response

    async def _run(self, endpoint: Endpoint, ctx: Ctx) -> Response:
        if endpoint.auth is not Auth.NONE:
            await authenticate(ctx)
        if endpoint.auth is Auth.USER and ctx.user is None:
            raise ApiError(401, "not_authenticated")
        if ctx.user is not None:
            if ctx.user.locale in SUPPORTED_LOCALES:
                ctx.locale = ctx.user.locale
            services = ctx.services
            try:
                await note_daily_login(
                    services.redis, services.keys, services.settings.zone, ctx.user.id
                )
            except redis_errors.RedisError as exc:
                # A missed daily-login note costs a reward at most (the next request
                # notes it); it must not cost the person the page they asked for.
                log.warning("daily login not noted", extra={"error": repr(exc)})
        unsafe = endpoint.method in UNSAFE_METHODS
        if unsafe and endpoint.csrf and ctx.via == "session":
            check_csrf(ctx)
        if endpoint.roles and (ctx.user is None or ctx.user.role not in endpoint.roles):
            raise ApiError(403, "forbidden")
        if unsafe and ctx.user is not None:
            await check_write_rate(ctx)

        args: list[Any] = [ctx]
        if endpoint.path_model is not None:
            fields = endpoint.path_model.model_fields
            values = {k: v for k, v in ctx.request.path_params.items() if k in fields}
            try:
                args.append(endpoint.path_model.model_validate(values))
            except ValidationError:
                raise ApiError(404, "not_found") from None  # a path that names nothing
        if endpoint.query is not None:
            args.append(parse_model(endpoint.query, dict(ctx.request.query_params)))
        if endpoint.body is not None:
            # Only application/json: a cross-site HTML form cannot send it without a CORS
            # preflight, so a forged form cannot sign someone in (login CSRF) or post for them.
            if ctx.content_type != "application/json":
                raise ApiError(
                    415,
                    "unsupported_media_type",
                    content_type=ctx.content_type or "-",
                    expected="application/json",
                )
            raw = await read_body(
                ctx.request, endpoint.max_body or ctx.services.settings.max_body_bytes
            )
            args.append(parse_json_body(endpoint.body, raw))
        result = await endpoint.handler(*args)
        if isinstance(result, Response):
            return result
        if isinstance(result, BaseModel):
            result = result.model_dump(mode="json")
        return JSON(result, status_code=endpoint.status)


# A dependency that is down or still loading, as the drivers raise it.
DEPENDENCY_DOWN: tuple[type[BaseException], ...] = (
    redis_errors.ConnectionError,  # BusyLoadingError is one
    redis_errors.TimeoutError,
    OSError,  # the database's socket refused or reset
    DBConnectionError,
)
RETRY_AFTER_SECONDS = 2


def unavailable(exc: BaseException) -> ApiError:
    what = "redis" if isinstance(exc, redis_errors.RedisError) else "database"
    return ApiError(
        503, "unavailable", what=what, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


def error_response(exc: ApiError, locale: str) -> JSON:
    detail = exc.detail or translate(locale, exc.detail_key, **exc.params)
    body: dict[str, Any] = {"error": exc.code, "detail": detail}
    extra = exc.params.get("extra")
    if isinstance(extra, dict):
        body.update(extra)
    return JSON(body, status_code=exc.status, headers=exc.headers)


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "body_too_large", limit=limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "body_too_large", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


M = TypeVar("M", bound=BaseModel)


def parse_json_body(model: type[M], raw: bytes) -> M:
    try:
        data = orjson.loads(raw or b"{}")
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "invalid_json", reason=str(exc)) from None
    return parse_model(model, data)


def parse_model(model: type[M], data: object) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, model) from None


def validation_error(exc: ValidationError, model: type[BaseModel]) -> ApiError:
    fields = []
    for error in exc.errors():
        name = ".".join(str(p) for p in error["loc"]) or "body"
        fields.append({"field": name, "reason": error["msg"]})
    first = exc.errors()[0]
    name = ".".join(str(p) for p in first["loc"]) or "body"
    if first["type"] == "extra_forbidden":
        allowed = ", ".join(sorted(model.model_fields))
        return ApiError(
            422,
            "validation_failed",
            detail_key="error.unknown_field",
            field=name,
            allowed=allowed,
            extra={"fields": fields},
        )
    return ApiError(
        422, "validation_failed", field=name, reason=first["msg"], extra={"fields": fields}
    )


_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")


def openapi_path(path: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for name, kind in _PARAM.findall(path):
        # Starlette's converters: `int` matches digits (beyond 64 bits: 404, `path_int`),
        # the default one anything up to the next slash.
        schema: dict[str, Any] = (
            {"type": "integer", "minimum": 0, "maximum": MAX_INT64}
            if kind == "int"
            else {"type": "string", "pattern": "^[^/]+$"}
        )
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _PARAM.sub(r"{\1}", path), params
