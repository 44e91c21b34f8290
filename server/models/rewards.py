"""Rewards: the double-entry ledger, the engine's memory, badges, the wheel and the shop.

The hot settlement path writes these tables with plain SQL (gamification/store.py); the
models declare the schema (and so the migrations) and serve the slower paths.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class LedgerAccount(Model):
    """`balance` is the sum of credits minus debits of the account's transfers, kept in the
    same transaction as each transfer. `plaza ledger verify` recomputes it."""

    id = fields.CharField(max_length=128, primary_key=True)  # e.g. "points:user:12"
    currency = fields.CharField(max_length=64)  # points, spins, prize:<id>, item:<id>
    owner_id = fields.IntField(null=True)
    balance = fields.BigIntField(default=0)
    # Prize and item stock, budgets and holds: a debit that would go below zero fails.
    never_negative = fields.BooleanField(default=False)

    class Meta:
        table = "ledger_account"
        indexes = (("currency", "owner_id"),)


class LedgerTransfer(Model):
    """Immutable: `amount` moves from `debit_id` to `credit_id`. A correction is a new,
    compensating transfer (`reverses_id`), never an update."""

    id = fields.CharField(max_length=64, primary_key=True)  # decision id for awards
    kind = fields.CharField(max_length=16)  # award, reversal, spin, prize, grant, gift, ...
    currency = fields.CharField(max_length=64)
    debit_id = fields.CharField(max_length=128)
    credit_id = fields.CharField(max_length=128)
    amount = fields.BigIntField()
    at = fields.DatetimeField()  # when it was earned (the event's time): leaderboard periods
    created_at = fields.DatetimeField()
    user_id = fields.IntField(null=True)  # whom it concerns
    actor_id = fields.IntField(null=True)  # who caused it (the event's actor, a manager)
    event_id = fields.CharField(max_length=32, null=True)
    rule_id = fields.CharField(max_length=64, null=True)
    ruleset_version = fields.CharField(max_length=64, null=True)
    ref = fields.CharField(max_length=80, null=True)  # post:<id>: what a deletion reverses
    reversible = fields.BooleanField(default=False)
    reverses_id = fields.CharField(max_length=64, null=True, unique=True)
    reason = fields.TextField(default="")
    # Counts on the leaderboards (points earned). Its batch says when Redis has it.
    ranked = fields.BooleanField(default=False)
    batch_id = fields.IntField(db_index=True)
    # The beneficiary's organisation when it was earned, so a rebuild is deterministic.
    store = fields.CharField(max_length=64, null=True)
    city = fields.CharField(max_length=64, null=True)
    region = fields.CharField(max_length=64, null=True)
    department = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "ledger_transfer"
        indexes = (("user_id", "at"), ("ref", "reversible"))


class LedgerBatch(Model):
    """The transfers posted together (one settlement batch, one spin). `ranked_at` is set
    once the leaderboards have them: one update a batch, not one a transfer."""

    id = fields.IntField(primary_key=True)
    created_at = fields.DatetimeField()
    ranked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "ledger_batch"
        indexes = (("ranked_at", "created_at"),)


class LedgerLane(Model):
    """One row per lane. Settlement updates it first in its transaction: on PostgreSQL the
    row lock, on SQLite the write lock, makes settlements one at a time, so limits and
    tiers read what the previous batch wrote."""

    id = fields.IntField(primary_key=True)
    n = fields.BigIntField(default=0)

    class Meta:
        table = "ledger_lane"


class RewardCounter(Model):
    id = fields.CharField(max_length=255, primary_key=True)  # rule|per|window|key
    owner = fields.CharField(max_length=64)  # the first key part's value: a user id
    window_label = fields.CharField(max_length=32)
    count = fields.IntField(default=0)

    class Meta:
        table = "reward_counter"
        indexes = (("owner", "window_label"),)


class RewardTier(Model):
    id = fields.CharField(max_length=160, primary_key=True)  # rule|user
    user_id = fields.CharField(max_length=64, db_index=True)
    events = fields.IntField(default=0)
    awarded = fields.JSONField[list[int]](default=list)

    class Meta:
        table = "reward_tier"


class RewardStreak(Model):
    id = fields.CharField(max_length=160, primary_key=True)  # rule|user
    user_id = fields.CharField(max_length=64, db_index=True)
    last_day = fields.DateField(null=True)
    length = fields.IntField(default=0)

    class Meta:
        table = "reward_streak"


class RewardTombstone(Model):
    """A deleted post or comment. An award for it settled later (events may settle out of
    order) is reversed at once, so the outcome does not depend on the order."""

    ref = fields.CharField(max_length=80, primary_key=True)
    event_id = fields.CharField(max_length=32)

    class Meta:
        table = "reward_tombstone"


class BadgeAward(Model):
    id = fields.CharField(max_length=64, primary_key=True)
    user_id = fields.IntField(db_index=True)
    badge_id = fields.CharField(max_length=64)
    kind = fields.CharField(max_length=16)  # rule, merit, expertise
    tier = fields.CharField(max_length=16, null=True)
    title = fields.JSONField[dict[str, str]](null=True)
    topic = fields.CharField(max_length=64, null=True, db_index=True)
    rule_id = fields.CharField(max_length=64, null=True)
    event_id = fields.CharField(max_length=32, null=True)
    given_by_id = fields.IntField(null=True)
    reason = fields.TextField(default="")
    # rule:<user>:<badge>, expert:<user>:<topic>: at most once; merit badges repeat.
    unique_key = fields.CharField(max_length=160, null=True, unique=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "badge_award"


class WheelVersion(Model):
    id = fields.IntField(primary_key=True)
    version = fields.CharField(max_length=64, unique=True)
    text = fields.TextField()
    published_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "wheel_version"


class WheelSeed(Model):
    """The seed's sha256 is public from creation, the seed itself once the period ended."""

    period = fields.CharField(max_length=32, primary_key=True)
    seed = fields.CharField(max_length=64)  # hex; secret until the period ends
    seed_hash = fields.CharField(max_length=64)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()

    class Meta:
        table = "wheel_seed"


