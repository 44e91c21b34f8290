"""Settling activity events: each is judged by the ruleset live when it happened, and its
awards, reversals, badges, the engine's memory and the event's `settled_at` are written in
ONE transaction.

Exactly once, although arq may run a job twice or drop it:
- the transaction starts by taking the settlement lane (gamification.store.take_lane), so
  batches settle one after another and every read sees the previous batch's writes;
- it reads only events still unsettled and marks them settled before commit, so a second
  run finds nothing to do; a crash before commit leaves everything as it was;
- every award's id is its decision id, unique in the database: a run that got past both
  (it cannot, but a bug might) fails on the duplicate and rolls back whole.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Protocol

from tortoise.transactions import in_transaction

from gamification import store
from gamification.ledger import (
    POINTS,
    SPINS,
    Transfer,
    award_ref,
    deletion_ref,
    event_refs,
    reverse,
    rule_account,
    user_account,
)
from gamification.state import Snapshot, SnapshotState
from gamification.store import BadgeRow, EventRow, Person
from rules.engine import Decision, Event, judge
from rules.replay import paused_gc
from rules.ruleset import CompiledRule, Ruleset
from rules.windows import window_label

log = logging.getLogger("plaza.settlement")

# Events per transaction. A batch of 1,000 holds the lane for ~0.1 s on SQLite; bigger
# batches gain little (the fixed cost per batch is a dozen queries) and hold it longer.
BATCH = 1000
_PERIODS = ("day", "week", "month")


class PeopleCache:
    """Profiles and organisations of the people settlement meets, kept `ttl` seconds:
    a batch of 1,000 events names ~1,000 people, and reading them each time was a tenth
    of a batch's work. An HR change reaches the rules within `ttl`."""

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._found: dict[str, tuple[float, Person]] = {}

    async def get(self, conn: Any, ids: Iterable[int]) -> dict[str, Person]:
        now = time.monotonic()
        out: dict[str, Person] = {}
        missing = []
        for ident in ids:
            hit = self._found.get(str(ident))
            if hit is not None and now - hit[0] < self.ttl:
                out[str(ident)] = hit[1]
            else:
                missing.append(ident)
        if missing:
            loaded = await store.people(conn, missing)
            if len(self._found) > 200_000:
                self._found.clear()
            for key, person in loaded.items():
                self._found[key] = (now, person)
            out.update(loaded)
        return out


class LiveRulesets(Protocol):
    def live_at(self, moment: datetime) -> Ruleset | None: ...


Fault = Callable[[str], Awaitable[None]]


@dataclass(slots=True)
class Award:
    """A transfer with what a notification says about it."""

    transfer: Transfer
    title: dict[str, str]


@dataclass(slots=True)
class Outcome:
    events: int = 0
    made: datetime = field(default_factory=lambda: datetime.now(UTC))  # the transfers' created_at
    batch: int | None = None
    balances: dict[str, int] = field(default_factory=dict)  # of the people concerned, after
    awards: list[Award] = field(default_factory=list)
    reversals: list[Transfer] = field(default_factory=list)
    badges: list[BadgeRow] = field(default_factory=list)
    settled: list[EventRow] = field(default_factory=list)  # the events of the batch

    @property
    def transfers(self) -> list[Transfer]:
        return [a.transfer for a in self.awards] + self.reversals


async def settle(
    rulesets: LiveRulesets,
    ids: Sequence[str] | None = None,
    *,
    limit: int = BATCH,
    older_than: datetime | None = None,
    fault: Fault | None = None,
    people: PeopleCache | None = None,
    ranked: Sequence[int] = (),
) -> Outcome:
    """Settle the given events (those still unsettled), or up to `limit` of the oldest
    unsettled ones; also mark the batches `ranked` (already on the leaderboards) in the
    same transaction. `fault` is called at "before_commit" and "after_commit": tests use
    it to crash a settlement at those points."""
    now = datetime.now(UTC)
    async with in_transaction() as conn:
        await store.take_lane(conn)
        if ranked:
            await store.mark_ranked(conn, ranked, now)
        events = await store.unsettled_events(conn, ids, limit, older_than)
        if not events:
            return Outcome()
        outcome = await _settle_events(conn, events, rulesets, now, people or PeopleCache(0))
        await store.mark_settled(conn, [e.id for e in events], now)
        if fault is not None:
            await fault("before_commit")
    if fault is not None:
        await fault("after_commit")
    return outcome


