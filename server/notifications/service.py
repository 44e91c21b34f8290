"""Notifications: created in one place, `notify`, which commits and then pushes each new
one to the recipient's open tabs (`notification` and `notification.unread` in their
personal room, on every web process; from a worker through the write-only manager). The
row is the truth, the event a hint: a client that missed it reads `GET /api/notifications`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from realtime.events import NotificationEvent
from realtime.notify import push_notification
from server.models import Notification
from server.services import Services

MAX_PAGE = 100
PUSH_AT_ONCE = 32


async def notify(
    services: Services,
    employee_ids: Iterable[int],
    kind: str,
    payload: dict[str, Any],
    dedupe: str,
) -> list[int]:
    """Create one notification per employee (once per `dedupe` key, so a job that runs
    twice notifies once); returns the ids of those notified now."""
    return await notify_each(services, kind, [(e, payload, dedupe) for e in set(employee_ids)])


async def notify_each(
    services: Services, kind: str, items: Sequence[tuple[int, dict[str, Any], str]]
) -> list[int]:
    """`notify` with a payload and a dedupe key per employee (each contest winner's own
    place), in one transaction and one push for all of them."""
    chosen = {f"{kind}:{dedupe}:{e}"[:120]: (e, payload) for e, payload, dedupe in items}
    if not chosen:
        return []
    keys = sorted(chosen)
    async with in_transaction() as conn:
        existing = {
            str(k)
            for k in await Notification.filter(dedupe_key__in=keys)
            .using_db(conn)
            .values_list("dedupe_key", flat=True)
        }
        fresh = [
            Notification(employee_id=chosen[k][0], kind=kind, payload=chosen[k][1], dedupe_key=k)
            for k in keys
            if k not in existing
        ]
        await Notification.bulk_create(fresh, ignore_conflicts=True, using_db=conn)
    if fresh:
        await _push(services, [str(n.dedupe_key) for n in fresh])
    return sorted(n.employee_id for n in fresh)


async def _push(services: Services, dedupe_keys: list[str]) -> None:
    # Read back by key: bulk_create does not return ids on every database. Two queries
    # for any number of recipients (a mention of a department may notify hundreds).
    rows = await Notification.filter(dedupe_key__in=dedupe_keys).order_by("id")
    unread = dict(
        await Notification.filter(employee_id__in=[r.employee_id for r in rows], read_at=None)
        .annotate(n=Count("id"))
        .group_by("employee_id")
        .values_list("employee_id", "n")
    )

    async def push(row: Notification) -> None:
        by = row.payload.get("by")
        event = NotificationEvent(
            id=row.id,
            kind=row.kind,
            payload=row.payload,
            actor_id=by if isinstance(by, int) else None,
            at=row.created_at,
        )
        await push_notification(
            services.publisher, row.employee_id, event, unread=int(unread.get(row.employee_id, 0))
        )

    # Many recipients (a contest's winners) at once: their pushes overlap on the Redis
    # connections instead of waiting for each other's round trips; one person's own two
    # events (the notification, then the unread count) stay in order.
    for start in range(0, len(rows), PUSH_AT_ONCE):
        await asyncio.gather(*(push(row) for row in rows[start : start + PUSH_AT_ONCE]))


async def list_for(
    employee_id: int, *, before: int | None, unread_only: bool, limit: int
) -> list[Notification]:
    query = Notification.filter(employee_id=employee_id)
    if before is not None:
        query = query.filter(id__lt=before)
    if unread_only:
        query = query.filter(read_at=None)
    return await query.order_by("-id").limit(min(limit, MAX_PAGE))


async def unread_count(employee_id: int) -> int:
    return await Notification.filter(employee_id=employee_id, read_at=None).count()


async def mark_read(employee_id: int, ids: list[int] | None) -> int:
    """Mark some (or, with None, all) of MY notifications read; others' ids are ignored."""
    query = Notification.filter(employee_id=employee_id, read_at=None)
    if ids is not None:
        query = query.filter(id__in=ids)
    return await query.update(read_at=datetime.now(UTC))
