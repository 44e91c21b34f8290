"""HTTP basics: one error format, limits, OpenAPI, health, metrics."""

from __future__ import annotations

import httpx
import pytest
from starlette.routing import Route

from tests.conftest import LiveServer, http_client
from tests.helpers import login, make_employee

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database


async def test_unknown_route_and_method_use_the_error_format(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/nothing-here")
    assert missing.status_code == 404
    assert missing.json() == {"error": "not_found", "detail": "Not found."}
    wrong = await client.put("/api/me")
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"
    assert set(wrong.headers["allow"].replace(" ", "").split(",")) >= {"GET", "PATCH"}


async def test_anonymous_is_401_with_reason_in_the_callers_language(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/me", headers={"Accept-Language": "ru"})
    assert response.status_code == 401
    assert response.json() == {"error": "not_authenticated", "detail": "Сначала войдите."}


async def test_oversized_body_is_413_and_bad_json_400(
    client: httpx.AsyncClient, live: LiveServer
) -> None:
    limit = live.settings.max_body_bytes
    big = await client.post(
        "/api/auth/login",
        content=b"{" + b" " * limit + b"}",
        headers={"content-type": "application/json"},
    )
    assert big.status_code == 413 and big.json()["error"] == "body_too_large"
    bad = await client.post(
        "/api/auth/login", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_json"


async def test_openapi_describes_every_route(client: httpx.AsyncClient, live: LiveServer) -> None:
    document = (await client.get("/api/openapi.json")).json()
    assert document["openapi"].startswith("3.")
    described = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    served = set()
    for route in live.app.routes:
        if (
            isinstance(route, Route)
            and route.path.startswith("/api/")
            and route.path != "/api/openapi.json"
        ):
            path = route.path.replace(":int", "")
            served |= {(path, m) for m in (route.methods or set()) if m != "HEAD"}
    assert served and served == described
    register = document["paths"]["/api/auth/register"]["post"]
    schema_ref = register["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body_schema = document["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert set(body_schema["required"]) == {"email", "password", "name"}
    assert body_schema["additionalProperties"] is False


async def test_responses_match_their_declared_schema(
    client: httpx.AsyncClient, live: LiveServer
) -> None:
    from server.schemas import EmployeeOut

    await make_employee("schema@example.com")
    await login(client, "schema@example.com")
    me = (await client.get("/api/me")).json()
    assert EmployeeOut.model_validate(me).email == "schema@example.com"
    assert set(me) == set(EmployeeOut.model_fields)


async def test_health_ready_and_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == ready.json()["redis"] == "ok"
    await client.get("/api/me")
    metrics = (await client.get("/metrics")).text
    assert 'plaza_http_requests_total{method="GET",route="/api/me",status="401"}' in metrics


async def test_readyz_reports_redis_down(client: httpx.AsyncClient, live: LiveServer) -> None:
    await live.services.redis.aclose()
    broken = live.services.redis
    live.services.redis = type(broken).from_url("unix:///nonexistent/redis.sock")
    try:
        ready = await client.get("/readyz")
    finally:
        await live.services.redis.aclose()
        live.services.redis = type(broken).from_url(live.settings.redis_url)
    assert ready.status_code == 503
    assert ready.json()["database"] == "ok" and ready.json()["redis"].startswith("error")


async def test_json_bodies_must_say_so(client: httpx.AsyncClient) -> None:
    """A text/plain form can carry valid JSON cross-site; it must not be accepted."""
    forged = await client.post(
        "/api/auth/login",
        content=b'{"email": "a@example.com", "password": "x", "p": "="}',
        headers={"content-type": "text/plain"},
    )
    assert forged.status_code == 415 and forged.json()["error"] == "unsupported_media_type"


async def test_ids_beyond_64_bits_are_not_found_and_bad_cursors_are_named(
    live: LiveServer,
) -> None:
    employee = await make_employee("big.ids@example.com")
    async with http_client(live.url) as client:
        await login(client, employee.email)
        huge = str(2**64 + 1)
        for path in (f"/api/posts/{huge}", f"/api/polls/{huge}", f"/api/employees/{huge}/badges"):
            response = await client.get(path)
            assert response.status_code == 404, path
            assert response.json()["error"] == "not_found"
        for query in ({"before": "not-a-date"}, {"limit": str(2**70)}):
            response = await client.get("/api/me/transfers", params=query)
            assert response.status_code == 422, query
            assert response.json()["error"] == "validation_failed"


async def test_redis_down_is_a_503_with_retry_after_and_reads_keep_working(
    live: LiveServer,
) -> None:
    employee = await make_employee("redis.down@example.com")
    async with http_client(live.url) as client:
        await login(client, employee.email)
        working = live.services.redis
        live.services.redis = type(working).from_url("unix:///nonexistent/redis.sock")
        try:
            me = await client.get("/api/me")
            write = await client.patch("/api/me", json={"position": "Cashier"})
        finally:
            await live.services.redis.aclose()
            live.services.redis = working
    assert me.status_code == 200
    assert write.status_code == 503
    assert write.headers["retry-after"] == "2"
    assert write.json()["error"] == "unavailable"
