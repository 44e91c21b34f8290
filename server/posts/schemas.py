"""Post, comment and poll bodies as the API reads and writes them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from server.schemas import Ref, Strict

MAX_BODY = 20_000


class PollIn(Strict):
    question: str = Field(min_length=1, max_length=300)
    options: list[str] = Field(min_length=2, max_length=10)
    multiple: bool = False
    anonymous: bool = False
    closes_at: datetime | None = None


class PostIn(Strict):
    body: str = Field(min_length=1, max_length=MAX_BODY)
    channel_id: int | None = None
    group_id: int | None = None
    # Tokens with union semantics ("region:3", "store:12", "role:manager", "segment:4").
    audience: list[str] | None = Field(default=None, max_length=200)
    kudos_to: int | None = None
    banner: bool = False
    needs_confirmation: bool = False
    attachment_ids: list[int] = Field(default_factory=list, max_length=10)
    poll: PollIn | None = None


class PostEdit(Strict):
    body: str = Field(min_length=1, max_length=MAX_BODY)


class PersonRef(BaseModel):
    id: int
    name: str
    position: str
    avatar_url: str | None


class AttachmentOut(BaseModel):
    id: int
    name: str
    media_type: str
    size: int
    url: str


class PostOut(BaseModel):
    id: int
    kind: str
    author: PersonRef
    channel: Ref | None
    group: Ref | None
    kudos_to: PersonRef | None
    body: str
    html: str
    audience: list[str]
    pinned: bool
    banner: bool
    needs_confirmation: bool
    confirmed: bool
    comment_count: int
    reaction_count: int
    reactions: dict[str, int]
    my_reactions: list[str]
    view_count: int
    attachments: list[AttachmentOut]
    poll_id: int | None
    created_at: datetime
    edited_at: datetime | None
    unread: bool
    can_moderate: bool
    # Held by a watched word until a moderator approves it: only its author sees it.
    held: bool = False


class CommentIn(Strict):
    body: str = Field(min_length=1, max_length=5_000)
    parent_id: int | None = None


class CommentEdit(Strict):
    body: str = Field(min_length=1, max_length=5_000)


class CommentOut(BaseModel):
    id: int
    post_id: int
    parent_id: int | None
    author: PersonRef
    body: str
    html: str
    created_at: datetime
    edited_at: datetime | None
    held: bool = False  # waiting for a moderator's approval: only its author sees it


class CommentPage(BaseModel):
    items: list[CommentOut]
    next_cursor: str | None


class ReactionsOut(BaseModel):
    post_id: int
    reactions: dict[str, int]
    my_reactions: list[str]


class ConfirmationsOut(BaseModel):
    post_id: int
    confirmed: list[PersonRef]
    not_confirmed: list[PersonRef]


class ArchivedOut(BaseModel):
    id: int
    post_id: int
    comment_id: int | None
    author_id: int
    editor_id: int
    reason: str
    body: str
    written_at: datetime
    archived_at: datetime


class ArchivePage(BaseModel):
    items: list[ArchivedOut]
    next_cursor: str | None


class Ok(BaseModel):
    ok: bool = True
