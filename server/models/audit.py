"""The audit log: one append-only row per moderator and admin action, hash-chained."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    """Never updated or deleted (the database refuses both: see migration 0006_audit).
    `hash` is the SHA-256 of the row's canonical content, which includes `prev_hash`, the
    previous row's hash: changing, inserting or removing any row breaks the chain."""

    seq = fields.BigIntField(primary_key=True, generated=False)  # 1, 2, 3... without gaps
    at = fields.DatetimeField(db_index=True)
    actor_id = fields.IntField(null=True, db_index=True)  # null: the system
    action = fields.CharField(max_length=64, db_index=True)  # "shop.item.update", ...
    target = fields.CharField(max_length=128, default="", db_index=True)  # "employee:12"
    detail = fields.JSONField[dict[str, Any]](default=dict)
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "audit_entry"
