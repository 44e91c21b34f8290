"""The audit chain's pure part: a row's canonical content, its hash, and the check of a run
of rows. Knows nothing of the database."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

GENESIS = "0" * 64  # the `prev_hash` of the first row
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    seq: int
    at: datetime
    actor_id: int | None
    action: str
    target: str
    detail: Mapping[str, Any]
    prev_hash: str
    hash: str = ""


def canonical(row: Row) -> bytes:
    """The bytes that are hashed: every field but the hash itself, keys sorted, times in
    UTC to the microsecond, so both databases give the same bytes for the same row."""
    if row.at.tzinfo is None:
        raise ValueError("audit times must carry a time zone")
    body = {
        "seq": row.seq,
        "at_us": (row.at - _EPOCH) // timedelta(microseconds=1),
        "actor_id": row.actor_id,
        "action": row.action,
        "target": row.target,
        "detail": row.detail,
        "prev_hash": row.prev_hash,
    }
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def digest(row: Row) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first row where the chain does not hold, and why."""

    seq: int
    reason: str  # "hash" (content changed), "link" (prev_hash), "gap" (a row missing)


def first_break(rows: Iterable[Row], prev_hash: str = GENESIS, prev_seq: int = 0) -> Break | None:
    """Walks rows in `seq` order from the one after (`prev_seq`, `prev_hash`)."""
    for row in rows:
        if row.seq != prev_seq + 1:
            return Break(row.seq, "gap")
        if row.prev_hash != prev_hash:
            return Break(row.seq, "link")
        if digest(row) != row.hash:
            return Break(row.seq, "hash")
        prev_seq, prev_hash = row.seq, row.hash
    return None
