"""HR import over HTTP for admins: upload a file, follow the job."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from server import audit
from server.api import Api, Ctx, read_body
from server.errors import ApiError, not_found
from server.hr.parse import MAX_FILE_BYTES
from server.models import Employee, HrImport, Role
from server.schemas import Ref, Strict

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
    # While it runs: rows applied so far of the rows to apply (the browser's progress bar).
    done_rows: int | None = None
    total_rows: int | None = None
    started_by: Ref | None = None


class ImportList(BaseModel):
    imports: list[ImportOut]


class ImportListQuery(Strict):
    limit: int = Field(default=20, ge=1, le=100)


def _out(record: HrImport, names: dict[int, str] | None = None) -> ImportOut:
    summary: dict[str, Any] | None = record.summary
    progress = (summary or {}).get("progress") if record.status == "running" else None
    if record.status in ("queued", "running"):
        summary = None  # only a finished import has a summary; a running one, its progress
    starter = record.started_by_id
    return ImportOut(
        id=record.id,
        status=record.status,
        full=record.full,
        created_at=record.created_at,
        finished_at=record.finished_at,
        summary=summary,
        done_rows=progress["done"] if progress else None,
        total_rows=progress["total"] if progress else None,
        started_by=Ref(id=starter, name=(names or {}).get(starter, ""))
        if starter is not None
        else None,
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
    await audit.record(
        ctx.me.id,
        "hr.import.start",
        f"hr_import:{record.id}",
        {"full": query.full, "bytes": len(data), "format": extension},
    )
    await ctx.services.enqueue(
        "run_hr_import", record.id, job_id=ctx.services.keys.job_id("hr-import", record.id)
    )
    return _out(record, {ctx.me.id: ctx.me.name})


@api.route(
    "GET",
    "/api/admin/hr/imports",
    summary="Past HR imports, newest first",
    tags=["admin"],
    query=ImportListQuery,
    response=ImportList,
    roles=[Role.ADMIN],
)
async def list_imports(ctx: Ctx, query: ImportListQuery) -> ImportList:
    records = await HrImport.all().order_by("-id").limit(query.limit)
    starters = {r.started_by_id for r in records if r.started_by_id is not None}
    names = dict(await Employee.filter(id__in=starters).values_list("id", "name"))
    return ImportList(imports=[_out(r, names) for r in records])


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
    names = {}
    if record.started_by_id is not None:
        names = dict(await Employee.filter(id=record.started_by_id).values_list("id", "name"))
    return _out(record, names)
