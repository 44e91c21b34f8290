"""Posts and everything hanging off them: audiences, the archive of versions, comments,
reactions, views, read confirmations and attachments."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from server.models.community import Channel, Group
from server.models.org import Employee


class PostKind(StrEnum):
    POST = "post"
    NEWS = "news"  # a post in a company channel
    KUDOS = "kudos"


class Post(Model):
    """A post lives in exactly one stream: a channel ("c:<id>"), a group ("g:<id>") or its
    author's blog ("u:<id>"). The feed is "posts whose stream I take, newest first": one
    index seek per stream on (stream, id), whatever the size of the table."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(PostKind, max_length=8, default=PostKind.POST)
    stream = fields.CharField(max_length=24)
    author: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    channel: fields.ForeignKeyNullableRelation[Channel] = fields.ForeignKeyField(
        "plaza.Channel", related_name=False, null=True, on_delete=fields.CASCADE
    )
    group: fields.ForeignKeyNullableRelation[Group] = fields.ForeignKeyField(
        "plaza.Group", related_name=False, null=True, on_delete=fields.CASCADE
    )
    kudos_to: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    body = fields.TextField()  # the Markdown source
    html = fields.TextField()  # rendered and sanitised once, on write
    # No audience rows means everyone who takes the stream; rows narrow it (union of tokens).
    audience_all = fields.BooleanField(default=True)
    pinned = fields.BooleanField(default=False)
    pinned_at = fields.DatetimeField(null=True)
    banner = fields.BooleanField(default=False)
    needs_confirmation = fields.BooleanField(default=False)
    comment_count = fields.IntField(default=0)
    reaction_count = fields.IntField(default=0)
    view_count = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)

    author_id: int
    channel_id: int | None
    group_id: int | None
    kudos_to_id: int | None

    class Meta:
        table = "post"
        indexes = (("stream", "id"), ("pinned", "stream"), ("author_id", "id"), ("created_at",))


class PostAudience(Model):
    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "plaza.Post", related_name="audience", on_delete=fields.CASCADE
    )
    token = fields.CharField(max_length=40)

    post_id: int

    class Meta:
        table = "post_audience"
        unique_together = (("post", "token"),)


class ArchiveReason(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"


class ArchivedText(Model):
    """Append-only: the text a post or comment had before an edit or a deletion. Nothing in
    the code updates or deletes these rows; only moderators and admins read them."""

    id = fields.IntField(primary_key=True)
    post_id = fields.IntField()
    comment_id = fields.IntField(null=True)
    author_id = fields.IntField()
    editor_id = fields.IntField()
    reason = fields.CharEnumField(ArchiveReason, max_length=8)
    body = fields.TextField()
    written_at = fields.DatetimeField()  # when this text was written
    archived_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "archived_text"
        indexes = (("post_id", "id"),)


class Comment(Model):
    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "plaza.Post", related_name="comments", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    # One level of replies: a reply's parent is always a top-level comment.
    parent: fields.ForeignKeyNullableRelation[Comment] = fields.ForeignKeyField(
        "plaza.Comment", related_name=False, null=True, on_delete=fields.CASCADE
    )
    body = fields.TextField()
    html = fields.TextField()
    created_at = fields.DatetimeField()
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)

    post_id: int
    author_id: int
    parent_id: int | None

    class Meta:
        table = "comment"
        indexes = (("post_id", "id"),)


class Reaction(Model):
    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "plaza.Post", related_name=False, on_delete=fields.CASCADE
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    emoji = fields.CharField(max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)

    post_id: int
    employee_id: int

    class Meta:
        table = "reaction"
        unique_together = (("post", "employee", "emoji"),)


class PostView(Model):
    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "plaza.Post", related_name=False, on_delete=fields.CASCADE
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    post_id: int
    employee_id: int

    class Meta:
        table = "post_view"
        unique_together = (("post", "employee"),)


class ReadConfirmation(Model):
    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "plaza.Post", related_name=False, on_delete=fields.CASCADE
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    post_id: int
    employee_id: int

    class Meta:
        table = "read_confirmation"
        unique_together = (("post", "employee"),)


class Attachment(Model):
    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyNullableRelation[Post] = fields.ForeignKeyField(
        "plaza.Post", related_name="attachments", null=True, on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    media_type = fields.CharField(max_length=64)
    size = fields.IntField()
    path = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)

    owner_id: int
    post_id: int | None

    class Meta:
        table = "attachment"


class FeedMarker(Model):
    """The newest post id an employee has seen at the top of the home feed."""

    employee_id = fields.IntField(primary_key=True)
    last_seen_id = fields.IntField(default=0)

    class Meta:
        table = "feed_marker"
