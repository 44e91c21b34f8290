"""Moderation: watched words, reports, the cases of the moderators' queue, and mutes."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from server.moderation.words import Action, Kind


class WatchedWord(Model):
    id = fields.IntField(primary_key=True)
    pattern = fields.CharField(max_length=200)
    kind = fields.CharEnumField(Kind, max_length=8)
    action = fields.CharEnumField(Action, max_length=8)
    note = fields.CharField(max_length=200, default="")
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "watched_word"
        unique_together = (("pattern", "kind"),)


class ItemKind(StrEnum):
    POST = "post"
    COMMENT = "comment"
    MESSAGE = "message"  # a chat message
    STORY = "story"


class CaseStatus(StrEnum):
    OPEN = "open"  # reported or flagged, waiting
    HELD = "held"  # require approval: not shown to others until approved
    HIDDEN = "hidden"  # taken down, can be restored
    DELETED = "deleted"
    RESOLVED = "resolved"  # dismissed, restored or approved: nothing more to do


class ModerationCase(Model):
    """One per reported or flagged item: the queue's row. `priority` is recomputed on each
    report and flag (server/moderation/service.py says how)."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(ItemKind, max_length=8)
    target_id = fields.IntField()
    author_id = fields.IntField()
    post_id = fields.IntField(null=True)  # the post, or the post a comment is on
    chat_id = fields.IntField(null=True)
    excerpt = fields.TextField()
    status = fields.CharEnumField(CaseStatus, max_length=8, default=CaseStatus.OPEN)
    flags = fields.IntField(default=0)
    reports = fields.IntField(default=0)
    priority = fields.FloatField(default=0)
    matched = fields.JSONField[list[dict[str, Any]]](default=list)  # watched-word hits
    warned = fields.BooleanField(default=False)
    decided_by_id = fields.IntField(null=True)
    decided_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "moderation_case"
        unique_together = (("kind", "target_id"),)
        indexes = (("status", "priority"),)


class ReportOutcome(StrEnum):
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class Report(Model):
    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[ModerationCase] = fields.ForeignKeyField(
        "plaza.ModerationCase", related_name="report_rows", on_delete=fields.CASCADE
    )
    reporter_id = fields.IntField()
    reason = fields.CharField(max_length=500)
    outcome = fields.CharEnumField(ReportOutcome, max_length=10, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    case_id: int

    class Meta:
        table = "moderation_report"
        unique_together = (("case", "reporter_id"),)
        indexes = (("reporter_id", "outcome"),)


class Mute(Model):
    """Until `until`, the employee cannot post, comment or chat."""

    employee_id = fields.IntField(primary_key=True)
    until = fields.DatetimeField()
    reason = fields.CharField(max_length=500, default="")
    by_id = fields.IntField()
    created_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "moderation_mute"
