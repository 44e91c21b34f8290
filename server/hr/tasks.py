"""The HR import as an arq job, for imports started over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from server import audit
from server.hr.parse import ImportFileError, parse
from server.hr.service import import_rows
from server.models import HrImport
from server.services import Services

PROGRESS_EVERY = 0.5  # seconds between progress writes


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
        await audit.record(
            record.started_by_id,
            "hr.import.fail",
            f"hr_import:{import_id}",
            {"error": str(exc)},
        )
        return "failed"
    total = len(parsed.rows)
    done = [0]

    def advance(n: int) -> None:
        done[0] += n

    stop = asyncio.Event()

    async def report_progress() -> None:
        # The browser polls the import: its row carries how far it got, every half second.
        last = 0
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), PROGRESS_EVERY)
            if done[0] != last and not stop.is_set():
                last = done[0]
                progress = {"progress": {"done": last, "total": total}}
                await HrImport.filter(id=import_id).update(summary=progress)

    await HrImport.filter(id=import_id).update(summary={"progress": {"done": 0, "total": total}})
    reporter = asyncio.create_task(report_progress())
    try:
        summary = await import_rows(
            parsed, full=record.full, redis=services.redis, keys=services.keys, progress=advance
        )
    finally:
        stop.set()
        await reporter
    result = summary.as_dict()
    async with in_transaction():
        await HrImport.filter(id=import_id).update(
            status="done", summary=result, finished_at=datetime.now(UTC)
        )
        await audit.record(
            record.started_by_id,
            "hr.import.finish",
            f"hr_import:{import_id}",
            {
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "dismissed": summary.dismissed,
                "rejected": len(summary.rejected),
            },
        )
    return "done"
