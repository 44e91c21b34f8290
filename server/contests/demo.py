"""The demo's contest: stores compete per head over the points the engagement rules award,
from seven days ago to seven days ahead, so `plaza demo` always has one running.

Idempotent: when the live ruleset already has the contest, nothing is published."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from rules.ruleset import default_text
from server.models import Employee, Role
from server.rulesets.service import live_publication, publish, save_draft
from server.services import Services

log = logging.getLogger("plaza.demo")

CONTEST_ID = "demo_stores"


def contest_yaml(now: datetime) -> str:
    fmt = "%Y-%m-%dT%H:%M:%S+00:00"
    starts = (now - timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    ends = (now + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    return f"""
contests:
  - id: {CONTEST_ID}
    title: {{en: Store vs store, ru: Битва магазинов}}
    description:
      en: Which store is the most active on Plaza? Points per head, so every store can win.
      ru: Какой магазин активнее всех в Plaza? Баллы на сотрудника, так что победить может любой.
    starts: "{starts.strftime(fmt)}"
    ends: "{ends.strftime(fmt)}"
    grace: 1d
    participants: store
    per_head: true
    score:
      points_from: [first_post, quality_post, comment, reaction_received, kudos_received,
                    read_confirmed, event_attended, poll_answered]
    winners: {{top: 3}}
    prizes:
      - {{place: 1, award: {{points: 300, spins: 2, item: plaza_tshirt}}}}
      - {{place: 2, award: {{points: 200, spins: 1}}}}
      - {{place: 3, award: {{points: 100}}}}
      - {{over: 5, award: {{spins: 1}}}}
    announce: true
"""


async def load_demo_contest(services: Services, now: datetime | None = None) -> bool:
    """Publish the live rules plus the demo contest; False when it is there already."""
    zone = services.settings.timezone
    live = await live_publication()
    text = live.ruleset.text if live is not None else default_text()
    if f"id: {CONTEST_ID}" in text:
        return False
    if "\ncontests:" in text:
        log.warning("the live ruleset has contests of its own: no demo contest added")
        return False
    comms = await Employee.filter(role=Role.COMMS).order_by("id").first()
    row, _ = await save_draft(
        text.rstrip("\n") + "\n" + contest_yaml(now or datetime.now(UTC)),
        comms.id if comms else None,
        "demo: a store contest",
        zone,
    )
    await publish(
        row,
        by=comms.id if comms else None,
        message="demo: a store contest",
        redis=services.redis,
        keys=services.keys,
    )
    return True
