"""Notifications: created in one place, `notify`, which commits and then publishes.

The realtime server subscribes to the `notifications` channel and pushes each new
notification to the recipient's open browsers; the row is the truth, the message a hint.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson
from tortoise.transactions import in_transaction

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
        message = orjson.dumps({"kind": kind, "employees": notified, "payload": payload})
        await services.redis.publish(services.keys.notifications, message)
    return notified


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
