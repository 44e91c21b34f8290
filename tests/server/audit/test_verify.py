"""`plaza audit verify` and `plaza audit checkpoint` as an operator runs them (real
processes on the test's database), and the checkpoints that catch what the chain alone
cannot: a chain rewritten from its first row, a tail cut off. Tampering needs the
append-only triggers dropped first, as an intruder with the database's owner would."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from types import SimpleNamespace

import orjson
from tortoise import connections

from server import audit
from server.audit.chain import GENESIS, Row, digest
from server.audit.verify import checkpoint_path, last_report, verify, write_checkpoint
from server.community.sql import is_postgres
from server.models import AuditEntry
from server.settings import Settings
from server.worker import audit_checkpoint
from tests.server.test_rewards_cli import plaza


async def _drop_triggers() -> None:
    conn = connections.get("default")
    if is_postgres(conn):
        await conn.execute_script(
            "DROP TRIGGER audit_entry_append_only ON audit_entry;"
            "DROP TRIGGER audit_entry_no_truncate ON audit_entry"
        )
    else:
        await conn.execute_script(
            "DROP TRIGGER audit_entry_no_update; DROP TRIGGER audit_entry_no_delete"
        )


async def _three() -> None:
    await audit.record(1, "employee.role.change", "employee:7", {"from": "employee", "to": "comms"})
    await audit.record(1, "employee.deactivate", "employee:8", {"name": "Oleg"})
    await audit.record(None, "hr.import.finish", "hr_import:1", {"created": 3})


async def test_verify_exits_0_with_rows_and_head_then_1_naming_a_changed_row(db: Settings) -> None:
    await _three()
    done = plaza(db, "audit", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    head = (await AuditEntry.get(seq=3)).hash
    assert f"audit log ok: 3 rows, head 3 {head}" in done.stdout

    await _drop_triggers()
    conn = connections.get("default")
    await conn.execute_script(
        "UPDATE audit_entry SET target = 'employee:9' WHERE seq = 2"
    )  # the row's hash no longer matches
    broken = plaza(db, "audit", "verify")
    assert broken.returncode == 1
    assert "BROKEN at row 2 (hash)" in broken.stdout
    assert "does not match its hash" in broken.stdout


async def test_a_removed_middle_row_is_named(db: Settings) -> None:
    await _three()
    await _drop_triggers()
    await connections.get("default").execute_script("DELETE FROM audit_entry WHERE seq = 2")
    broken = plaza(db, "audit", "verify")
    assert broken.returncode == 1
    assert "BROKEN at row 3 (gap)" in broken.stdout


async def test_checkpoint_catches_a_truncated_tail(db: Settings) -> None:
    await _three()
    written = plaza(db, "audit", "checkpoint")
    assert written.returncode == 0, written.stdout + written.stderr
    assert "checkpoint: row 3" in written.stdout
    line = orjson.loads(checkpoint_path(db).read_text().splitlines()[-1])
    assert line["seq"] == 3 and len(line["mac"]) == 64
    await _drop_triggers()
    # The last row removed: the chain alone still holds (rows 1-2 link up).
    await connections.get("default").execute_script("DELETE FROM audit_entry WHERE seq = 3")
    assert (await verify(db, save=False)).ok is False
    broken = plaza(db, "audit", "verify")
    assert broken.returncode == 1
    assert "BROKEN at row 3 (truncated)" in broken.stdout
    assert "the chain ends at row 2" in broken.stdout


async def test_checkpoint_catches_a_chain_rewritten_from_the_start(db: Settings) -> None:
    await _three()
    await write_checkpoint(db)
    await _drop_triggers()
    conn = connections.get("default")
    await conn.execute_script("DELETE FROM audit_entry")
    # The intruder rebuilds a perfect chain without the deactivation.
    prev = GENESIS
    for seq, action in enumerate(["employee.role.change", "hr.import.finish", "x.y"], start=1):
        row = Row(seq, datetime.now(UTC), 1, action, "", {}, prev)
        row = dataclasses.replace(row, hash=digest(row))
        await AuditEntry.create(**dataclasses.asdict(row))
        prev = row.hash
    report = await verify(db)
    assert not report.ok and report.reason == "rewritten" and report.bad_seq == 3
    saved = last_report(db)
    assert saved is not None and saved.reason == "rewritten"  # the viewer shows it


async def test_a_forged_checkpoint_is_refused(db: Settings) -> None:
    await _three()
    await write_checkpoint(db)
    path = checkpoint_path(db)
    data = orjson.loads(path.read_text().splitlines()[-1])
    data["seq"] = 2  # someone "moves" the checkpoint back to hide a later removal
    path.write_bytes(path.read_bytes() + orjson.dumps(data) + b"\n")
    report = await verify(db, save=False)
    assert not report.ok and report.reason == "checkpoint_signature"


async def test_an_empty_log_and_a_checkpoint_of_it_verify(db: Settings) -> None:
    await write_checkpoint(db)
    report = await verify(db)
    assert report.ok and report.rows == 0 and report.head_hash == GENESIS
    await _three()
    await write_checkpoint(db)
    report = await verify(db)
    assert report.ok and report.rows == 3 and report.checkpoints == 2


async def test_the_daily_job_writes_a_checkpoint_only_for_a_sound_chain(db: Settings) -> None:
    await _three()
    ctx = {"services": SimpleNamespace(settings=db)}
    assert await audit_checkpoint(ctx) == "checkpoint 3"
    await _drop_triggers()
    await connections.get("default").execute_script(
        "UPDATE audit_entry SET action = 'nothing' WHERE seq = 1"
    )
    assert await audit_checkpoint(ctx) == "broken at 1"
    assert len(checkpoint_path(db).read_text().splitlines()) == 1
