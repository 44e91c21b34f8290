"""Ruleset versions (immutable, by content hash) and the append-only publication log."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class RulesetVersion(Model):
    id = fields.IntField(primary_key=True)
    version = fields.CharField(max_length=64, unique=True)  # sha256 of the canonical text
    text = fields.TextField()
    author_id = fields.IntField(null=True)  # null: the system (the shipped default)
    message = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ruleset_version"


class RulesetPublication(Model):
    """The ruleset live from `published_at` on, until the next publication. Never updated:
    an event is judged by the version whose publication precedes it."""

    id = fields.IntField(primary_key=True)
    ruleset: fields.ForeignKeyRelation[RulesetVersion] = fields.ForeignKeyField(
        "plaza.RulesetVersion", related_name="publications", on_delete=fields.RESTRICT
    )
    action = fields.CharField(max_length=16)  # publish, rollback
    published_by_id = fields.IntField(null=True)
    message = fields.CharField(max_length=500, default="")
    published_at = fields.DatetimeField(db_index=True)

    ruleset_id: int

    class Meta:
        table = "ruleset_publication"
