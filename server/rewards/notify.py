"""After a reward change commits in a web request: the leaderboards and the live events.

Best effort, like the worker's: whatever fails here the sweeper finishes (boards) or the
client re-reads (wallet).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from redis.exceptions import RedisError

from gamification import live, sql, store
from gamification.boards import Boards
from gamification.ledger import POINTS, SPINS, Transfer, user_account
from gamification.settlement import Outcome
from server.notifications.service import notify
from server.services import Services

log = logging.getLogger("plaza.rewards")


async def after_commit(
    services: Services,
    transfers: Sequence[Transfer],
    *,
    batch: int | None,
    made: datetime | None,
    events: Sequence[live.Message] = (),
) -> None:
    ranked = [t for t in transfers if t.ranked]
    if ranked and batch is not None and made is not None:
        try:
            boards = Boards(services.redis, services.keys, services.settings.zone)
            await boards.rank(ranked, made, batch)
        except RedisError:
            log.exception("leaderboards not updated now; the sweeper will")
    users = sorted({t.user_id for t in transfers if t.user_id is not None})
    messages = list(events)
    if users:
        accounts = [user_account(c, u) for u in users for c in (POINTS, SPINS)]
        found = await store.balances(sql.default(), accounts)
        for user in users:
            changes = [_change(t) for t in transfers if t.user_id == user]
            messages.append(
                (
                    "wallet.changed",
                    {
                        "points": found[user_account(POINTS, user)],
                        "spins": found[user_account(SPINS, user)],
                        "changes": changes,
                    },
                    live.user_room(user),
                )
            )
    await live.emit_many(services.emitter, messages)


async def badges_earned(services: Services, outcome: Outcome) -> None:
    """After a settlement commits: tell each person of the badges rules gave them (once per
    badge: the dedupe key is the badge's deterministic id, so a re-run job tells nobody
    twice)."""
    for badge in outcome.badges:
        payload = {
            "badge": badge.badge_id,
            "kind": badge.kind,
            "tier": badge.tier,
            "title": badge.title or {},
            "topic": badge.topic,
            "reason": badge.reason,
            "rule_id": badge.rule_id,
        }
        await notify(services, [badge.user_id], "badge.awarded", payload, badge.id)


def _change(t: Transfer) -> dict[str, Any]:
    return {
        "transfer_id": t.id,
        "kind": t.kind,
        "currency": t.currency,
        "amount": t.signed_for_user(),
        "rule_id": t.rule_id,
        "title": {},
        "because": t.reason,
        "event_id": t.event_id,
    }
