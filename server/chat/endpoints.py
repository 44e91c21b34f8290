"""Chat over HTTP: list, history, send, edit, delete, read receipts, attachments, stickers
and the moderation archive. Live delivery is `chat.message` / `chat.read` on Socket.IO."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from starlette.responses import Response

from realtime.events import ChatMessageEvent
from server import uploads
from server.api import JSON, Api, Ctx, read_body
from server.chat import service
from server.errors import not_found
from server.models import ChatMessage, Role
from server.schemas import Strict

api = Api()


class DirectIn(Strict):
    employee_id: int


class GroupChatIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    member_ids: list[int] = Field(max_length=service.MAX_GROUP_MEMBERS)


class MemberIn(Strict):
    employee_id: int


class ChatOut(BaseModel):
    id: int
    kind: str
    title: str
    member_ids: list[int]
    unread: int
    last_read_id: int
    last_message: ChatMessageEvent | None
    # Each member's read marker (employee id -> last message read): "seen" after a reload;
    # `chat.read` keeps it current.
    read_ids: dict[int, int]


class ChatRef(BaseModel):
    id: int
    kind: str


class ChatListOut(BaseModel):
    chats: list[ChatOut]


class HistoryQuery(Strict):
    before: int | None = Field(default=None, ge=1)
    limit: int = Field(default=50, ge=1, le=200)


class HistoryOut(BaseModel):
    messages: list[ChatMessageEvent]  # newest first
    next_before: int | None


class SendIn(Strict):
    body: str = Field(default="", max_length=service.MAX_BODY)
    sticker: str | None = Field(default=None, max_length=64)


class EditIn(Strict):
    body: str = Field(min_length=1, max_length=service.MAX_BODY)


class AttachmentQuery(Strict):
    name: str = Field(min_length=1, max_length=200)
    caption: str = Field(default="", max_length=service.MAX_BODY)


class ReadIn(Strict):
    message_id: int = Field(ge=1)


class ReadOut(BaseModel):
    last_read_id: int


class ArchiveQuery(Strict):
    chat_id: int | None = None
    message_id: int | None = None


class ArchivedOut(BaseModel):
    message_id: int
    chat_id: int
    author_id: int
    action: str
    body: str
    sticker: str | None
    attachment_name: str | None
    original_created_at: datetime
    archived_at: datetime
    by_id: int


class ArchiveOut(BaseModel):
    entries: list[ArchivedOut]


def _event(message: ChatMessage) -> ChatMessageEvent:
    return service.message_event(message)


@api.route(
    "GET", "/api/chats", summary="My chats, newest first", tags=["chat"], response=ChatListOut
)
async def list_chats(ctx: Ctx) -> ChatListOut:
    summaries = await service.list_chats(ctx.me)
    return ChatListOut(
        chats=[
            ChatOut(
                id=s.chat.id,
                kind=s.chat.kind.value,
                title=s.chat.title,
                member_ids=s.member_ids,
                unread=s.unread,
                last_read_id=s.last_read_id,
                last_message=_event(s.last_message) if s.last_message else None,
                read_ids=s.read_ids,
            )
            for s in summaries
        ]
    )


@api.route(
    "POST",
    "/api/chats/direct",
    summary="Open (or find) the direct chat with a colleague",
    tags=["chat"],
    body=DirectIn,
    response=ChatRef,
)
async def open_direct(ctx: Ctx, body: DirectIn) -> ChatRef:
    chat = await service.open_direct(ctx.services, ctx.me, body.employee_id)
    return ChatRef(id=chat.id, kind=chat.kind.value)


@api.route(
    "POST",
    "/api/chats/group",
    summary="Start a group chat",
    tags=["chat"],
    body=GroupChatIn,
    response=ChatRef,
    status=201,
)
async def create_group_chat(ctx: Ctx, body: GroupChatIn) -> ChatRef:
    chat = await service.create_group(ctx.services, ctx.me, body.title, body.member_ids)
    return ChatRef(id=chat.id, kind=chat.kind.value)


@api.route(
    "POST",
    "/api/chats/{id:int}/members",
    summary="Add someone to a group chat",
    tags=["chat"],
    body=MemberIn,
    status=204,
)
async def add_chat_member(ctx: Ctx, body: MemberIn) -> Response:
    await service.add_member(ctx.services, ctx.me, ctx.path_int("id"), body.employee_id)
    return Response(status_code=204)


@api.route(
    "DELETE",
    "/api/chats/{id:int}/members/{employee:int}",
    summary="Leave a group chat, or remove someone from one you started",
    tags=["chat"],
    status=204,
)
async def remove_chat_member(ctx: Ctx) -> Response:
    await service.remove_member(ctx.services, ctx.me, ctx.path_int("id"), ctx.path_int("employee"))
    return Response(status_code=204)


@api.route(
    "GET",
    "/api/chats/{id:int}/messages",
    summary="History, newest first; pass next_before as before for the older page",
    tags=["chat"],
    query=HistoryQuery,
    response=HistoryOut,
)
async def history(ctx: Ctx, query: HistoryQuery) -> HistoryOut:
    rows, cursor = await service.history(ctx.me, ctx.path_int("id"), query.before, query.limit)
    return HistoryOut(messages=[_event(m) for m in rows], next_before=cursor)


@api.route(
    "POST",
    "/api/chats/{id:int}/messages",
    summary="Send a message (text and/or a sticker from the pack)",
    tags=["chat"],
    body=SendIn,
    response=ChatMessageEvent,
    status=201,
)
async def send(ctx: Ctx, body: SendIn) -> ChatMessageEvent:
    message = await service.send(ctx.services, ctx.me, ctx.path_int("id"), body.body, body.sticker)
    return _event(message)


@api.route(
    "POST",
    "/api/chats/{id:int}/attachments",
    summary="Send a file (PNG, JPEG, GIF, WebP or PDF) with an optional caption",
    tags=["chat"],
    query=AttachmentQuery,
    response=ChatMessageEvent,
    status=201,
    raw_body=uploads.FILE_TYPES,
)
async def send_attachment(ctx: Ctx, query: AttachmentQuery) -> ChatMessageEvent:
    settings = ctx.services.settings
    data = await read_body(ctx.request, settings.max_upload_bytes)
    declared = ctx.content_type
    message = await service.send(
        ctx.services,
        ctx.me,
        ctx.path_int("id"),
        query.caption,
        None,
        attachment=(data, query.name, declared),
    )
    return _event(message)


@api.route(
    "GET",
    "/api/chats/{id:int}/messages/{message:int}/attachment",
    summary="Download a message's attachment",
    tags=["chat"],
    response_media_type="application/octet-stream",
)
async def get_attachment(ctx: Ctx) -> Response:
    message = await service.attachment(ctx.me, ctx.path_int("id"), ctx.path_int("message"))
    assert message.attachment_path is not None
    try:
        data = await asyncio.to_thread(Path(message.attachment_path).read_bytes)
    except FileNotFoundError:
        raise not_found() from None
    name = (message.attachment_name or "file").replace('"', "")
    return Response(
        data,
        media_type=message.attachment_type or "application/octet-stream",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, max-age=3600",
        },
    )


@api.route(
    "PATCH",
    "/api/chats/{id:int}/messages/{message:int}",
    summary="Edit my message (the original is kept for moderators)",
    tags=["chat"],
    body=EditIn,
    response=ChatMessageEvent,
)
async def edit(ctx: Ctx, body: EditIn) -> ChatMessageEvent:
    message = await service.edit(
        ctx.services, ctx.me, ctx.path_int("id"), ctx.path_int("message"), body.body
    )
    return _event(message)


@api.route(
    "DELETE",
    "/api/chats/{id:int}/messages/{message:int}",
    summary="Delete a message (mine; moderators and admins: anyone's); kept for moderators",
    tags=["chat"],
    status=204,
)
async def delete(ctx: Ctx) -> Response:
    await service.delete(ctx.services, ctx.me, ctx.path_int("id"), ctx.path_int("message"))
    return Response(status_code=204)


@api.route(
    "POST",
    "/api/chats/{id:int}/read",
    summary="Mark the chat read up to a message (others get a read receipt)",
    tags=["chat"],
    body=ReadIn,
    response=ReadOut,
)
async def mark_chat_read(ctx: Ctx, body: ReadIn) -> ReadOut:
    last = await service.mark_read(ctx.services, ctx.me, ctx.path_int("id"), body.message_id)
    return ReadOut(last_read_id=last)


@api.route("GET", "/api/stickers", summary="The sticker pack", tags=["chat"])
async def stickers(ctx: Ctx) -> Response:
    pack: dict[str, Any] = service.sticker_pack()
    return JSON(pack, headers={"Cache-Control": "public, max-age=86400"})


@api.route(
    "GET",
    "/api/moderation/chat-archive",
    summary="Originals of edited and deleted chat messages",
    tags=["moderation"],
    query=ArchiveQuery,
    response=ArchiveOut,
    roles=[Role.MODERATOR, Role.ADMIN],
)
async def chat_archive(ctx: Ctx, query: ArchiveQuery) -> ArchiveOut:
    rows = await service.archive(query.chat_id, query.message_id)
    return ArchiveOut(
        entries=[
            ArchivedOut(
                message_id=r.message_id,
                chat_id=r.chat_id,
                author_id=r.author_id,
                action=r.action.value,
                body=r.body,
                sticker=r.sticker,
                attachment_name=r.attachment_name,
                original_created_at=r.original_created_at,
                archived_at=r.archived_at,
                by_id=r.by_id,
            )
            for r in rows
        ]
    )
