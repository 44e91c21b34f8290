"""Notifications: created in one place, `notify`, which commits and then pushes each new
one to the recipient's open tabs (`notification` and `notification.unread` in their
personal room, on every web process; from a worker through the write-only manager). The
row is the truth, the event a hint: a client that missed it reads `GET /api/notifications`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from realtime.events import NotificationEvent
from realtime.notify import push_notification
from server.community.sql import ints
from server.models import Notification
from server.services import Services

MAX_PAGE = 100


async def notify(
    services: Services,
    employee_ids: Iterable[int],
    kind: str,
    payload: dict[str, Any],
    dedupe: str,
) -> list[int]:
    """Create one notification per employee (once per `dedupe` key, so a job that runs
    twice notifies once); returns the ids of those notified now."""
    targets = sorted(set(employee_ids))
    if not targets:
        return []
    keys = [f"{kind}:{dedupe}:{e}"[:120] for e in targets]
    async with in_transaction() as conn:
        existing = set(
            ints(
                await Notification.filter(dedupe_key__in=keys)
                .using_db(conn)
                .values_list("employee_id", flat=True)
            )
        )
        fresh = [
            Notification(employee_id=e, kind=kind, payload=payload, dedupe_key=k)
            for e, k in zip(targets, keys, strict=True)
            if e not in existing
        ]
        await Notification.bulk_create(fresh, ignore_conflicts=True, using_db=conn)
    notified = [n.employee_id for n in fresh]
    if notified:
        await _push(services, [k for e, k in zip(targets, keys, strict=True) if e not in existing])
    return notified


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
    for row in rows:
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
