"""Contest closes: one row per contest once its result is final, and one per prize given."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class ContestClose(Model):
    """A contest past its `final_at`: the close's progress and its result. The row is made
    once (the contest id is unique); prizes are ledger transfers with deterministic ids, so
    a close that dies half-way and runs again gives each prize exactly once."""

    id = fields.IntField(primary_key=True)
    contest_id = fields.CharField(max_length=64, unique=True)
    ruleset_version = fields.CharField(max_length=64)  # the version whose definition closed
    state = fields.CharField(max_length=16, default="settling")  # settling | settled
    participant_count = fields.IntField(default=0)
    winners = fields.JSONField[list[dict[str, Any]]](default=list)
    prizes = fields.IntField(default=0)  # prizes to give (one per person per prize)
    settled = fields.IntField(default=0)
    announcement_post_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    settled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "contest_close"


class ContestPrize(Model):
    """One prize to one person: its id is the ledger transfers' common key, and its texts
    explain it in the wallet ("1st of 17 stores in the December contest")."""

    id = fields.CharField(max_length=80, primary_key=True)
    contest_id = fields.CharField(max_length=64, db_index=True)
    user_id = fields.IntField(db_index=True)
    participant = fields.CharField(max_length=64)
    prize = fields.IntField()  # its index in the contest's prizes
    place = fields.IntField()
    of = fields.IntField()
    texts = fields.JSONField[dict[str, str]](default=dict)  # language -> explanation
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "contest_prize"
