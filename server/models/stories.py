"""Stories: image or text, gone 24 hours after posting; company stories pinned by comms."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from server.models.org import Employee


class StoryKind(StrEnum):
    IMAGE = "image"
    TEXT = "text"


class Story(Model):
    id = fields.IntField(primary_key=True)
    author: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name="stories", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(StoryKind, max_length=8)
    text = fields.CharField(max_length=500, default="")
    background = fields.CharField(max_length=16, default="#3b5bdb")
    image_path = fields.CharField(max_length=255, null=True)
    image_type = fields.CharField(max_length=32, null=True)
    # A company story: shown first to everyone; comms may keep it up to 7 days.
    pinned = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    deleted_at = fields.DatetimeField(null=True)

    author_id: int

    class Meta:
        table = "story"
        indexes = (("expires_at",), ("author_id", "created_at"))


class StoryView(Model):
    id = fields.IntField(primary_key=True)
    story: fields.ForeignKeyRelation[Story] = fields.ForeignKeyField(
        "plaza.Story", related_name="views", on_delete=fields.CASCADE
    )
    viewer: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name="story_views", on_delete=fields.CASCADE
    )
    viewed_at = fields.DatetimeField(auto_now_add=True)

    story_id: int
    viewer_id: int

    class Meta:
        table = "story_view"
        unique_together = (("story", "viewer"),)
