"""Registration, sign-in, sessions, CSRF, tokens and dismissal, over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from server.auth.sessions import digest, now
from server.models import ActivityEvent, Employee, Role, Session
from tests.conftest import LiveServer, http_client
from tests.helpers import PASSWORD, login, make_employee, set_cookie_headers

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database


async def test_register_with_company_domain_signs_in(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "Nina@Example.com", "password": PASSWORD, "name": "Nina"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["me"]["email"] == "nina@example.com"
    cookies = set_cookie_headers(response)
    session_cookie = cookies["plaza_session"].lower()
    assert "httponly" in session_cookie and "samesite=lax" in session_cookie
    assert "httponly" not in cookies["plaza_csrf"].lower()  # the web app must read it
    me = await client.get("/api/me")
    assert me.status_code == 200 and me.json()["name"] == "Nina"


async def test_register_other_domain_is_refused_with_reason(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "someone@gmail.com", "password": PASSWORD, "name": "X"},
    )
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "email_not_allowed"
    assert "someone@gmail.com" in body["detail"] and "example.com" in body["detail"]
    assert not await Employee.exists(email="someone@gmail.com")


async def test_register_hr_listed_address_of_other_domain(client: httpx.AsyncClient) -> None:
    await make_employee("contractor@partner.org", password=False, hr_listed=True, employee_id="H1")
    response = await client.post(
        "/api/auth/register",
        json={"email": "contractor@partner.org", "password": PASSWORD, "name": "C"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["me"]["employee_id"] == "H1"


async def test_weak_password_gets_422_with_reasons(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "weak@example.com", "password": "password1", "name": "W"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "weak_password"
    assert set(body["reasons"]) >= {"too_short", "common"}
    assert "at least 10 characters" in body["detail"]
    assert not await Employee.exists(email="weak@example.com")


async def test_weak_password_reason_in_russian(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "weak@example.com", "password": "short", "name": "W"},
        headers={"Accept-Language": "ru-RU,ru;q=0.9"},
    )
    assert response.status_code == 422
    assert "Пароль слишком простой" in response.json()["detail"]


async def test_second_registration_is_409(client: httpx.AsyncClient) -> None:
    await make_employee("taken@example.com")
    response = await client.post(
        "/api/auth/register",
        json={"email": "taken@example.com", "password": PASSWORD, "name": "T"},
    )
    assert response.status_code == 409
    assert response.json()["error"] == "already_registered"


async def test_unknown_field_is_422_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "a@example.com", "password": PASSWORD, "name": "A", "role": "admin"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_failed" and body["detail"].startswith("role:")
    assert not await Employee.exists(email="a@example.com")


async def test_wrong_password_and_unknown_account_look_the_same(client: httpx.AsyncClient) -> None:
    await make_employee("real@example.com")
    wrong = await login(client, "real@example.com", "Not-The-Password-1")
    unknown = await login(client, "ghost@example.com", "Not-The-Password-1")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_login_throttled_per_account_and_ip_but_not_the_real_user(live: LiveServer) -> None:
    await make_employee("victim@example.com")
    # The victim has signed in from her own browser before: it holds a device cookie.
    async with http_client(live.url, headers={"X-Forwarded-For": "10.0.0.5"}) as victim:
        assert (await login(victim, "victim@example.com")).status_code == 200
        await victim.post("/api/auth/logout")
        # An attacker from another address guesses until throttled.
        async with http_client(live.url, headers={"X-Forwarded-For": "203.0.113.9"}) as attacker:
            statuses = [
                (await login(attacker, "victim@example.com", f"Guess-{i}-xyz")).status_code
                for i in range(7)
            ]
            assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
            # Throttled means throttled: even the right password is refused from there.
            blocked = await login(attacker, "victim@example.com")
            assert blocked.status_code == 429
            assert int(blocked.headers["retry-after"]) > 0
        # The victim is not locked out.
        assert (await login(victim, "victim@example.com")).status_code == 200


async def test_per_account_limit_spares_known_devices(live: LiveServer) -> None:
    live.services.settings.__dict__["login_failures_per_account"] = 6
    await make_employee("target@example.com")
    async with http_client(live.url, headers={"X-Forwarded-For": "10.1.1.1"}) as owner:
        assert (await login(owner, "target@example.com")).status_code == 200
        # A distributed attack: two guesses from each of many addresses.
        for n in range(4):
            ip = f"198.51.100.{n}"
            async with http_client(live.url, headers={"X-Forwarded-For": ip}) as bot:
                for guess in range(2):
                    await login(bot, "target@example.com", f"Guess-{n}-{guess}-x")
        async with http_client(live.url, headers={"X-Forwarded-For": "198.51.100.77"}) as fresh:
            assert (await login(fresh, "target@example.com")).status_code == 429
        assert (await login(owner, "target@example.com")).status_code == 200


async def test_login_rotates_the_session_id(client: httpx.AsyncClient) -> None:
    await make_employee("rot@example.com")
    assert (await login(client, "rot@example.com")).status_code == 200
    first = client.cookies["plaza_session"]
    assert (await login(client, "rot@example.com")).status_code == 200
    second = client.cookies["plaza_session"]
    assert first != second
    old = await Session.get(token_hash=digest(first))
    assert old.revoked_at is not None
    async with http_client(str(client.base_url), cookies={"plaza_session": first}) as stale:
        assert (await stale.get("/api/me")).status_code == 401


async def test_logout_ends_the_session(client: httpx.AsyncClient) -> None:
    await make_employee("out@example.com")
    await login(client, "out@example.com")
    token = client.cookies["plaza_session"]
    assert (await client.post("/api/auth/logout")).status_code == 204
    async with http_client(str(client.base_url), cookies={"plaza_session": token}) as again:
        response = await again.get("/api/me")
    assert response.status_code == 401 and response.json()["error"] == "session_expired"


async def test_csrf_is_required_for_cookie_sessions(client: httpx.AsyncClient) -> None:
    await make_employee("csrf@example.com")
    await login(client, "csrf@example.com")
    good = client.headers.pop("X-CSRF-Token")
    refused = await client.post("/api/tokens", json={"name": "x"})
    assert refused.status_code == 403 and refused.json()["error"] == "csrf_failed"
    forged = await client.post(
        "/api/tokens", json={"name": "x"}, headers={"X-CSRF-Token": "0" * 64}
    )
    assert forged.status_code == 403
    accepted = await client.post("/api/tokens", json={"name": "x"}, headers={"X-CSRF-Token": good})
    assert accepted.status_code == 201
    # Reads do not need it.
    assert (await client.get("/api/tokens")).status_code == 200


async def test_personal_token_works_without_csrf_and_can_be_revoked(
    client: httpx.AsyncClient,
) -> None:
    await make_employee("script@example.com")
    await login(client, "script@example.com")
    created = (await client.post("/api/tokens", json={"name": "ci"})).json()
    token = created["token"]
    assert token.startswith("plz_")
    async with http_client(
        str(client.base_url), headers={"Authorization": f"Bearer {token}"}
    ) as bot:
        assert (await bot.get("/api/me")).json()["email"] == "script@example.com"
        assert (await bot.post("/api/tokens", json={"name": "second"})).status_code == 201
        listed = (await bot.get("/api/tokens")).json()["tokens"]
        assert [t["name"] for t in listed] == ["ci", "second"]
        assert all("token" not in t for t in listed)  # shown once, never again
        assert (await client.delete(f"/api/tokens/{created['id']}")).status_code == 204
        assert (await bot.get("/api/me")).status_code == 401
    async with http_client(
        str(client.base_url), headers={"Authorization": "Bearer plz_nope"}
    ) as bad:
        assert (await bad.get("/api/me")).status_code == 401


async def test_dismissal_kills_sessions_and_tokens_at_once(live: LiveServer) -> None:
    from server.people import dismiss

    employee = await make_employee("leaving@example.com")
    async with http_client(live.url) as browser:
        await login(browser, "leaving@example.com")
        token = (await browser.post("/api/tokens", json={"name": "t"})).json()["token"]
        await dismiss([employee.id], live.services.redis, live.services.keys)
        response = await browser.get("/api/me")
        assert response.status_code in (401, 403)
        async with http_client(live.url, headers={"Authorization": f"Bearer {token}"}) as bot:
            assert (await bot.get("/api/me")).status_code in (401, 403)
        again = await login(browser, "leaving@example.com")
        assert again.status_code == 403 and again.json()["error"] == "account_dismissed"


async def test_dismissed_status_alone_stops_a_live_session(client: httpx.AsyncClient) -> None:
    """Even if revoking sessions failed half-way, the status check on every request holds."""
    employee = await make_employee("half@example.com")
    await login(client, "half@example.com")
    await Employee.filter(id=employee.id).update(status="dismissed")
    response = await client.get("/api/me")
    assert response.status_code == 403 and response.json()["error"] == "account_dismissed"


async def test_admin_ends_all_sessions_of_a_user(live: LiveServer) -> None:
    await make_employee("boss@example.com", role=Role.ADMIN)
    user = await make_employee("user@example.com")
    async with (
        http_client(live.url) as admin,
        http_client(live.url) as one,
        http_client(live.url) as two,
    ):
        await login(admin, "boss@example.com")
        await login(one, "user@example.com")
        await login(two, "user@example.com")
        forbidden = await one.post(f"/api/admin/employees/{user.id}/sessions/end", json={})
        assert forbidden.status_code == 403
        ended = await admin.post(f"/api/admin/employees/{user.id}/sessions/end", json={})
        assert ended.status_code == 200 and ended.json() == {"sessions_ended": 2}
        assert (await one.get("/api/me")).status_code == 401
        assert (await two.get("/api/me")).status_code == 401
        assert (await admin.get("/api/me")).status_code == 200


async def test_idle_and_absolute_expiry(client: httpx.AsyncClient, live: LiveServer) -> None:
    await make_employee("idle@example.com")
    await login(client, "idle@example.com")
    session = await Session.get(token_hash=digest(client.cookies["plaza_session"]))
    idle = timedelta(minutes=live.settings.session_idle_minutes)
    await Session.filter(id=session.id).update(last_seen_at=now() - idle - timedelta(seconds=5))
    assert (await client.get("/api/me")).status_code == 401

    await login(client, "idle@example.com")
    session = await Session.get(token_hash=digest(client.cookies["plaza_session"]))
    await Session.filter(id=session.id).update(expires_at=now() - timedelta(seconds=1))
    assert (await client.get("/api/me")).status_code == 401


async def test_first_request_of_the_day_records_daily_login_once(client: httpx.AsyncClient) -> None:
    employee = await make_employee("daily@example.com")
    await login(client, "daily@example.com")
    for _ in range(3):
        assert (await client.get("/api/me")).status_code == 200
    events = await ActivityEvent.filter(type="user.daily_login", actor_id=employee.id)
    assert len(events) == 1


async def test_write_rate_limit(live: LiveServer, client: httpx.AsyncClient) -> None:
    live.services.settings.__dict__["writes_per_minute"] = 3
    await make_employee("busy@example.com")
    await login(client, "busy@example.com")
    statuses = [
        (await client.post("/api/tokens", json={"name": f"t{i}"})).status_code for i in range(5)
    ]
    assert statuses[:3] == [201, 201, 201]
    assert 429 in statuses[3:]


async def test_the_sign_up_form_can_show_who_may_register_and_the_password_rules(
    client: httpx.AsyncClient, live: LiveServer
) -> None:
    policy = await client.get("/api/auth/policy")
    assert policy.status_code == 200
    settings = live.settings
    assert policy.json() == {
        "email_domains": list(settings.email_domains),
        "hr_list": True,
        "password_min_length": settings.password_min_length,
        "password_max_length": 256,
        "password_min_classes": settings.password_min_classes,
    }
