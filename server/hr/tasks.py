"""The HR import as an arq job, for imports started over HTTP."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from server.hr.parse import ImportFileError, parse
from server.hr.service import import_rows
from server.models import HrImport
from server.services import Services


async def run_hr_import(ctx: dict[str, Any], import_id: int) -> str:
    """Safe to run twice: a finished import is not run again, and the import itself is
    idempotent if a crash stopped it half-way."""
    services: Services = ctx["services"]
    record = await HrImport.get_or_none(id=import_id)
    if record is None or record.status in ("done", "failed"):
        return "skipped"
    await HrImport.filter(id=import_id).update(status="running")
    path = Path(record.filename)
    try:
        parsed = parse(await asyncio.to_thread(path.read_bytes), path.name)
    except (ImportFileError, OSError) as exc:
        await HrImport.filter(id=import_id).update(
            status="failed", summary={"error": str(exc)}, finished_at=datetime.now(UTC)
        )
        return "failed"
    summary = await import_rows(parsed, full=record.full, redis=services.redis, keys=services.keys)
    await HrImport.filter(id=import_id).update(
        status="done", summary=summary.as_dict(), finished_at=datetime.now(UTC)
    )
    return "done"
