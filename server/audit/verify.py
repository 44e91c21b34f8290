"""Checking the whole audit chain, and the signed checkpoints kept outside the database.

The chain alone proves that no row was changed, inserted or removed in the middle; it
cannot tell a chain rewritten from its first row on, or a tail cut off. A checkpoint (the
sequence number and head hash at a moment, HMAC-signed with the secret key) written to a
file outside the database can: the row it names must still be there with the same hash.
See docs/audit.md.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from server.audit import as_row
from server.audit.chain import GENESIS, first_break
from server.models.audit import AuditEntry
from server.settings import Settings

BATCH = 2000  # rows read per query while walking the chain


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str  # ISO 8601, UTC
    mac: str = ""


@dataclass
class Report:
    ok: bool
    rows: int
    head_seq: int
    head_hash: str
    checked_at: str
    checkpoints: int = 0  # checkpoints compared with the chain
    bad_seq: int | None = None  # the first bad row (or the checkpoint's seq)
    reason: str | None = None  # hash, link, gap, truncated, rewritten, checkpoint_signature
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def audit_dir(settings: Settings) -> Path:
    return settings.var_dir / "audit"


def checkpoint_path(settings: Settings) -> Path:
    return audit_dir(settings) / "checkpoints.jsonl"


def last_report_path(settings: Settings) -> Path:
    return audit_dir(settings) / "last-verify.json"


def _mac(settings: Settings, seq: int, head: str, at: str) -> str:
    key = hashlib.sha256(f"plaza-audit-checkpoint:{settings.secret()}".encode()).digest()
    return hmac.new(key, f"{seq}:{head}:{at}".encode(), "sha256").hexdigest()


def read_checkpoints(settings: Settings) -> list[Checkpoint]:
    """Every checkpoint in the file, oldest first; a line that is not one is kept with an
    empty mac, so that it fails the signature check instead of vanishing."""
    path = checkpoint_path(settings)
    if not path.exists():
        return []
    found: list[Checkpoint] = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        try:
            data = orjson.loads(line)
            found.append(
                Checkpoint(int(data["seq"]), str(data["hash"]), str(data["at"]), str(data["mac"]))
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            found.append(Checkpoint(-1, "", "", ""))
    return found


def last_checkpoint(settings: Settings) -> Checkpoint | None:
    checkpoints = read_checkpoints(settings)
    return checkpoints[-1] if checkpoints else None


async def _head() -> tuple[int, str]:
    last = await AuditEntry.all().order_by("-seq").first()
    return (last.seq, last.hash) if last else (0, GENESIS)


async def write_checkpoint(settings: Settings) -> Checkpoint:
    """Appends the chain's head, signed, to the checkpoint file (never rewritten)."""
    seq, head = await _head()
    at = datetime.now(UTC).isoformat()
    checkpoint = Checkpoint(seq, head, at, _mac(settings, seq, head, at))
    path = checkpoint_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = orjson.dumps(asdict(checkpoint)) + b"\n"
    with path.open("ab") as file:
        file.write(line)
        file.flush()
        os.fsync(file.fileno())
    return checkpoint


async def verify(settings: Settings, *, save: bool = True) -> Report:
    """Walks the whole chain in `seq` order, then compares every checkpoint with it.
    With `save`, the report is kept as the last verification (the viewer shows it)."""
    checkpoints = read_checkpoints(settings)
    wanted = {c.seq for c in checkpoints}
    seen: dict[int, str] = {}
    prev_seq, prev_hash, rows = 0, GENESIS, 0
    report: Report | None = None
    checked_at = datetime.now(UTC).isoformat()
    while report is None:
        batch = await AuditEntry.filter(seq__gt=prev_seq).order_by("seq").limit(BATCH)
        if not batch:
            break
        found = first_break((as_row(e) for e in batch), prev_hash, prev_seq)
        if found is not None:
            report = Report(
                ok=False,
                rows=rows,
                head_seq=prev_seq,
                head_hash=prev_hash,
                checked_at=checked_at,
                bad_seq=found.seq,
                reason=found.reason,
                message=_BREAK_MESSAGES[found.reason].format(seq=found.seq),
            )
            break
        for entry in batch:
            if entry.seq in wanted:
                seen[entry.seq] = entry.hash
        rows += len(batch)
        prev_seq, prev_hash = batch[-1].seq, batch[-1].hash
    if report is None:
        report = Report(
            ok=True, rows=rows, head_seq=prev_seq, head_hash=prev_hash, checked_at=checked_at
        )
        _check_checkpoints(settings, checkpoints, seen, report)
    if save:
        path = last_report_path(settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps(report.as_dict()))
    return report


_BREAK_MESSAGES = {
    "hash": "row {seq}: its content does not match its hash (changed)",
    "link": "row {seq}: it does not link to the row before it (changed or inserted)",
    "gap": "row {seq}: the row before it is missing (removed)",
}


def _check_checkpoints(
    settings: Settings, checkpoints: list[Checkpoint], seen: dict[int, str], report: Report
) -> None:
    for checkpoint in checkpoints:
        expected = _mac(settings, checkpoint.seq, checkpoint.hash, checkpoint.at)
        if checkpoint.seq < 0 or not hmac.compare_digest(expected, checkpoint.mac):
            _fail(
                report,
                checkpoint.seq if checkpoint.seq >= 0 else None,
                "checkpoint_signature",
                f"a checkpoint of {checkpoint.at or '?'} is not signed with this secret key",
            )
            return
        report.checkpoints += 1
        if checkpoint.seq == 0:
            continue
        if checkpoint.seq > report.head_seq:
            _fail(
                report,
                checkpoint.seq,
                "truncated",
                f"the checkpoint of {checkpoint.at} names row {checkpoint.seq}, "
                f"but the chain ends at row {report.head_seq} (rows removed from the end)",
            )
            return
        if seen.get(checkpoint.seq) != checkpoint.hash:
            _fail(
                report,
                checkpoint.seq,
                "rewritten",
                f"row {checkpoint.seq}: its hash differs from the checkpoint of "
                f"{checkpoint.at} (the chain was rewritten)",
            )
            return


def _fail(report: Report, seq: int | None, reason: str, message: str) -> None:
    report.ok = False
    report.bad_seq = seq
    report.reason = reason
    report.message = message


def last_report(settings: Settings) -> Report | None:
    path = last_report_path(settings)
    try:
        return Report(**orjson.loads(path.read_bytes()))
    except (OSError, orjson.JSONDecodeError, TypeError):
        return None
