"""Chats: direct messages and group chats, their members and messages, and the moderation
archive that keeps the original of every edited or deleted message."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from server.models.org import Employee


class ChatKind(StrEnum):
    DIRECT = "direct"
    GROUP = "group"


class Chat(Model):
    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(ChatKind, max_length=8)
    title = fields.CharField(max_length=200, default="")
    # "<smaller id>:<larger id>" for a direct chat, so that a pair has exactly one.
    direct_key = fields.CharField(max_length=40, unique=True, null=True)
    created_by: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name="created_chats", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    last_message_at = fields.DatetimeField(null=True)

    created_by_id: int | None

    class Meta:
        table = "chat"


class ChatMember(Model):
    id = fields.IntField(primary_key=True)
    chat: fields.ForeignKeyRelation[Chat] = fields.ForeignKeyField(
        "plaza.Chat", related_name="members", on_delete=fields.CASCADE
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name="chat_memberships", on_delete=fields.CASCADE
    )
    joined_at = fields.DatetimeField(auto_now_add=True)
    # The id of the last message this member has read: unread = messages after it.
    last_read_id = fields.BigIntField(default=0)

    chat_id: int
    employee_id: int

    class Meta:
        table = "chat_member"
        unique_together = (("chat", "employee"),)


class ChatMessage(Model):
    id = fields.BigIntField(primary_key=True)
    chat: fields.ForeignKeyRelation[Chat] = fields.ForeignKeyField(
        "plaza.Chat", related_name="messages", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name="chat_messages", on_delete=fields.CASCADE
    )
    body = fields.TextField(default="")
    sticker = fields.CharField(max_length=64, null=True)
    attachment_path = fields.CharField(max_length=255, null=True)
    attachment_name = fields.CharField(max_length=200, null=True)
    attachment_type = fields.CharField(max_length=100, null=True)
    attachment_size = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)

    chat_id: int
    author_id: int

    class Meta:
        table = "chat_message"
        indexes = (("chat_id", "id"),)


class ChatArchiveAction(StrEnum):
    EDIT = "edit"
    DELETE = "delete"


class ChatMessageArchive(Model):
    """The text as it was before an edit or a deletion, readable by moderators and admins."""

    id = fields.IntField(primary_key=True)
    message_id = fields.BigIntField()
    chat_id = fields.IntField()
    author_id = fields.IntField()
    action = fields.CharEnumField(ChatArchiveAction, max_length=8)
    body = fields.TextField(default="")
    sticker = fields.CharField(max_length=64, null=True)
    attachment_name = fields.CharField(max_length=200, null=True)
    original_created_at = fields.DatetimeField()
    archived_at = fields.DatetimeField(auto_now_add=True)
    by_id = fields.IntField()

    class Meta:
        table = "chat_message_archive"
        indexes = (("message_id",), ("chat_id", "archived_at"))
