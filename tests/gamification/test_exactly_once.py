"""A hypothesis state machine over the whole reward path on a real database and Redis:
events, duplicate deliveries, settlements that crash before or after commit, jobs that
expire, ruleset publications, reversals, grants, wheel spins and shop redemptions (some
approved, some rejected), each request possibly repeated with its idempotency key. After every step the ledger's invariants
hold; after draining, every balance equals a pure model computed from the events and the
ruleset live when each happened, and the leaderboards equal the ledger.

The job queue here is a list the machine delivers from, drops from and delivers twice
from (arq's at-least-once and its drops, on purpose); arq itself runs in test_tasks.py
and in the kill -9 test.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import Counter, defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from redis.asyncio import Redis

from gamification import store, tasks
from gamification.keys import Keys
from gamification.ledger import (
    POINTS,
    SPINS,
    award_ref,
    deletion_ref,
    hold_account,
    user_account,
)
from gamification.live import write_only_manager
from gamification.settlement import settle
from gamification.sql import default
from rules.engine import Event, judge
from rules.state import MemoryState
from server.db import close_database, open_database
from server.errors import ApiError
from server.models import ActivityEvent, Employee, Redemption
from server.rewards import service, shop, wheel
from server.rulesets.registry import RulesetRegistry
from server.settings import Settings
from tests.gamification.support import (
    SIMPLE_RULES,
    kudos,
    post_created,
    post_deleted,
    publish_rules,
)
from tests.helpers import make_employee

T = TypeVar("T")

WHEEL = """\
version: 1
period: day
wishes: [{en: Good luck}]
segments:
  - {id: points, weight: 1, points: 5}
  - {id: again, weight: 1, spins: 1}
  - {id: wish, weight: 1, wish: true}
