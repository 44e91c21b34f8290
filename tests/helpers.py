"""Shared test helpers: people and signed-in clients."""

from __future__ import annotations

from typing import Any

import httpx

from server.auth.passwords import hash_password
from server.models import Employee, Role
from server.settings import Settings
from server.worker import make_worker

PASSWORD = "Correct-Horse-42"
_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash the test password once


async def make_employee(
    email: str, *, role: Role = Role.EMPLOYEE, password: bool = True, **fields: Any
) -> Employee:
    return await Employee.create(
        email=email,
        name=fields.pop("name", email.split("@")[0].title()),
        role=role,
        password_hash=_HASH if password else None,
        **fields,
    )


async def login(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, **kwargs: Any
) -> httpx.Response:
    """Sign in and make the client echo the CSRF token, as the web app does."""
    response = await client.post(
        "/api/auth/login", json={"email": email, "password": password}, **kwargs
    )
    if response.status_code == 200:
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return response


def set_cookie_headers(response: httpx.Response) -> dict[str, str]:
    """Set-Cookie header values by cookie name."""
    found = {}
    for value in response.headers.get_list("set-cookie"):
        found[value.split("=", 1)[0]] = value
    return found


async def run_jobs(settings: Settings) -> None:
    """Run a real arq worker in this process until the queue is empty."""
    worker = make_worker(settings, burst=True, poll_delay=0.05, manage_database=False)
    try:
        await worker.main()
    finally:
        if worker.on_shutdown is not None:
            await worker.on_shutdown(worker.ctx)
        await worker.pool.aclose()