class WheelSpin(Model):
    id = fields.CharField(max_length=64, primary_key=True)  # from (user, idempotency key)
    user_id = fields.IntField(db_index=True)
    wheel_version = fields.CharField(max_length=64)
    period = fields.CharField(max_length=32, db_index=True)
    segment = fields.CharField(max_length=64)  # the drawn segment
    outcome = fields.CharField(max_length=16)  # prize, points, spins, wish
    prize = fields.CharField(max_length=64, null=True)
    amount = fields.IntField(default=0)
    wish = fields.TextField(default="")
    fallback = fields.BooleanField(default=False)  # the drawn prize was out of stock
    created_at = fields.DatetimeField()

    class Meta:
        table = "wheel_spin"


class ShopItem(Model):
    id = fields.CharField(max_length=64, primary_key=True)
    title = fields.JSONField[dict[str, str]]()
    description = fields.JSONField[dict[str, Any]](default=dict)
    price = fields.IntField()
    needs_approval = fields.BooleanField(default=False)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "shop_item"


class Redemption(Model):
    id = fields.CharField(max_length=64, primary_key=True)  # from (user, idempotency key)
    user_id = fields.IntField(db_index=True)
    item_id = fields.CharField(max_length=64)
    price = fields.IntField()
    status = fields.CharField(max_length=16)  # pending, completed, rejected
    created_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    decided_by_id = fields.IntField(null=True)
    note = fields.TextField(default="")

    class Meta:
        table = "redemption"
        indexes = (("status", "created_at"),)


class RewardAllowance(Model):
    """A monthly allowance the comms team set in the workspace. `key` is "manager" (every
    manager's gift allowance, in points), "manager:<id>" (one manager's own) or "kudos"
    (how many kudos each person may give a calendar month; 0: no limit). Without a row the
    settings' defaults apply (`PLAZA_MANAGER_MONTHLY_ALLOWANCE`, no kudos limit)."""

    key = fields.CharField(max_length=64, primary_key=True)
    monthly = fields.IntField()
    updated_at = fields.DatetimeField()
    updated_by_id = fields.IntField(null=True)

    class Meta:
        table = "reward_allowance"
