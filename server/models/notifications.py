"""Notifications shown to one employee (mentions, kudos, invitations, replies)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from server.models.org import Employee


class Notification(Model):
    id = fields.IntField(primary_key=True)
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=32)
    payload = fields.JSONField[dict[str, Any]](default=dict)
    # A job that runs twice creates each notification once: same key, same row.
    dedupe_key = fields.CharField(max_length=120, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    employee_id: int

    class Meta:
        table = "notification"
        indexes = (("employee_id", "id"), ("employee_id", "read_at"))
