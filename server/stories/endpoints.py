"""Stories over HTTP; the "new story" ring is pushed live as `story.created`."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from starlette.responses import Response

from server import uploads
from server.api import Api, Ctx, read_body
from server.models import Story
from server.schemas import Ref, Strict
from server.stories import service

api = Api()


class TextStoryIn(Strict):
    text: str = Field(min_length=1, max_length=500)
    background: str = Field(default="#3b5bdb", pattern=r"^#[0-9a-fA-F]{6}$")


class ImageQuery(Strict):
    caption: str = Field(default="", max_length=500)


class PinIn(Strict):
    pinned: bool
    hours: int = Field(default=24, ge=1, le=168)


class StoryOut(BaseModel):
    id: int
    author_id: int
    kind: str
    text: str
    background: str
    image_url: str | None
    pinned: bool
    created_at: datetime
    expires_at: datetime
    seen: bool = False
    held: bool = False  # mine, waiting for a moderator's approval: only its author gets it


class RingOut(BaseModel):
    author: Ref
    pinned: bool
    all_seen: bool
    stories: list[StoryOut]


class RingsOut(BaseModel):
    rings: list[RingOut]


class ViewerOut(BaseModel):
    viewer: Ref
    viewed_at: datetime


class ViewersOut(BaseModel):
    viewers: list[ViewerOut]


def _out(story: Story, seen: bool = False, held: bool = False) -> StoryOut:
    return StoryOut(
        id=story.id,
        author_id=story.author_id,
        kind=story.kind.value,
        text=story.text,
        background=story.background,
        image_url=f"/api/stories/{story.id}/image" if story.image_path else None,
        pinned=story.pinned,
        created_at=story.created_at,
        expires_at=story.expires_at,
        seen=seen,
        held=held,
    )


@api.route(
    "POST",
    "/api/stories",
    summary="Post a text story (gone after 24 hours)",
    tags=["stories"],
    body=TextStoryIn,
    response=StoryOut,
    status=201,
)
async def create_text(ctx: Ctx, body: TextStoryIn) -> StoryOut:
    story = await service.create_text(ctx.services, ctx.me, body.text, body.background)
    return _out(story, held=story.deleted_at is not None)


@api.route(
    "POST",
    "/api/stories/image",
    summary="Post an image story (PNG, JPEG, GIF or WebP; gone after 24 hours)",
    tags=["stories"],
    query=ImageQuery,
    response=StoryOut,
    status=201,
    raw_body=uploads.IMAGE_TYPES,
)
async def create_image(ctx: Ctx, query: ImageQuery) -> StoryOut:
    settings = ctx.services.settings
    data = await read_body(ctx.request, settings.max_upload_bytes)
    declared = ctx.content_type
    story = await service.create_image(ctx.services, ctx.me, data, declared, query.caption)
    return _out(story)


@api.route(
    "GET",
    "/api/stories",
    summary="Live stories as rings by author: pinned first, then unseen",
    tags=["stories"],
    response=RingsOut,
)
async def list_rings(ctx: Ctx) -> RingsOut:
    rings = await service.rings(ctx.me)
    return RingsOut(
        rings=[
            RingOut(
                author=Ref(id=r.author.id, name=r.author.name),
                pinned=r.pinned,
                all_seen=len(r.seen_ids) == len(r.stories),
                stories=[_out(s, s.id in r.seen_ids, s.id in r.held_ids) for s in r.stories],
            )
            for r in rings
        ]
    )


@api.route(
    "POST",
    "/api/stories/{id:int}/view",
    summary="Mark a story seen",
    tags=["stories"],
    status=204,
)
async def view(ctx: Ctx) -> Response:
    await service.view(ctx.me, ctx.path_int("id"))
    return Response(status_code=204)


@api.route(
    "GET",
    "/api/stories/{id:int}/viewers",
    summary="Who has seen my story (the author, comms and admins)",
    tags=["stories"],
    response=ViewersOut,
)
async def viewers(ctx: Ctx) -> ViewersOut:
    rows = await service.viewers(ctx.me, ctx.path_int("id"))
    return ViewersOut(
        viewers=[
            ViewerOut(viewer=Ref(id=v.viewer.id, name=v.viewer.name), viewed_at=v.viewed_at)
            for v in rows
        ]
    )


@api.route(
    "POST",
    "/api/stories/{id:int}/pin",
    summary="Pin or unpin a company story (comms and admins; up to 7 days)",
    tags=["stories"],
    body=PinIn,
    response=StoryOut,
)
async def pin(ctx: Ctx, body: PinIn) -> StoryOut:
    story = await service.pin(ctx.services, ctx.me, ctx.path_int("id"), body.pinned, body.hours)
    return _out(story)


@api.route(
    "DELETE",
    "/api/stories/{id:int}",
    summary="Delete a story (its author; comms, moderators and admins)",
    tags=["stories"],
    status=204,
)
async def remove(ctx: Ctx) -> Response:
    await service.remove(ctx.me, ctx.path_int("id"))
    return Response(status_code=204)


@api.route(
    "GET",
    "/api/stories/{id:int}/image",
    summary="A story's image",
    tags=["stories"],
    response_media_type="image/*",
)
async def get_image(ctx: Ctx) -> Response:
    data, media_type = await service.image(ctx.path_int("id"))
    return Response(
        data,
        media_type=media_type,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"},
    )
