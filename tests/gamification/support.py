"""Helpers for reward tests: rules published for real, people, events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis

from gamification.keys import Keys
from rules.ruleset import Ruleset
from server import activity
from server.models import ActivityEvent, Employee
from server.rulesets.registry import RulesetRegistry
from server.rulesets.service import publish, save_draft
from server.settings import Settings
from tests.helpers import make_employee

SIMPLE_RULES = """\
version: 1
badges:
  poster: {title: {en: Poster}, tier: bronze}
rules:
  - id: post
    event: post.created
    reverse_on: post.deleted
    award: {points: 10}
  - id: poster
    event: post.created
    tiers:
      - {at: 2, award: {badge: poster, spins: 1}}
  - id: kudos
    event: kudos.given
    to: event.recipient_id
    award: {points: 5}
    limits:
      - {max: 2, per: week, key: [beneficiary, actor]}
"""


async def publish_rules(settings: Settings, text: str) -> Ruleset:
    redis = Redis.from_url(settings.redis_url)
    try:
        row, ruleset = await save_draft(text, None, "test", settings.timezone)
        await publish(row, by=None, message="test", redis=redis, keys=Keys(settings.redis_prefix))
    finally:
        await redis.aclose()
    return ruleset


async def registry(settings: Settings) -> RulesetRegistry:
    found = RulesetRegistry(settings.timezone)
    await found.refresh()
    return found


async def people(count: int, prefix: str = "p", **fields: Any) -> list[Employee]:
    return [
        await make_employee(f"{prefix}{i}@example.com", password=False, **fields)
        for i in range(count)
    ]


_clock = [datetime.now(UTC)]


def tick() -> datetime:
    """Strictly increasing event times, just after now (after any publication)."""
    _clock[0] = max(_clock[0] + timedelta(milliseconds=1), datetime.now(UTC))
    return _clock[0]


async def post_created(author: Employee, post_id: str, at: datetime | None = None) -> str:
    row = await activity.record(
        "post.created",
        author.id,
        {"post_id": post_id, "body_length": 300, "has_image": False, "kind": "post"},
        at=at or tick(),
    )
    assert row is not None
    return row.id


async def post_deleted(author: Employee, post_id: str, at: datetime | None = None) -> str:
    row = await activity.record("post.deleted", author.id, {"post_id": post_id}, at=at or tick())
    assert row is not None
    return row.id


async def kudos(giver: Employee, to: Employee, post_id: str, at: datetime | None = None) -> str:
    row = await activity.record(
        "kudos.given",
        giver.id,
        {"post_id": post_id, "recipient_id": str(to.id), "message_length": 40},
        subject_id=to.id,
        at=at or tick(),
    )
    assert row is not None
    return row.id


async def unsettled() -> int:
    return await ActivityEvent.filter(settled_at__isnull=True).count()
