"""Dry runs as background tasks: a long one (a week of a large company's events) reports
its progress while the browser polls it, and can be cancelled.

Jobs live in the web process that started them (the browser polls the same origin; with
several web processes the job id carries no affinity, so `plaza up` runs one). A finished
job is kept for `KEEP_SECONDS` for its report to be fetched, then forgotten.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

KEEP_SECONDS = 600.0
MAX_JOBS = 50


class Cancelled(Exception):
    """Raised inside the replay's progress hook when the job was cancelled."""


@dataclass(slots=True)
class Job:
    id: str
    owner: int
    state: str = "running"  # running | done | failed | cancelled
    done: int = 0
    total: int = 0
    report: dict[str, Any] | None = None
    error: str = ""
    finished_at: float = 0.0
    cancelled: bool = False
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    def progress(self, done: int, total: int) -> None:
        """The replay's hook (runs in the replay's thread)."""
        if self.cancelled:
            raise Cancelled
        self.done, self.total = done, total


_jobs: dict[str, Job] = {}


def _forget_old() -> None:
    now = time.monotonic()
    for key, job in list(_jobs.items()):
        if job.state != "running" and now - job.finished_at > KEEP_SECONDS:
            del _jobs[key]


def start(
    owner: int, work: Callable[[Callable[[int, int], None]], Awaitable[dict[str, Any]]]
) -> Job:
    _forget_old()
    running = [j for j in _jobs.values() if j.state == "running"]
    if len(running) >= MAX_JOBS:
        raise RuntimeError("too many dry runs at once")
    job = Job(id=secrets.token_urlsafe(12), owner=owner)
    _jobs[job.id] = job

    async def run() -> None:
        try:
            job.report = await work(job.progress)
            job.state = "done"
        except Cancelled:
            job.state = "cancelled"
        except asyncio.CancelledError:
            job.state = "cancelled"
            raise
        except Exception as exc:  # the report says what failed; the server log has the rest
            job.state = "failed"
            job.error = str(exc) or type(exc).__name__
        finally:
            job.finished_at = time.monotonic()

    job.task = asyncio.create_task(run())
    return job


def get(job_id: str) -> Job | None:
    return _jobs.get(job_id)


def cancel(job: Job) -> None:
    job.cancelled = True
    if job.state == "running" and job.total == 0 and job.task is not None:
        # Still reading events from the database: stop that too.
        job.task.cancel()
