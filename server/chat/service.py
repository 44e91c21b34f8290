"""Chat logic: membership, messages, receipts, the moderation archive. Every change is
committed first and published after (write, then notify)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from realtime import rooms
from realtime.events import ChatAttachment, ChatMessageEvent, ChatRead
from realtime.server import publish_room_change
from server import uploads
from server.errors import ApiError, forbidden, not_found
from server.models import (
    Chat,
    ChatArchiveAction,
    ChatKind,
    ChatMember,
    ChatMessage,
    ChatMessageArchive,
    Employee,
    ItemKind,
    Role,
)
from server.moderation import service as moderation
from server.services import Services

MAX_BODY = 4000
MAX_GROUP_MEMBERS = 500
MODERATORS = frozenset({Role.MODERATOR, Role.ADMIN})


@functools.cache
def sticker_pack() -> dict[str, Any]:
    raw = resources.files("server.chat").joinpath("stickers.json").read_bytes()
    pack: dict[str, Any] = orjson.loads(raw)
    return pack


def sticker_ids() -> frozenset[str]:
    return frozenset(s["id"] for s in sticker_pack()["stickers"])


async def chat_rooms(employee_id: int) -> list[str]:
    """Room source for the resolver: one room per chat the employee is in."""
    rows = await ChatMember.filter(employee_id=employee_id).values("chat_id")
    return [rooms.chat(row["chat_id"]) for row in rows]


async def _membership(chat_id: int, employee_id: int) -> ChatMember:
    member = await ChatMember.get_or_none(chat_id=chat_id, employee_id=employee_id)
    if member is None:
        # Not a member and no such chat look the same: chat ids are not to be probed.
        raise not_found()
    return member


async def _active_employees(ids: set[int]) -> list[Employee]:
    found = await Employee.filter(id__in=list(ids), status="active")
    if len(found) != len(ids):
        raise ApiError(422, "validation_failed", field="member_ids", reason="unknown employee")
    return found


async def _announce_members(services: Services, chat_id: int, employee_ids: list[int]) -> None:
    for employee_id in employee_ids:
        await publish_room_change(
            services.redis, services.keys, "enter", employee_id, rooms.chat(chat_id)
        )


async def open_direct(services: Services, me: Employee, other_id: int) -> Chat:
    if other_id == me.id:
        raise ApiError(422, "validation_failed", field="employee_id", reason="that is you")
    await _active_employees({other_id})
    key = f"{min(me.id, other_id)}:{max(me.id, other_id)}"
    chat = await Chat.get_or_none(direct_key=key)
    if chat is not None:
        return chat
    try:
        async with in_transaction():
            chat = await Chat.create(kind=ChatKind.DIRECT, direct_key=key, created_by=me)
            await ChatMember.create(chat=chat, employee_id=me.id)
            await ChatMember.create(chat=chat, employee_id=other_id)
    except IntegrityError:  # both opened it at the same moment: one chat per pair
        return await Chat.get(direct_key=key)
    await _announce_members(services, chat.id, [me.id, other_id])
    return chat


async def create_group(services: Services, me: Employee, title: str, member_ids: list[int]) -> Chat:
    ids = set(member_ids) - {me.id}
    if len(ids) + 1 > MAX_GROUP_MEMBERS:
        raise ApiError(422, "validation_failed", field="member_ids", reason="too many members")
    await _active_employees(ids)
    async with in_transaction():
        chat = await Chat.create(kind=ChatKind.GROUP, title=title, created_by=me)
        for employee_id in (me.id, *sorted(ids)):
            await ChatMember.create(chat=chat, employee_id=employee_id)
    await _announce_members(services, chat.id, [me.id, *sorted(ids)])
    return chat


async def add_member(services: Services, me: Employee, chat_id: int, employee_id: int) -> None:
    await _membership(chat_id, me.id)
    chat = await Chat.get(id=chat_id)
    if chat.kind is not ChatKind.GROUP:
        raise forbidden()
    await _active_employees({employee_id})
    if await ChatMember.exists(chat_id=chat_id, employee_id=employee_id):
        return
    await ChatMember.create(chat_id=chat_id, employee_id=employee_id)
    await _announce_members(services, chat_id, [employee_id])


async def remove_member(services: Services, me: Employee, chat_id: int, employee_id: int) -> None:
    """Leave a group chat (oneself), or remove someone (its creator). Every socket of the
    removed person, on every process, leaves the chat's room at once."""
    await _membership(chat_id, me.id)
    chat = await Chat.get(id=chat_id)
    if chat.kind is not ChatKind.GROUP:
        raise forbidden()
    if employee_id != me.id and chat.created_by_id != me.id:
        raise forbidden()
    deleted = await ChatMember.filter(chat_id=chat_id, employee_id=employee_id).delete()
    if deleted:
        await publish_room_change(
            services.redis, services.keys, "leave", employee_id, rooms.chat(chat_id)
        )