async def _settle_events(
    conn: Any, events: list[EventRow], rulesets: LiveRulesets, now: datetime, cache: PeopleCache
) -> Outcome:
    live = [rulesets.live_at(e.at) for e in events]
    owners, windows = _guess(events, live)
    people = await cache.get(conn, (int(o) for o in owners if o.isdigit()))
    snapshot = await store.load_snapshot(conn, owners, windows)
    for _ in range(5):
        state, judged = _judge_all(events, live, people, snapshot)
        if state.complete:
            break
        # A rule read someone or some window the guess missed: load it and judge again.
        owners |= state.missing_owners
        windows |= state.missing_windows
        people.update(await cache.get(conn, (int(o) for o in state.missing_owners if o.isdigit())))
        snapshot = await store.load_snapshot(conn, owners, windows)
    else:  # pragma: no cover - each round adds what was missing; two always suffice
        raise RuntimeError("settlement state did not converge")

    beneficiaries = {d.beneficiary for ds in judged for d in ds[1]}
    unknown = {b for b in beneficiaries if b.isdigit() and b not in people}
    if unknown:
        people.update(await cache.get(conn, (int(b) for b in unknown)))

    outcome = Outcome(events=len(events), made=now, settled=events)
    by_ref: dict[str, list[Transfer]] = {}
    refs = [r for e in events if (r := deletion_ref(e.type, e.data)) is not None]
    stored = await store.reversible_transfers(conn, refs) if refs else []
    for transfer in stored:
        by_ref.setdefault(transfer.ref or "", []).append(transfer)
    reversed_ids: set[str] = set()
    rule_cache: dict[tuple[str, str], CompiledRule] = {}
    made_refs = [r for e in events for r in event_refs(e.data)]
    deleted = await store.tombstones(conn, [*refs, *made_refs]) if refs or made_refs else set()
    buried: list[tuple[str, str]] = []

    for event, (ruleset, decisions) in zip(events, judged, strict=True):
        ref = deletion_ref(event.type, event.data)
        if ref is not None:
            if ref not in deleted:
                deleted.add(ref)
                buried.append((ref, event.id))
            for original in by_ref.get(ref, ()):
                if original.id not in reversed_ids:
                    reversed_ids.add(original.id)
                    outcome.reversals.append(
                        reverse(original, event_id=event.id, reason=f"{event.type} {ref}")
                    )
        if ruleset is None:
            continue
        for decision in decisions:
            if decision.reverses is not None:
                continue  # reversals go through the ledger by reference (above), not the engine
            person = people.get(decision.beneficiary)
            if person is None:
                log.warning(
                    "no such employee %r for rule %s", decision.beneficiary, decision.rule_id
                )
                continue
            rule = _rule(rule_cache, ruleset, decision.rule_id)
            if decision.kind == "badge":
                assert decision.badge is not None
                badge = ruleset.badges.get(decision.badge)
                outcome.badges.append(
                    BadgeRow(
                        id=decision.id,
                        user_id=int(decision.beneficiary),
                        badge_id=decision.badge,
                        kind="rule",
                        tier=badge.tier if badge else None,
                        title=dict(badge.title) if badge else None,
                        topic=None,
                        rule_id=decision.rule_id,
                        event_id=decision.event_id,
                        given_by_id=None,
                        reason=decision.because,
                        unique_key=f"badge:{decision.beneficiary}:{decision.badge}",
                        created_at=now,
                    )
                )
                continue
            transfer = _award(decision, event, rule, person)
            outcome.awards.append(Award(transfer, dict(rule.title)))
            if transfer.reversible and transfer.ref is not None:
                if transfer.ref in deleted:  # deleted before this settled: out of order
                    reversed_ids.add(transfer.id)
                    outcome.reversals.append(
                        reverse(transfer, event_id=event.id, reason=f"{transfer.ref} deleted")
                    )
                else:
                    by_ref.setdefault(transfer.ref, []).append(transfer)

    outcome.batch = await store.post(conn, outcome.transfers, now)
    # Read here, in the transaction, the balances the notifications will show: after
    # commit every read would queue behind the next batch's transaction.
    concerned = {t.user_id for t in outcome.transfers if t.user_id is not None}
    outcome.balances = await store.balances(
        conn, [user_account(c, u) for u in sorted(concerned) for c in (POINTS, SPINS)]
    )
    await store.insert_badges(conn, outcome.badges)
    await store.bury(conn, buried)
    await store.save_state(conn, state)
    return outcome


