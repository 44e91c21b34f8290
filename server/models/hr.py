"""A record of each HR import, so an admin can follow one started over HTTP."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class HrImport(Model):
    id = fields.IntField(primary_key=True)
    started_by_id = fields.IntField(null=True)
    filename = fields.CharField(max_length=255)
    full = fields.BooleanField(default=False)
    status = fields.CharField(max_length=16, default="queued")  # queued, running, done, failed
    summary = fields.JSONField[dict[str, Any]](null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "hr_import"