@dataclass
class ChatSummary:
    chat: Chat
    member_ids: list[int]
    unread: int
    last_read_id: int
    last_message: ChatMessage | None
    read_ids: dict[int, int]


async def list_chats(me: Employee, limit: int = 100) -> list[ChatSummary]:
    memberships = await ChatMember.filter(employee_id=me.id).select_related("chat")
    memberships.sort(key=lambda m: m.chat.last_message_at or m.chat.created_at, reverse=True)
    summaries = []
    # One count per chat: at most `limit` small indexed queries (chat_id, id).
    for member in memberships[:limit]:
        unread = (
            await ChatMessage.filter(
                chat_id=member.chat_id, id__gt=member.last_read_id, deleted_at=None
            )
            .exclude(author_id=me.id)
            .count()
        )
        last = await ChatMessage.filter(chat_id=member.chat_id).order_by("-id").first()
        member_rows = await ChatMember.filter(chat_id=member.chat_id).values(
            "employee_id", "last_read_id"
        )
        summaries.append(
            ChatSummary(
                chat=member.chat,
                member_ids=sorted(r["employee_id"] for r in member_rows),
                unread=unread,
                last_read_id=member.last_read_id,
                last_message=last,
                read_ids={r["employee_id"]: r["last_read_id"] for r in member_rows},
            )
        )
    return summaries


async def history(
    me: Employee, chat_id: int, before: int | None, limit: int
) -> tuple[list[ChatMessage], int | None]:
    """Newest first; `before` is the cursor (a message id). Returns the next cursor."""
    await _membership(chat_id, me.id)
    query = ChatMessage.filter(chat_id=chat_id)
    if before is not None:
        query = query.filter(id__lt=before)
    rows = await query.order_by("-id").limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def message_event(message: ChatMessage, change: str = "new") -> ChatMessageEvent:
    attachment = None
    if message.attachment_path and message.deleted_at is None:
        attachment = ChatAttachment(
            name=message.attachment_name or "file",
            media_type=message.attachment_type or "application/octet-stream",
            size=message.attachment_size or 0,
            url=f"/api/chats/{message.chat_id}/messages/{message.id}/attachment",
        )
    deleted = message.deleted_at is not None
    return ChatMessageEvent(
        chat_id=message.chat_id,
        message_id=message.id,
        author_id=message.author_id,
        body="" if deleted else message.body,
        sticker=None if deleted else message.sticker,
        attachment=attachment,
        created_at=message.created_at,
        edited_at=message.edited_at,
        deleted=deleted,
        change=change,
    )


async def _publish(services: Services, message: ChatMessage, change: str) -> None:
    await services.publisher.publish(
        "chat.message", message_event(message, change), rooms.chat(message.chat_id)
    )


async def send(
    services: Services,
    me: Employee,
    chat_id: int,
    body: str,
    sticker: str | None,
    attachment: tuple[bytes, str, str] | None = None,
) -> ChatMessage:
    """Store a message, then deliver it. `attachment` is (data, name, declared type)."""
    member = await _membership(chat_id, me.id)
    body = body.strip()
    if len(body) > MAX_BODY:
        raise ApiError(422, "validation_failed", field="body", reason=f"longer than {MAX_BODY}")
    if sticker is not None and sticker not in sticker_ids():
        raise ApiError(422, "validation_failed", field="sticker", reason="not in the sticker pack")
    if not body and sticker is None and attachment is None:
        raise ApiError(422, "validation_failed", field="body", reason="the message is empty")
    # Chat shows the stored text as it is, so a censored word is stored masked.
    screened = await moderation.screen(me.id, body)
    body = screened.shown
    fields: dict[str, Any] = {}
    if screened.held:
        fields["deleted_at"] = datetime.now(UTC)  # delivered once a moderator approves
    if attachment is not None:
        fields |= await _store_attachment(services, chat_id, *attachment)
    async with in_transaction():
        message = await ChatMessage.create(
            chat_id=chat_id, author_id=me.id, body=body, sticker=sticker, **fields
        )
        await Chat.filter(id=chat_id).update(last_message_at=message.created_at)
        # The author has read their own message.
        await ChatMember.filter(id=member.id).update(last_read_id=message.id)
    await moderation.flagged(services, screened, _item(message))
    if not screened.held:
        await _publish(services, message, "new")
    return message


