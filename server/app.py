"""`create_app()`: the one place where settings, database, Redis and routes are put together."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from importlib import resources
from importlib.metadata import PackageNotFoundError, version

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from tortoise import connections

from gamification.keys import Keys
from realtime.server import Realtime
from server.admin.endpoints import api as admin_api
from server.analytics.endpoints import api as analytics_api
from server.api import JSON, Api, error_response
from server.audit.endpoints import api as audit_api
from server.auth.endpoints import api as auth_api
from server.caching import ReadCaches
from server.channels.endpoints import api as channels_api
from server.chat.endpoints import api as chat_api
from server.community.watch import watch_policy
from server.content.endpoints import api as content_api
from server.courses.endpoints import api as courses_api
from server.db import close_database, open_database
from server.digest.endpoints import api as digest_api
from server.errors import ApiError
from server.events.endpoints import api as events_api
from server.feed.endpoints import api as feed_api
from server.groups.endpoints import api as groups_api
from server.hr.endpoints import api as hr_api
from server.i18n import negotiate
from server.live import api as live_api
from server.live import authenticator, room_resolver
from server.logs import setup_logging
from server.metrics import metrics_endpoint
from server.moderation.endpoints import api as moderation_api
from server.notifications.endpoints import api as notifications_api
from server.onboarding import api as onboarding_api
from server.openapi import build as build_openapi
from server.polls.endpoints import api as polls_api
from server.posts.attachments import api as attachments_api
from server.posts.endpoints import api as posts_api
from server.posts.interaction_endpoints import api as interactions_api
from server.privacy import api as privacy_api
from server.profile import api as profile_api
from server.rewards.endpoints import api as rewards_api
from server.rewards.wheel_admin import api as wheel_admin_api
from server.rulesets.endpoints import api as rulesets_api
from server.rulesets.registry import RulesetRegistry
from server.rulesets.service import ensure_default
from server.search.endpoints import api as search_api
from server.services import Services
from server.settings import Settings, load_settings
from server.stories.endpoints import api as stories_api
from server.suggestions import api as suggestions_api
from server.webapp import default_web_dir, web_routes


def plaza_version() -> str:
    try:
        return version("plaza")
    except PackageNotFoundError:
        return "0.0.0"


def build_api() -> Api:
    api = Api()
    community = (
        posts_api,
        interactions_api,
        attachments_api,
        groups_api,
        channels_api,
        notifications_api,
        events_api,
        polls_api,
        search_api,
        digest_api,
        suggestions_api,
        onboarding_api,
        moderation_api,
        content_api,
    )
    realtime_parts = (live_api, chat_api, stories_api)
    for part in (
        feed_api,  # first: the most requested routes are matched first
        auth_api,
        profile_api,
        hr_api,
        admin_api,
        audit_api,
        rulesets_api,
        *community,
        *realtime_parts,
        rewards_api,
        analytics_api,
        privacy_api,
        wheel_admin_api,
        courses_api,
    ):
        api.include(part)
    return api


def create_app(settings: Settings | None = None, *, manage_database: bool = True) -> Starlette:
    """The ASGI app. `manage_database=False` leaves Tortoise to the caller (tests that share
    one initialised database between the app and the test body)."""
    settings = settings or load_settings()
    api = build_api()
    openapi = build_openapi(api.endpoints, plaza_version())
    realtime = Realtime(
        redis_url=settings.redis_url,
        keys=Keys(settings.redis_prefix),
        authenticate=authenticator(settings),
        resolve_rooms=room_resolver(),
        watch_policy=watch_policy,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        setup_logging(settings)
        if manage_database:
            await open_database(settings)
        services = app.state.services = await Services.start(settings)
        await ensure_default(services.redis, services.keys, settings.timezone)
        registry = app.state.rulesets = RulesetRegistry(settings.timezone)
        await registry.start(services.redis, services.keys)
        await realtime.start()
        services.caches = ReadCaches()
        services.caches.start(services.redis, services.keys.cache_invalidations)
        # Events published by this process go straight to its own sockets, and to the
        # other processes through Redis.
        services.publisher = realtime.publisher
        if settings.gc_freeze:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await services.caches.stop()
            await realtime.stop()
            await registry.stop()
            await services.close()
            if manage_database:
                await close_database()

    async def openapi_endpoint(request: Request) -> Response:
        return JSON(openapi)

    # Until the web app (web/) is built, a page to check the server and sign in.
    bare_index = resources.files("server").joinpath("static", "index.html").read_bytes()

    async def healthz(request: Request) -> Response:
        return JSON({"status": "ok"})

    async def readyz(request: Request) -> Response:
        checks: dict[str, str] = {}
        try:
            await connections.get("default").execute_query("SELECT 1")
            checks["database"] = "ok"
        except Exception as exc:  # any failure means "not ready"; say which
            checks["database"] = f"error: {exc}"
        try:
            await request.app.state.services.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {exc}"
        ready = all(v == "ok" for v in checks.values())
        return JSON({"status": "ok" if ready else "unavailable", **checks}, 200 if ready else 503)

    routes: list[BaseRoute] = [
        Route("/api/openapi.json", openapi_endpoint),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
        Mount("/socket.io", app=realtime.asgi_app),
        *api.routes(),
        # Last: every other path is the browser app's.
        *web_routes(settings.web_dir or default_web_dir(), bare_index),
    ]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        locale = negotiate(request.headers.get("accept-language"), settings.locale)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "bad_request")
        # Starlette's 405 names the allowed methods in `Allow` (RFC 9110 says it must).
        return error_response(
            ApiError(exc.status_code, code, headers=dict(exc.headers or {})), locale
        )

    app = Starlette(
        routes=routes, lifespan=lifespan, exception_handlers={HTTPException: http_error}
    )
    app.state.settings = settings
    app.state.api = api
    app.state.realtime = realtime
    return app
