"""Server-side sessions and personal API tokens; both stored hashed so a database leak
does not hand out live credentials."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from server.models.org import Employee


class Session(Model):
    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name="sessions", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    ip = fields.CharField(max_length=64, default="")
    user_agent = fields.CharField(max_length=300, default="")
    revoked_at = fields.DatetimeField(null=True)

    employee_id: int

    class Meta:
        table = "session"


class ApiToken(Model):
    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    # The first characters of the token, shown in listings so a user can tell tokens apart.
    prefix = fields.CharField(max_length=16)
    name = fields.CharField(max_length=100)
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name="api_tokens", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    employee_id: int

    class Meta:
        table = "api_token"
