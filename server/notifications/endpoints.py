"""My notifications: list and mark read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from server.api import Api, Ctx
from server.notifications import service
from server.posts.out import people
from server.posts.schemas import PersonRef
from server.schemas import Strict

api = Api()
TAGS = ["notifications"]


class NotificationQuery(Strict):
    cursor: int | None = None
    unread: bool = False
    limit: int = Field(default=50, ge=1, le=100)


class NotificationOut(BaseModel):
    id: int
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    read_at: datetime | None
    # Who did it (`payload.by`, or the person asking to join a group), so the app can say
    # "Anna mentioned you" without a request per row; None for the system's own.
    actor: PersonRef | None = None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    unread_count: int
    next_cursor: str | None


class MarkRead(Strict):
    ids: list[int] | None = Field(default=None, max_length=500)  # none: all of mine


class MarkedOut(BaseModel):
    marked: int


@api.route("GET", "/api/notifications", summary="My notifications, newest first", tags=TAGS,
           query=NotificationQuery, response=NotificationPage)  # fmt: skip
async def list_notifications(ctx: Ctx, query: NotificationQuery) -> NotificationPage:
    rows = await service.list_for(
        ctx.me.id, before=query.cursor, unread_only=query.unread, limit=query.limit + 1
    )
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    actors = {r.id: _actor_id(r.payload) for r in rows}
    found = await people({a for a in actors.values() if a is not None})
    items = []
    for r in rows:
        item = NotificationOut.model_validate(r, from_attributes=True)
        actor = actors[r.id]
        item.actor = found.get(actor) if actor is not None else None
        items.append(item)
    return NotificationPage(
        items=items,
        unread_count=await service.unread_count(ctx.me.id),
        next_cursor=str(rows[-1].id) if more else None,
    )


def _actor_id(payload: dict[str, Any]) -> int | None:
    for key in ("by", "employee_id"):
        value = payload.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


@api.route("POST", "/api/notifications/read", summary="Mark my notifications read", tags=TAGS,
           body=MarkRead, response=MarkedOut)  # fmt: skip
async def mark_read(ctx: Ctx, body: MarkRead) -> MarkedOut:
    return MarkedOut(marked=await service.mark_read(ctx.me.id, body.ids))
