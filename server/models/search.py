"""The search index and the daily digest."""

from __future__ import annotations

from datetime import date

from tortoise import fields
from tortoise.models import Model


class SearchDoc(Model):
    """One searchable text: a post, a comment, a person or a group. Full-text indexing is
    per dialect and lives outside the model (migration 0002): an FTS5 table kept in step by
    triggers on SQLite, a generated tsvector column with a GIN index on PostgreSQL. Person
    rows are written by a trigger on `employee`, so every way of changing a person (HR
    import, profile edit) keeps the index right."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=8)  # post, comment, person, group
    ref_id = fields.IntField()
    post_id = fields.IntField(null=True)  # for posts and comments: what decides visibility
    body = fields.TextField()

    class Meta:
        table = "search_doc"
        unique_together = (("kind", "ref_id"),)


class Digest(Model):
    day: date = fields.DateField(primary_key=True)
    post_ids = fields.JSONField[list[int]](default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Set when comms chose the posts by hand: the daily job then keeps their choice.
    edited_by_id = fields.IntField(null=True)
    edited_at = fields.DatetimeField(null=True)

    class Meta:
        table = "digest"


class DigestDelivery(Model):
    id = fields.IntField(primary_key=True)
    day = fields.DateField()
    employee_id = fields.IntField()
    sent_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "digest_delivery"
        unique_together = (("day", "employee_id"),)
