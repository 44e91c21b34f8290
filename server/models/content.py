"""The comms team's content tools: scheduled posts and read-confirmation reminders."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from server.models.org import Employee


class ScheduleState(StrEnum):
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class ScheduledPost(Model):
    """A post written now and published by the worker at `publish_at`. The worker claims a
    due row by moving it from `scheduled` to `published` in the same transaction that
    creates the post, so the post exists exactly once whoever races and whenever a worker
    dies (a transaction that did not commit left the row `scheduled`)."""

    id = fields.IntField(primary_key=True)
    author: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    payload = fields.JSONField[dict[str, Any]]()  # the PostIn body as the API received it
    publish_at: datetime = fields.DatetimeField()
    state = fields.CharEnumField(ScheduleState, max_length=10, default=ScheduleState.SCHEDULED)
    post_id = fields.IntField(null=True)
    error = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    author_id: int

    class Meta:
        table = "scheduled_post"
        indexes = (("state", "publish_at"),)


class ConfirmationReminder(Model):
    """The one reminder a post requiring confirmation may send (unique per post)."""

    id = fields.IntField(primary_key=True)
    post_id = fields.IntField(unique=True)
    sent_by_id = fields.IntField()
    recipients = fields.IntField(default=0)
    sent_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "confirmation_reminder"
