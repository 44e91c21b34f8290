"""Analytics: raw visits (written on the hot path), and the daily aggregates the pages read."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Visit(Model):
    """One app visit (a tab's stretch of use), kept alive by the app's heartbeat."""

    id = fields.CharField(max_length=64, primary_key=True)  # chosen by the tab
    employee_id = fields.IntField()
    started_at = fields.DatetimeField(db_index=True)
    last_seen_at = fields.DatetimeField()
    phone = fields.BooleanField(default=False)

    class Meta:
        table = "analytics_visit"


class PersonDay(Model):
    """One person's figures on one local day they were active (rolled up from raw rows)."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField(db_index=True)
    employee_id = fields.IntField()
    sessions = fields.IntField(default=0)
    session_seconds = fields.IntField(default=0)
    views = fields.IntField(default=0)
    posts = fields.IntField(default=0)
    comments = fields.IntField(default=0)
    reactions = fields.IntField(default=0)
    confirmations = fields.IntField(default=0)
    actions = fields.IntField(default=0)
    phone = fields.BooleanField(default=False)
    web = fields.BooleanField(default=False)
    new = fields.BooleanField(default=False)
    store = fields.CharField(max_length=32, default="")
    city = fields.CharField(max_length=32, default="")
    region = fields.CharField(max_length=32, default="")
    department = fields.CharField(max_length=32, default="")
    role = fields.CharField(max_length=16, default="")

    class Meta:
        table = "analytics_person_day"
        unique_together = (("day", "employee_id"),)


class DailyCell(Model):
    """The figures of one breakdown cell (dimension, key) on one local day."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    dimension = fields.CharField(max_length=16)
    key = fields.CharField(max_length=32)
    active = fields.IntField(default=0)
    sessions = fields.IntField(default=0)
    session_seconds = fields.BigIntField(default=0)
    views = fields.IntField(default=0)
    posts = fields.IntField(default=0)
    comments = fields.IntField(default=0)
    reactions = fields.IntField(default=0)
    confirmations = fields.IntField(default=0)
    engaged = fields.IntField(default=0)
    authors = fields.IntField(default=0)
    new = fields.IntField(default=0)
    returning = fields.IntField(default=0)
    phone = fields.IntField(default=0)
    web = fields.IntField(default=0)
    wau = fields.IntField(default=0)
    mau = fields.IntField(default=0)

    class Meta:
        table = "analytics_daily"
        unique_together = (("day", "dimension", "key"),)
        indexes = (("dimension", "day"),)


class SpanCell(Model):
    """One breakdown cell's daily figures summed over 2^level aligned days
    (server/analytics/spans.py), and its busiest day's active people."""

    id = fields.BigIntField(primary_key=True)
    level = fields.SmallIntField()
    start = fields.DateField()
    dimension = fields.CharField(max_length=16)
    key = fields.CharField(max_length=32)
    people = fields.IntField(default=0)
    active = fields.BigIntField(default=0)
    sessions = fields.BigIntField(default=0)
    session_seconds = fields.BigIntField(default=0)
    views = fields.BigIntField(default=0)
    posts = fields.BigIntField(default=0)
    comments = fields.BigIntField(default=0)
    reactions = fields.BigIntField(default=0)
    confirmations = fields.BigIntField(default=0)
    engaged = fields.BigIntField(default=0)
    authors = fields.BigIntField(default=0)
    new = fields.BigIntField(default=0)
    returning = fields.BigIntField(default=0)
    phone = fields.BigIntField(default=0)
    web = fields.BigIntField(default=0)

    class Meta:
        table = "analytics_span"
        unique_together = (("dimension", "level", "start", "key"),)
        indexes = (("level", "start"),)


class RolledDay(Model):
    """A day that has been rolled up, and a fingerprint of the raw rows it was rolled from:
    when late data changes the fingerprint, the day is rolled again."""

    day = fields.DateField(primary_key=True)
    fingerprint = fields.CharField(max_length=128)
    rolled_at = fields.DatetimeField()

    class Meta:
        table = "analytics_rolled_day"


class Goal(Model):
    """A target for one headline figure over a kind of period (week, month, quarter, year)."""

    id = fields.IntField(primary_key=True)
    metric = fields.CharField(max_length=32)
    period = fields.CharField(max_length=8)
    target = fields.FloatField()
    set_by_id = fields.IntField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "analytics_goal"
        unique_together = (("metric", "period"),)


class RewardCell(Model):
    """One rewards figure on one local day, company-wide, by key (a rule, a prize...)."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    metric = fields.CharField(max_length=24)
    key = fields.CharField(max_length=64, default="")
    value = fields.BigIntField(default=0)

    class Meta:
        table = "analytics_reward_day"
        unique_together = (("day", "metric", "key"),)


class PostStat(Model):
    """A recent post's reach, kept current by the roll-up (the pages read this, never the
    raw views): who of its audience saw it, and what they did."""

    post_id = fields.IntField(primary_key=True)
    day = fields.DateField(db_index=True)  # the local day it was published
    channel_id = fields.IntField(null=True)
    group_id = fields.IntField(null=True)
    mandatory = fields.BooleanField(default=False)
    audience = fields.IntField(default=0)
    viewers = fields.IntField(default=0)
    reactions = fields.IntField(default=0)
    comments = fields.IntField(default=0)
    confirmations = fields.IntField(default=0)
    needs_confirmation = fields.BooleanField(default=False)

    class Meta:
        table = "analytics_post"
