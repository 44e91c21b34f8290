"""Recording activity events into the outbox (`activity_event`).

An event is written in the same transaction as the change it records; ids are time-ordered
so that the outbox reads back in the order things happened.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from rules.events import validate_event
from server.models import ActivityEvent

# Hand-offs within one bucket of this many milliseconds share one settlement job, which
# starts when the bucket ends and settles every event committed by then: one job for many
# events, where arq alone processes ~1,200 jobs a second on this kind of machine.
HAND_OFF_BUCKET_MS = 20
log = logging.getLogger("plaza.activity")


class _JobQueue(Protocol):
    async def enqueue_job(self, function: str, *args: Any, **kwargs: Any) -> Any: ...


class _Services(Protocol):
    @property
    def jobs(self) -> _JobQueue: ...

    @property
    def keys(self) -> Any: ...


async def hand_off(services: _Services, event_ids: Sequence[str]) -> None:
    """Call after the transaction that recorded these events committed: their rewards are
    settled within ~a bucket plus the worker's poll delay. If this is lost (a crash, Redis
    down), the sweeper settles them `settle_sweep_seconds` later; nothing is skipped."""
    if not event_ids:
        return
    bucket = int(time.time() * 1000) // HAND_OFF_BUCKET_MS
    ends = datetime.fromtimestamp((bucket + 1) * HAND_OFF_BUCKET_MS / 1000, UTC)
    try:
        await services.jobs.enqueue_job(
            "settle_pending", _job_id=services.keys.settle_job(bucket), _defer_until=ends
        )
    except Exception:  # the change and its events are committed: the sweeper settles them
        log.warning("hand-off failed; the sweeper will settle", extra={"events": list(event_ids)})


def new_event_id(at: datetime | None = None) -> str:
    """32 hex digits: 12 of milliseconds, then 20 random (80 bits), sortable by time."""
    millis = int((at.timestamp() if at else time.time()) * 1000)
    return f"{millis:012x}{os.urandom(10).hex()}"


class EventContractError(ValueError):
    """An event that does not fit `rules/events.py`: a bug in the code that records it."""


def check_contract(
    type_: str,
    ident: str,
    actor_id: int,
    subject_id: int | None,
    at: datetime,
    data: dict[str, Any],
) -> None:
    payload = {
        "id": ident,
        "type": type_,
        "actor": str(actor_id),
        "at": at,
        **({"subject": str(subject_id)} if subject_id is not None else {}),
        **data,
    }
    problems = validate_event(payload)
    if problems:
        raise EventContractError("; ".join(problems))


def deterministic_id(*parts: object) -> str:
    """The id of an event that may happen only once for these parts (e.g. once a day)."""
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:32]


async def record(
    type_: str,
    actor_id: int,
    data: dict[str, Any] | None = None,
    *,
    subject_id: int | None = None,
    at: datetime | None = None,
    event_id: str | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> ActivityEvent | None:
    """Write one event. With an explicit `event_id`, a second write of the same event is a
    no-op (returns None): that is how once-a-day events stay once a day."""
    moment = at or datetime.now(UTC)
    ident = event_id or new_event_id(moment)
    check_contract(type_, ident, actor_id, subject_id, moment, data or {})
    try:
        return await ActivityEvent.create(
            id=ident,
            type=type_,
            actor_id=actor_id,
            subject_id=subject_id,
            at=moment,
            data=data or {},
            using_db=using_db,
        )
    except IntegrityError:
        if event_id is None:
            raise
        return None


# Daily-login keys this process has already set, with their day: the Redis SET is skipped
# for them, so an employee costs one Redis round trip per process per day instead of one per
# request (a feed page makes five round trips in all). Keyed by the full key, so Redis
# prefixes (tests, benches) stay apart; emptied when the day changes.
_seen_today: dict[str, str] = {}


async def note_daily_login(redis: Any, keys: Any, zone: Any, employee_id: int) -> None:
    """Record `user.daily_login` on the first authenticated request of the calendar day (in
    the company zone). Redis remembers who was seen today so that this costs one SET per
    process and day, not a database write per request; the deterministic event id keeps it
    once a day even if Redis forgets."""
    moment = datetime.now(UTC)
    day = moment.astimezone(zone).date().isoformat()
    key = keys.daily_seen(day, employee_id)
    if _seen_today.get(key) == day:
        return
    if _seen_today and next(iter(_seen_today.values())) != day:
        _seen_today.clear()
    seen_before = not await redis.set(key, b"1", nx=True, ex=2 * 86400)
    _seen_today[key] = day
    if seen_before:
        return
    await record(
        "user.daily_login",
        employee_id,
        {},
        at=moment,
        event_id=deterministic_id("user.daily_login", employee_id, day),
    )
