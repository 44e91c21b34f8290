"""Files attached to posts: uploaded first (type sniffed, size capped), then linked to a
post by id; read back only by those who may see the post."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import Field
from starlette.responses import Response

from server import uploads
from server.api import Api, Ctx, read_body
from server.community.access import load_viewer, visible_post
from server.errors import not_found
from server.models import Attachment
from server.posts.schemas import AttachmentOut
from server.schemas import Strict

api = Api()


class UploadOut(AttachmentOut):
    pass


class UploadQuery(Strict):
    # Kept to its first 200 characters rather than refused: it comes from the person's disk.
    name: str = Field(default="", description="The file's name as people will see it")


@api.route(
    "POST",
    "/api/attachments",
    summary="Upload a file for a post (PNG, JPEG, GIF, WebP or PDF); name it with ?name=",
    tags=["posts"],
    response=UploadOut,
    status=201,
    query=UploadQuery,
    raw_body=uploads.FILE_TYPES,
)
async def upload(ctx: Ctx, query: UploadQuery) -> UploadOut:
    settings = ctx.services.settings
    data = await read_body(ctx.request, settings.max_upload_bytes)
    declared = ctx.content_type
    actual = uploads.checked_type(data, declared, uploads.FILE_TYPES)
    name = (query.name or f"file.{uploads.EXTENSIONS[actual]}")[:200]
    path = await uploads.save(settings.uploads_dir / "attachments", str(ctx.me.id), data, actual)
    row = await Attachment.create(
        owner_id=ctx.me.id, name=name, media_type=actual, size=len(data), path=str(path)
    )
    return UploadOut(
        id=row.id, name=name, media_type=actual, size=len(data), url=f"/api/attachments/{row.id}"
    )


@api.route(
    "GET",
    "/api/attachments/{id:int}",
    summary="A file attached to a post I may see",
    tags=["posts"],
    response_media_type="application/octet-stream",
)
async def download(ctx: Ctx) -> Response:
    row = await Attachment.get_or_none(id=ctx.path_int("id"))
    if row is None:
        raise not_found()
    if row.post_id is None:
        if row.owner_id != ctx.me.id:
            raise not_found()
    else:
        await visible_post(await load_viewer(ctx.me), row.post_id)
    try:
        data = await asyncio.to_thread(Path(row.path).read_bytes)
    except FileNotFoundError:
        raise not_found() from None
    disposition = "inline" if row.media_type.startswith("image/") else "attachment"
    safe = "".join(ch for ch in row.name if ch.isalnum() or ch in "._- ") or "file"
    return Response(
        data,
        media_type=row.media_type,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'{disposition}; filename="{safe}"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=3600",
        },
    )
