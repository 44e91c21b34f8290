"""The worker is wired: the welcome e-mail goes out through a real SMTP sink, in the
employee's language."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from server.settings import Settings
from server.worker import make_worker
from tests.conftest import LiveServer, free_port
from tests.helpers import PASSWORD, run_jobs

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database


class Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


async def test_welcome_mail_in_the_registrants_language(
    live: LiveServer, client: httpx.AsyncClient, smtp_sink: tuple[Sink, int]
) -> None:
    sink, port = smtp_sink
    live.settings.__dict__["smtp_url"] = f"smtp://127.0.0.1:{port}"
    response = await client.post(
        "/api/auth/register",
        json={"email": "olga@example.com", "password": PASSWORD, "name": "Ольга"},
        headers={"Accept-Language": "ru"},
    )
    assert response.status_code == 201
    await run_jobs(live.settings)
    for _ in range(50):
        if sink.messages:
            break
        await asyncio.sleep(0.05)
    assert len(sink.messages) == 1
    message = sink.messages[0]
    assert message["To"] == "olga@example.com"
    assert subject(message).startswith("Добро пожаловать")
    assert "Здравствуйте, Ольга" in message.get_payload(decode=True).decode()  # type: ignore[union-attr]


async def test_shutdown_runs_even_when_a_job_task_ended_cancelled(db: Settings) -> None:
    """SIGTERM cancels every job task; one cancelled before its job began ends cancelled.
    arq's own close() stopped there, before on_shutdown: an open SQLite connection's thread
    then kept the worker process alive for good."""
    worker = make_worker(db, burst=True, poll_delay=0.05, manage_database=False)
    await worker.main()  # starts up (Redis pool, services), finds no job, returns
    shut = []
    original = worker.on_shutdown
    assert original is not None

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        await original(ctx)
        shut.append(True)

    worker.on_shutdown = on_shutdown
    never = asyncio.get_running_loop().create_future()
    worker.tasks["cancelled-before-it-began"] = asyncio.ensure_future(never)
    never.cancel()
    await asyncio.sleep(0)
    await asyncio.wait_for(worker.close(), 10)
    assert shut == [True]


def test_a_failed_jobs_result_is_stored_as_json_with_its_error() -> None:
    # arq stores a failed job's exception as its result; JSON (never pickle) keeps its text
    # instead of logging a serialising error and losing what went wrong.
    from server.services import job_deserializer, job_serializer

    stored = job_deserializer(job_serializer({"r": ValueError("no such store"), "s": False}))
    assert stored == {"r": "ValueError('no such store')", "s": False}
    with pytest.raises(TypeError):
        job_serializer({"r": object()})