"""


class Crash(Exception):
    """A worker dying at a chosen point of a settlement."""


@dataclass
class Queue:
    """Enqueued jobs, as (function, args)."""

    jobs: list[tuple[str, tuple[Any, ...]]]

    async def enqueue_job(self, function: str, *args: Any, **kwargs: Any) -> None:
        self.jobs.append((function, args))


def pure_balances(
    events: list[ActivityEvent], registry: RulesetRegistry
) -> dict[tuple[str, str], int]:
    """What every balance must be: the events replayed in time order, each by the ruleset
    live when it happened, with deletions taking back what reversible rules paid."""
    state = MemoryState()
    balances: Counter[tuple[str, str]] = Counter()
    by_ref: dict[str, list[tuple[str, str, str, int]]] = defaultdict(list)
    reversed_ids: set[str] = set()
    for row in sorted(events, key=lambda e: (e.at, e.id)):
        ref = deletion_ref(row.type, row.data)
        if ref is not None:
            for award_id, who, currency, amount in by_ref[ref]:
                if award_id not in reversed_ids:
                    reversed_ids.add(award_id)
                    balances[(currency, who)] -= amount
        ruleset = registry.live_at(row.at)
        if ruleset is None:
            continue
        subject = str(row.subject_id) if row.subject_id is not None else None
        event = Event(row.id, row.type, str(row.actor_id), row.at, subject, row.data)
        for decision in judge(ruleset, event, state):
            if decision.kind == "badge" or decision.reverses is not None:
                continue  # the ledger reverses by reference, below, like settlement
            balances[(decision.kind, decision.beneficiary)] += decision.amount
            made_by = award_ref(ruleset.rule(decision.rule_id).reverse_on, row.data)
            if made_by is not None:
                by_ref[made_by].append(
                    (decision.id, decision.beneficiary, decision.kind, decision.amount)
                )
    return dict(balances)


def test_settlement_is_exact_under_crashes_duplicates_and_drops(settings: Settings) -> None:
    runner = asyncio.Runner()

    def run(awaitable: Awaitable[T]) -> T:
        async def wait() -> T:
            return await awaitable

        return runner.run(wait())

    run(open_database(settings))
    redis = Redis.from_url(settings.redis_url)
    queue = Queue([])
    registry = RulesetRegistry(settings.timezone)
    runtime = tasks.Runtime(
        redis=redis,
        keys=Keys(settings.redis_prefix),
        zone=settings.zone,
        rulesets=registry,
        jobs=queue,
        manager=write_only_manager(settings.redis_url, f"{settings.redis_prefix}:socketio"),
        sweep_after=0.0,
    )
    ctx: dict[str, Any] = {"rewards": runtime, "job_try": 1}
    run(publish_rules(settings, SIMPLE_RULES))
    run(wheel.publish_wheel(WHEEL))
    for item, price, approval in (("cup", 3, False), ("lunch", 4, True)):
        run(
            shop.put_item(
                item,
                title={"en": item},
                description={},
                price=price,
                needs_approval=approval,
                active=True,
                add_stock=10_000,
                by=0,
                key="stock",
            )
        )
    names = itertools.count()

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.people: list[Employee] = [
                run(make_employee(f"m{next(names)}@example.com", password=False)) for _ in range(3)
            ]
            self.posts: list[tuple[int, str]] = []  # (author index, post id)
            self.deleted: set[str] = set()
            self.events: list[str] = []
            self.spins: dict[str, tuple[int, str, int]] = {}  # id -> (person, outcome, amount)
            self.granted: Counter[int] = Counter()
            self.redemptions: dict[str, tuple[int, str]] = {}  # id -> (person, item)
            self.tag = next(names)
            queue.jobs.clear()

        # -- things that happen ------------------------------------------------------------
        @rule(author=st.integers(0, 2))
        def post(self, author: int) -> None:
            post_id = f"p{next(names)}"
            self.posts.append((author, post_id))
            self._hand_off(run(post_created(self.people[author], post_id)))

        @rule(giver=st.integers(0, 2), receiver=st.integers(0, 2))
        def thank(self, giver: int, receiver: int) -> None:
            giving = kudos(self.people[giver], self.people[receiver], f"k{next(names)}")
            self._hand_off(run(giving))

        @precondition(lambda self: any(p not in self.deleted for _, p in self.posts))
        @rule(data=st.data())
        def delete(self, data: st.DataObject) -> None:
            live = [(a, p) for a, p in self.posts if p not in self.deleted]
            author, post_id = data.draw(st.sampled_from(live))
            self.deleted.add(post_id)
            self._hand_off(run(post_deleted(self.people[author], post_id)))

        @rule(points=st.integers(1, 20))
        def publish(self, points: int) -> None:
            text = SIMPLE_RULES.replace("points: 10", f"points: {points}")
            run(publish_rules(settings, text))

        def _hand_off(self, event_id: str) -> None:
            self.events.append(event_id)
            queue.jobs.append(("settle_pending", ()))

        # -- spending --------------------------------------------------------------------
        @rule(who=st.integers(0, 2), amount=st.integers(1, 3))
        def grant_spins(self, who: int, amount: int) -> None:
            person = self.people[who]
            run(service.grant(SPINS, person.id, amount, 0, "machine", f"g{next(names)}"))
            self.granted[person.id] += amount

        @rule(who=st.integers(0, 2), key=st.integers(0, 3))
        def spin(self, who: int, key: int) -> None:
            person = self.people[who]
            try:
                result, _ = run(wheel.spin(person.id, f"m{self.tag}-{who}-{key}", settings.zone))
            except ApiError as exc:
                if exc.code != "no_spins":
                    raise
                return
            self.spins[result.id] = (person.id, result.outcome, result.amount)

        @rule(who=st.integers(0, 2), item=st.sampled_from(["cup", "lunch"]), key=st.integers(0, 3))
        def redeem(self, who: int, item: str, key: int) -> None:
            person = self.people[who]
            try:
                out, _ = run(shop.redeem(person.id, item, f"r{self.tag}-{who}-{key}"))
            except ApiError as exc:
                if exc.code != "not_enough_points":
                    raise
                return
            # A key used again returns the first redemption, whatever item was asked.
            self.redemptions[out["id"]] = (person.id, out["item_id"])

        @precondition(lambda self: bool(self.redemptions))
        @rule(pick=st.integers(0, 100), approve=st.booleans())
        def decide(self, pick: int, approve: bool) -> None:
            rid = sorted(self.redemptions)[pick % len(self.redemptions)]
            try:
                run(shop.decide(rid, approve, 0, ""))
            except ApiError as exc:
                if exc.code != "already_decided":
                    raise

        # -- what the queue does -----------------------------------------------------------
        @precondition(lambda self: bool(queue.jobs))
        @rule(twice=st.booleans())
        def deliver(self, twice: bool) -> None:
            function, args = queue.jobs.pop(0)
            for _ in range(2 if twice else 1):
                run(getattr(tasks, function)(ctx, *args))

        @precondition(lambda self: bool(queue.jobs))
        @rule()
        def drop(self) -> None:
            """A job lost: expired, or out of retries."""
            queue.jobs.pop(0)

        @rule(point=st.sampled_from(["before_commit", "after_commit"]))
        def crash(self, point: str) -> None:
            async def fault(where: str) -> None:
                if where == point:
                    raise Crash(where)

            async def crashing() -> None:
                with contextlib.suppress(Crash):
                    await settle(await runtime.fresh_rulesets(), limit=3, fault=fault)

            run(crashing())

        @rule()
        def sweep(self) -> None:
            run(tasks.sweep(ctx))

        @precondition(lambda self: bool(self.events))
        @rule(picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=3))
        def deliver_these(self, picks: list[int]) -> None:
            """A job for named events, settled or not: a redelivery, or events settled
            out of their order (the rules here pay the same in any order)."""
            ids = [self.events[p % len(self.events)] for p in picks]
            run(tasks.settle_events(ctx, ids))

        # -- always ------------------------------------------------------------------------
        @invariant()
        def ledger_is_sound(self) -> None:
            assert run(store.verify(default())) == []

        def teardown(self) -> None:
            for _ in range(10):
                run(tasks.sweep(ctx))
                while queue.jobs:
                    function, args = queue.jobs.pop(0)
                    run(getattr(tasks, function)(ctx, *args))
                if not run(ActivityEvent.filter(settled_at__isnull=True).exists()):
                    break
            assert not run(ActivityEvent.filter(settled_at__isnull=True).exists())
            run(tasks.sweep(ctx))
            assert run(runtime.boards.check()) == []
            events = run(ActivityEvent.filter(actor_id__in=[p.id for p in self.people]))
            run(registry.refresh())
            expected: Counter[tuple[str, str]] = Counter(pure_balances(list(events), registry))
            held: Counter[int] = Counter()
            for person, amount in self.granted.items():
                expected[(SPINS, str(person))] += amount
            for person, outcome, amount in self.spins.values():
                expected[(SPINS, str(person))] -= 1
                if outcome in (POINTS, SPINS):
                    expected[(outcome, str(person))] += amount
            for rid, (person, item) in self.redemptions.items():
                row = run(Redemption.get(id=rid))
                price = {"cup": 3, "lunch": 4}[item]
                if row.status in ("pending", "completed"):
                    expected[(POINTS, str(person))] -= price
                if row.status == "pending":
                    held[person] += price
            for person in self.people:
                for currency in (POINTS, SPINS):
                    actual = run(store.balance(default(), user_account(currency, person.id)))
                    assert actual == expected[(currency, str(person.id))], (currency, person.id)
                assert run(store.balance(default(), hold_account(person.id))) == held[person.id]

    try:
        run_state_machine_as_test(
            Machine,
            settings=hypothesis_settings(
                max_examples=12,
                stateful_step_count=25,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        run(redis.aclose())
        run(close_database())
        runner.close()
