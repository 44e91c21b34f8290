"""The activity-event outbox: written in the same transaction as the change it records,
handed to the rules engine after commit, re-sent by a sweeper when the hand-off is lost."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class ActivityEvent(Model):
    id = fields.CharField(max_length=32, primary_key=True)
    type = fields.CharField(max_length=64)
    actor_id = fields.IntField()
    subject_id = fields.IntField(null=True)
    at = fields.DatetimeField()
    data = fields.JSONField[dict[str, Any]](default=dict)
    settled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "activity_event"
        # ("at",): the analytics roll-up reads one day of every type.
        indexes = (("type", "at"), ("settled_at", "at"), ("actor_id", "at"), ("at",))
