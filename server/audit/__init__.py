"""The tamper-evident audit log: `record()` appends a hash-chained row for every moderator
and admin action (see `chain` for the pure part, docs/audit.md for the design)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from server.audit.chain import GENESIS, Row, digest
from server.community.sql import is_postgres
from server.models.audit import AuditEntry


async def record(
    actor_id: int | None,
    action: str,
    target: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Appends one row. Call it in the same transaction as the action when there is one
    (the row then lands or vanishes with it); otherwise it opens its own.

    `action` is a dotted verb ("shop.item.update"), `target` names the object
    ("employee:12"), `detail` carries what changed, as JSON."""
    async with in_transaction() as conn:
        if is_postgres(conn):
            # Appends queue behind each other so that `seq` has no gaps and each row links to
            # the one before it. SQLite transactions begin IMMEDIATE (server/dbclient/).
            await conn.execute_script("LOCK TABLE audit_entry IN EXCLUSIVE MODE")
        last = await AuditEntry.all().using_db(conn).order_by("-seq").first()
        row = Row(
            seq=(last.seq if last else 0) + 1,
            at=datetime.now(UTC),
            actor_id=actor_id,
            action=action,
            target=target,
            detail=dict(detail or {}),
            prev_hash=last.hash if last else GENESIS,
        )
        return await AuditEntry.create(
            using_db=conn,
            seq=row.seq,
            at=row.at,
            actor_id=row.actor_id,
            action=row.action,
            target=row.target,
            detail=row.detail,
            prev_hash=row.prev_hash,
            hash=digest(row),
        )


def as_row(entry: AuditEntry) -> Row:
    return Row(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        action=entry.action,
        target=entry.target,
        detail=entry.detail,
        prev_hash=entry.prev_hash,
        hash=entry.hash,
    )
