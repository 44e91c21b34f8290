"""Live contest scores in the worker: as each settlement batch commits, the contests the
live ruleset runs count its events (or its awards, for points_from) in Redis, and
`contest.standings` is pushed, coalesced to about once a second per contest."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

from gamification import live as live_events
from gamification import sql
from gamification.contests.live import NOT_BUILT, LiveStandings
from gamification.ledger import POINTS
from gamification.settlement import Outcome
from gamification.tasks import Runtime
from rules.contests import amount_of, holds
from rules.engine import Event
from rules.ruleset import ContestSpec, Ruleset
from rules.standings import Contribution
from server.contests import service
from server.services import Services

log = logging.getLogger("plaza.contests")

PUSH_EVERY = 1.0  # seconds between two pushes of one contest
TOP = 10


class LiveContests:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.live = LiveStandings(services.redis)
        self._last: dict[str, float] = {}
        self._pending: dict[str, asyncio.Task[None]] = {}

    async def __call__(self, rt: Runtime, outcome: Outcome) -> None:
        ruleset: Ruleset | None = getattr(rt.rulesets, "live", None)
        if ruleset is None or not ruleset.contests:
            return
        now = datetime.now(UTC)
        for spec in ruleset.contests:
            if now >= spec.final_at or now < spec.starts:
                continue  # after the grace nothing counts; before the start nothing can
            await self.count(rt, ruleset, spec, outcome)

    async def count(
        self, rt: Runtime, ruleset: Ruleset, spec: ContestSpec, outcome: Outcome
    ) -> int:
        pairs = await contributions(rt, spec, outcome)
        if not pairs:
            return 0
        keys = service.live_keys(self.services, spec)
        target = spec.reach if spec.mode == "first" else None
        applied = await self.live.apply(keys, pairs, per_head=spec.per_head, target=target)
        if applied == NOT_BUILT:
            # The build reads the database, where this batch is already committed.
            await service.ensure_built(self.services, spec, ruleset)
            applied = len(pairs)
        if applied:
            await self.push_soon(spec, ruleset)
        return applied

    async def push_soon(self, spec: ContestSpec, ruleset: Ruleset) -> None:
        """Push now, or once a second has passed since the last push (one waits at most)."""
        if spec.id in self._pending:
            return
        wait = self._last.get(spec.id, 0.0) + PUSH_EVERY - time.monotonic()
        if wait <= 0:
            self._last[spec.id] = time.monotonic()
            await push_standings(self.services, service.Known(spec, ruleset, None))
            return
        self._pending[spec.id] = asyncio.create_task(self._push_after(spec, ruleset, wait))

    async def _push_after(self, spec: ContestSpec, ruleset: Ruleset, wait: float) -> None:
        try:
            if wait > 0:
                await asyncio.sleep(wait)
            self._last[spec.id] = time.monotonic()
            self._pending.pop(spec.id, None)
            await push_standings(self.services, service.Known(spec, ruleset, None))
        except Exception:
            log.exception("contest.standings not pushed")
        finally:
            self._pending.pop(spec.id, None)

    async def drain(self) -> None:
        """Wait for the pushes still due (tests, shutdown)."""
        while self._pending:
            await asyncio.gather(*list(self._pending.values()), return_exceptions=True)


async def contributions(
    rt: Runtime, spec: ContestSpec, outcome: Outcome
) -> list[tuple[Contribution, str]]:
    """This batch's (contribution, participant) pairs for one contest."""
    found: list[Contribution] = []
    if spec.score == "points":
        for t in outcome.transfers:
            mine = t.rule_id in spec.rules and t.currency == POINTS and t.user_id is not None
            if mine and spec.starts <= t.at < spec.ends:
                signed = float(t.signed_for_user())
                found.append(Contribution(t.id, str(t.user_id), signed, t.at))
    else:
        candidates = [
            e for e in outcome.settled if e.type == spec.event and spec.starts <= e.at < spec.ends
        ]
        if not candidates:
            return []
        ids = {e.actor_id for e in candidates} | {
            e.subject_id for e in candidates if e.subject_id is not None
        }
        people = await rt.people.get(sql.default(), ids) if spec.plan is not None else {}
        for e in candidates:
            event = Event(
                e.id,
                e.type,
                str(e.actor_id),
                e.at,
                str(e.subject_id) if e.subject_id is not None else None,
                e.data,
            )
            amount = amount_of(spec, event)
            if amount is None:
                continue
            actor = people.get(event.actor)
            subject = people.get(event.subject) if event.subject else None
            if holds(
                spec,
                event,
                actor.profile if actor else None,
                subject.profile if subject else None,
            ):
                found.append(Contribution(e.id, event.actor, amount, e.at))
    if not found:
        return []
    if spec.participants == "people":
        return [(c, c.person) for c in found]
    orgs = await rt.people.get(sql.default(), {int(c.person) for c in found})
    out = []
    for c in found:
        person = orgs.get(c.person)
        group = getattr(person.org, spec.participants, None) if person else None
        if group:
            out.append((c, group))
    return out


async def push_standings(services: Services, known: service.Known) -> None:
    spec = known.spec
    keys = service.live_keys(services, spec)
    live = LiveStandings(services.redis)
    rows = await service.winner_marks(services, known, keys, await live.page(keys, 0, TOP))
    payload: dict[str, Any] = {
        "contest_id": spec.id,
        "top": await service.rows_out(spec, rows, None),
        "total": await live.total(keys),
        "as_of": datetime.now(UTC).isoformat(),
    }
    await live_events.emit(services.emitter, "contest.standings", payload, live_events.BOARDS_ROOM)
