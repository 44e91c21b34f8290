"""HR import over HTTP for admins: upload a file, follow the job."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from server.api import Api, Ctx, read_body
from server.errors import ApiError, not_found
from server.hr.parse import MAX_FILE_BYTES
from server.models import HrImport, Role
from server.schemas import Strict

api = Api()

_EXTENSIONS = {"text/csv": "csv", "application/json": "json"}


class ImportQuery(Strict):
    full: bool = False


class ImportOut(BaseModel):
    id: int
    status: str
    full: bool
    created_at: datetime
    finished_at: datetime | None
    summary: dict[str, Any] | None


def _out(record: HrImport) -> ImportOut:
    return ImportOut(
        id=record.id,
        status=record.status,
        full=record.full,
        created_at=record.created_at,
        finished_at=record.finished_at,
        summary=record.summary,
    )


@api.route(
    "POST",
    "/api/admin/hr/imports",
    summary="Start an HR import (body: a CSV or JSON export; ?full=true dismisses the missing)",
    tags=["admin"],
    query=ImportQuery,
    response=ImportOut,
    status=202,
    roles=[Role.ADMIN],
    raw_body=("text/csv",),
    max_body=MAX_FILE_BYTES,
)
async def start_import(ctx: Ctx, query: ImportQuery) -> ImportOut:
    content_type = ctx.content_type
    extension = _EXTENSIONS.get(content_type)
    if extension is None:
        raise ApiError(
            415,
            "unsupported_media_type",
            content_type=content_type or "-",
            expected=" or ".join(_EXTENSIONS),
        )
    data = await read_body(ctx.request, MAX_FILE_BYTES)
    folder = ctx.services.settings.var_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    record = await HrImport.create(
        started_by_id=ctx.me.id, filename="", full=query.full, status="queued"
    )
    path = folder / f"hr-{record.id}.{extension}"
    path.write_bytes(data)
    record.filename = str(path.absolute())
    await record.save(update_fields=["filename"])
    await ctx.services.enqueue(
        "run_hr_import", record.id, job_id=ctx.services.keys.job_id("hr-import", record.id)
    )
    return _out(record)


@api.route(
    "GET",
    "/api/admin/hr/imports/{id:int}",
    summary="An HR import and its summary",
    tags=["admin"],
    response=ImportOut,
    roles=[Role.ADMIN],
)
async def get_import(ctx: Ctx) -> ImportOut:
    record = await HrImport.get_or_none(id=ctx.path_int("id"))
    if record is None:
        raise not_found()
    return _out(record)