def _item(message: ChatMessage) -> moderation.Item:
    return moderation.Item(
        ItemKind.MESSAGE, message.id, message.author_id, message.body, chat_id=message.chat_id
    )


async def _store_attachment(
    services: Services, chat_id: int, data: bytes, name: str, declared: str
) -> dict[str, Any]:
    actual = uploads.checked_type(data, declared, uploads.FILE_TYPES)
    folder = services.settings.uploads_dir / "chat" / str(chat_id)
    path = await uploads.save(folder, "file", data, actual)
    clean = Path(name).name.strip()[:200] or "file"
    return {
        "attachment_path": str(path),
        "attachment_name": clean,
        "attachment_type": actual,
        "attachment_size": len(data),
    }


async def _own_message(me: Employee, chat_id: int, message_id: int) -> ChatMessage:
    await _membership(chat_id, me.id)
    message = await ChatMessage.get_or_none(id=message_id, chat_id=chat_id)
    if message is None or message.deleted_at is not None:
        raise not_found()
    return message


def archive_message(message: ChatMessage, action: ChatArchiveAction, by: Employee) -> Any:
    """The message as it was, kept in the moderation archive before an edit or a deletion
    (the author's, a moderator's in the chat or from the moderation queue)."""
    return ChatMessageArchive.create(
        message_id=message.id,
        chat_id=message.chat_id,
        author_id=message.author_id,
        action=action,
        body=message.body,
        sticker=message.sticker,
        attachment_name=message.attachment_name,
        original_created_at=message.created_at,
        by_id=by.id,
    )


async def edit(
    services: Services, me: Employee, chat_id: int, message_id: int, body: str
) -> ChatMessage:
    message = await _own_message(me, chat_id, message_id)
    if message.author_id != me.id:
        raise forbidden()
    body = body.strip()
    if not body or len(body) > MAX_BODY:
        raise ApiError(422, "validation_failed", field="body", reason="empty or too long")
    screened = await moderation.screen(me.id, body)
    async with in_transaction():
        await archive_message(message, ChatArchiveAction.EDIT, me)
        message.body = screened.shown
        message.edited_at = datetime.now(UTC)
        if screened.held:
            message.deleted_at = message.edited_at
        await message.save(update_fields=["body", "edited_at", "deleted_at"])
    await moderation.flagged(services, screened, _item(message))
    await _publish(services, message, "deleted" if screened.held else "edited")
    return message


async def delete(services: Services, me: Employee, chat_id: int, message_id: int) -> None:
    """The author deletes their message; a moderator or admin deletes anyone's. The text
    stays in the moderation archive; members see that a message was deleted."""
    if me.role in MODERATORS:
        message = await ChatMessage.get_or_none(id=message_id, chat_id=chat_id, deleted_at=None)
        if message is None:
            raise not_found()
    else:
        message = await _own_message(me, chat_id, message_id)
        if message.author_id != me.id:
            raise forbidden()
    async with in_transaction():
        await archive_message(message, ChatArchiveAction.DELETE, me)
        message.deleted_at = datetime.now(UTC)
        await message.save(update_fields=["deleted_at"])
    await _publish(services, message, "deleted")


async def mark_read(services: Services, me: Employee, chat_id: int, message_id: int) -> int:
    """Move my read marker forward (never back); others in the chat get a receipt."""
    member = await _membership(chat_id, me.id)
    if message_id <= member.last_read_id:
        return int(member.last_read_id)
    if not await ChatMessage.exists(id=message_id, chat_id=chat_id):
        raise not_found()
    await ChatMember.filter(id=member.id, last_read_id__lt=message_id).update(
        last_read_id=message_id
    )
    receipt = ChatRead(chat_id=chat_id, employee_id=me.id, message_id=message_id)
    await services.publisher.publish("chat.read", receipt, rooms.chat(chat_id))
    return message_id


async def attachment(me: Employee, chat_id: int, message_id: int) -> ChatMessage:
    await _membership(chat_id, me.id)
    message = await ChatMessage.get_or_none(id=message_id, chat_id=chat_id, deleted_at=None)
    if message is None or not message.attachment_path:
        raise not_found()
    return message


async def archive(chat_id: int | None, message_id: int | None) -> list[ChatMessageArchive]:
    query = ChatMessageArchive.all()
    if chat_id is not None:
        query = query.filter(chat_id=chat_id)
    if message_id is not None:
        query = query.filter(message_id=message_id)
    return await query.order_by("-id").limit(500)
