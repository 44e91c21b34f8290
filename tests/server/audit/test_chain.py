"""The audit chain: any single changed, inserted or removed row is found (pure), rows
recorded in the database chain up, and the database itself refuses UPDATE and DELETE."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tortoise import connections

from server import audit
from server.audit.chain import GENESIS, Row, digest, first_break
from server.models import AuditEntry
from server.settings import Settings

_START = datetime(2026, 1, 1, tzinfo=UTC)


def _chain(specs: list[tuple[int | None, str, str, dict[str, int]]]) -> list[Row]:
    rows: list[Row] = []
    prev = GENESIS
    for seq, (actor, action, target, detail) in enumerate(specs, start=1):
        row = Row(seq, _START + timedelta(seconds=seq), actor, action, target, detail, prev)
        row = dataclasses.replace(row, hash=digest(row))
        rows.append(row)
        prev = row.hash
    return rows


_specs = st.lists(
    st.tuples(
        st.none() | st.integers(1, 10**6),
        st.sampled_from(["shop.item.update", "role.change", "ruleset.publish", "grant.spins"]),
        st.text(max_size=12),
        st.dictionaries(st.text(max_size=5), st.integers(-(2**53), 2**53), max_size=3),
    ),
    min_size=1,
    max_size=12,
)


@given(_specs)
def test_an_untouched_chain_verifies(
    specs: list[tuple[int | None, str, str, dict[str, int]]],
) -> None:
    assert first_break(_chain(specs)) is None


@given(_specs, st.data())
def test_any_changed_row_is_found(
    specs: list[tuple[int | None, str, str, dict[str, int]]], data: st.DataObject
) -> None:
    rows = _chain(specs)
    i = data.draw(st.integers(0, len(rows) - 1))
    field = data.draw(st.sampled_from(["actor_id", "action", "target", "detail", "at"]))
    old = getattr(rows[i], field)
    change = {
        "actor_id": lambda: (old or 0) + 1,
        "action": lambda: old + "x",
        "target": lambda: old + "x",
        "detail": lambda: {**old, "forged": 1},
        "at": lambda: old + timedelta(microseconds=1),
    }
    new = change[field]()
    rows[i] = dataclasses.replace(rows[i], **{field: new})
    found = first_break(rows)
    assert found is not None and found.seq == rows[i].seq


@given(_specs, st.data())
def test_any_removed_or_inserted_row_is_found(
    specs: list[tuple[int | None, str, str, dict[str, int]]], data: st.DataObject
) -> None:
    rows = _chain(specs)
    i = data.draw(st.integers(0, len(rows) - 1))
    if data.draw(st.booleans()):
        del rows[i]
        if i == len(rows):  # the last row removed: only a checkpoint can tell (docs/audit.md)
            return
    else:
        forged = dataclasses.replace(rows[i], action="forged")
        rows.insert(i, dataclasses.replace(forged, hash=digest(forged)))
    assert first_break(rows) is not None


async def test_recorded_rows_chain_up_and_the_database_refuses_changes(db: Settings) -> None:
    await audit.record(1, "role.change", "employee:7", {"from": "employee", "to": "comms"})
    await audit.record(None, "backup.write", "", {})
    third = await audit.record(2, "grant.spins", "employee:9", {"spins": 3, "reason": "Ура"})
    entries = await AuditEntry.all().order_by("seq")
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS and entries[2].hash == third.hash
    assert first_break(audit.as_row(e) for e in entries) is None

    conn = connections.get("default")
    with pytest.raises(Exception, match="append-only"):
        await conn.execute_script("UPDATE audit_entry SET action = 'nothing' WHERE seq = 2")
    with pytest.raises(Exception, match="append-only"):
        await conn.execute_script("DELETE FROM audit_entry WHERE seq = 3")
    assert await AuditEntry.all().count() == 3