def _award(decision: Decision, event: EventRow, rule: CompiledRule, person: Person) -> Transfer:
    currency = POINTS if decision.kind == "points" else SPINS
    return Transfer(
        id=decision.id,
        kind="award",
        currency=currency,
        debit=rule_account(currency, decision.rule_id),
        credit=user_account(currency, decision.beneficiary),
        amount=decision.amount,
        at=event.at,
        user_id=int(decision.beneficiary),
        actor_id=event.actor_id,
        event_id=event.id,
        rule_id=decision.rule_id,
        ruleset_version=decision.ruleset_version,
        ref=award_ref(rule.reverse_on, event.data),
        reversible=rule.reverse_on is not None,
        reason=decision.because,
        org=person.org,
    )


def _rule(
    cache: dict[tuple[str, str], CompiledRule], ruleset: Ruleset, rule_id: str
) -> CompiledRule:
    key = (ruleset.version, rule_id)
    found = cache.get(key)
    if found is None:
        found = cache[key] = ruleset.rule(rule_id)
    return found


def _guess(events: list[EventRow], live: list[Ruleset | None]) -> tuple[set[str], set[str]]:
    """Whose rows and which counter windows the batch will most likely read: the people
    named by each event and the calendar windows of its day in its ruleset's zone."""
    owners: set[str] = set()
    windows: set[str] = {"total"}
    for event, ruleset in zip(events, live, strict=True):
        if ruleset is None or event.type not in ruleset.plans:
            continue
        owners.add(str(event.actor_id))
        if event.subject_id is not None:
            owners.add(str(event.subject_id))
        for value in event.data.values():
            if isinstance(value, str) and value.isdigit():
                owners.add(value)
        windows.update(_labels(event.at.astimezone(ruleset.timezone).date()))
    return owners, windows


@lru_cache(maxsize=1024)
def _labels(day: date) -> tuple[str, ...]:
    return tuple(window_label(per, day) for per in _PERIODS)


def _judge_all(
    events: list[EventRow],
    live: list[Ruleset | None],
    people: dict[str, Person],
    snapshot: Snapshot,
) -> tuple[SnapshotState, list[tuple[Ruleset | None, list[Decision]]]]:
    state = SnapshotState(snapshot)
    judged: list[tuple[Ruleset | None, list[Decision]]] = []
    with paused_gc():
        for event, ruleset in zip(events, live, strict=True):
            if ruleset is None or event.type not in ruleset.plans:
                judged.append((ruleset, []))
                continue
            subject = str(event.subject_id) if event.subject_id is not None else None
            actor = people.get(str(event.actor_id))
            subject_person = people.get(subject) if subject is not None else None
            decisions = judge(
                ruleset,
                Event(event.id, event.type, str(event.actor_id), event.at, subject, event.data),
                state,
                actor=actor.profile if actor else None,
                subject=subject_person.profile if subject_person else None,
                on_error=_log_error,
            )
            judged.append((ruleset, decisions))
    return state, judged


def _log_error(rule_id: str, event: Event, exc: Exception) -> None:
    log.debug("rule %s does not apply to event %s: %s", rule_id, event.id, exc)
