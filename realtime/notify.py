"""Delivering a notification to one employee's open tabs.

Storage is not here: the community code owns the notifications table, writes the row,
commits, then calls `push_notification` with the row as a `NotificationEvent` and, when it
knows it, the new unread count.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from realtime import rooms
from realtime.events import NotificationEvent, NotificationUnread
from realtime.publisher import Publisher


async def push_notification(
    publisher: Publisher,
    employee_id: int,
    payload: NotificationEvent | Mapping[str, Any],
    *,
    unread: int | None = None,
) -> int | None:
    """Emit `notification` (and `notification.unread` when `unread` is given) to the
    employee's personal room on every process. Returns the notification's `seq`."""
    room = rooms.personal(employee_id)
    seq = await publisher.publish("notification", payload, room)
    if unread is not None:
        await publisher.publish("notification.unread", NotificationUnread(count=unread), room)
    return seq
