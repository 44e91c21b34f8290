"""The reward jobs the arq worker runs: settlement, the sweeper, leaderboard rebuilds.

Jobs take ids (or nothing), are safe to run twice and raise `Retry` on passing failures
(a locked database, a dropped connection). What happens after commit (leaderboards, live
notifications) never fails a job: the sweeper finishes whatever it left undone.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol

from arq.worker import Retry
from redis.asyncio import Redis
from redis.exceptions import RedisError
from tortoise.exceptions import BaseORMException

from gamification import live, sql, store
from gamification.boards import Boards, Rank
from gamification.keys import Keys
from gamification.leaderboard import Board
from gamification.lease import lease
from gamification.ledger import POINTS, SPINS, Transfer, user_account
from gamification.settlement import BATCH, Outcome, PeopleCache, settle
from rules.ruleset import Ruleset

log = logging.getLogger("plaza.rewards")

# One settle_pending job works this long at most, then leaves the rest to the next job,
# so a steady stream of events never keeps one job past arq's timeout.
JOB_SECONDS = 60.0
# The top of a board whose changes are pushed live.
VISIBLE_TOP = 10


class Registry(Protocol):
    async def refresh(self) -> None: ...

    def live_at(self, moment: datetime) -> Ruleset | None: ...


class Jobs(Protocol):
    async def enqueue_job(self, function: str, *args: Any, **kwargs: Any) -> Any: ...


@dataclass
class Runtime:
    """What reward jobs share in one process."""

    redis: Redis
    keys: Keys
    zone: tzinfo
    rulesets: Registry
    jobs: Jobs
    manager: Any  # a write-only Socket.IO manager (gamification.live)
    sweep_after: float
    # What the composition root does after a settlement commits (notifications of badges
    # earned, in `server/`): given the outcome; its failures are logged, never retried.
    after_settle: Callable[[Outcome], Awaitable[None]] | None = None
    # Live contest scores (server/contests/live.py): given the runtime and the outcome, after
    # commit; its failures are logged (the close recomputes from the database anyway).
    contests: Callable[[Runtime, Outcome], Awaitable[None]] | None = None
    boards: Boards = field(init=False)
    people: PeopleCache = field(default_factory=PeopleCache)
    _publications: Any = None
    _tops: dict[Board, list[Rank]] = field(default_factory=dict)
    # One settle_pending job of this process runs its loop, and at most one more waits for
    # it (see settle_pending); the database's lane orders the processes.
    _settling: asyncio.Lock = field(default_factory=asyncio.Lock)
    _next: object | None = None
    # Batches on the leaderboards whose `ranked_at` the next settlement transaction writes:
    # a write of their own took the write lock once more a batch (on SQLite, often after a
    # busy wait behind the web's writes).
    _ranked: list[int] = field(default_factory=list)

    def take_ranked(self) -> list[int]:
        taken, self._ranked = self._ranked, []
        return taken

    async def mark_ranked(self) -> None:
        """Writes what no settlement transaction took (at the end of a job)."""
        taken = self.take_ranked()
        if taken:
            try:
                await store.mark_ranked(sql.default(), taken, datetime.now(UTC))
            except BaseException:
                self._ranked += taken
                raise

    def __post_init__(self) -> None:
        self.boards = Boards(self.redis, self.keys, self.zone)

    async def fresh_rulesets(self) -> Registry:
        """Re-read the publication log when it changed: one cheap query per batch, so an
        event is never judged by a ruleset older than the one live when it happened."""
        rows = await sql.fetch(
            sql.default(), "SELECT COUNT(*) AS n, MAX(id) AS m FROM ruleset_publication"
        )
        marker = (rows[0]["n"], rows[0]["m"]) if rows else None
        if marker != self._publications:
            await self.rulesets.refresh()
            self._publications = marker
        return self.rulesets


def runtime(ctx: dict[str, Any]) -> Runtime:
    found: Runtime = ctx["rewards"]
    return found


_PASSING = (BaseORMException, OSError, asyncio.TimeoutError)


def _retry(ctx: dict[str, Any], exc: Exception) -> Retry:
    tries = int(ctx.get("job_try", 1))
    log.warning("settlement failed (try %s), retrying: %s", tries, exc)
    return Retry(defer=min(0.2 * tries * tries, 10))


async def settle_pending(ctx: dict[str, Any]) -> int:
    """Settle the oldest unsettled events, a batch per transaction, until none is left.

    A job per 20 ms of hand-offs arrives while one is settling; arq runs up to 10 at once,
    and each used to wait on the lane holding a connection in a transaction. Now one job
    settles and one waits; a job that finds one waiting returns at once: the waiting one
    starts after this job's events were committed (a hand-off enqueues after commit), so
    its loop settles them."""
    rt = runtime(ctx)
    me = object()
    if rt._next is not None:
        return 0
    rt._next = me
    try:
        async with rt._settling:
            if rt._next is me:
                rt._next = None
            return await _settle_pending(ctx, rt)
    finally:
        if rt._next is me:
            rt._next = None


async def _settle_pending(ctx: dict[str, Any], rt: Runtime) -> int:
    """On PostgreSQL each batch's after-commit work (boards, notifications: Redis and
    Python) runs while the next batch is settled (the database's work), one batch behind,
    in order. On SQLite it runs between batches: there the worker's transactions held the
    one write lock back to back, and the web's writers, whose busy handler polls every 25
    to 100 ms, seldom found it free (the benchmark's producer often took 3 s instead of
    1-2); the database thread also waited for the GIL that the overlapped work held."""
    started = time.monotonic()
    settled = 0
    overlap = sql.is_postgres(sql.default())
    behind: asyncio.Task[None] | None = None
    try:
        while True:
            outcome = await _settle(rt, limit=BATCH)
            settled += outcome.events
            if behind is not None:
                await behind
            behind = asyncio.create_task(finish(rt, outcome))
            if not overlap:
                await behind
            if outcome.events < BATCH or time.monotonic() - started > JOB_SECONDS:
                break
        if behind is not None:
            await behind
        await rt.mark_ranked()
    except _PASSING as exc:
        raise _retry(ctx, exc) from exc
    finally:
        if behind is not None:
            await behind
    return settled


async def _settle(rt: Runtime, ids: Sequence[str] | None = None, limit: int = BATCH) -> Outcome:
    ranked = rt.take_ranked()
    try:
        return await settle(
            await rt.fresh_rulesets(), ids, limit=limit, people=rt.people, ranked=ranked
        )
    except BaseException:
        rt._ranked += ranked  # not written: the next transaction does
        raise


async def settle_events(ctx: dict[str, Any], event_ids: list[str]) -> int:
    """Settle these events (those still unsettled): the sweeper's batches."""
    rt = runtime(ctx)
    settled = 0
    try:
        for start in range(0, len(event_ids), BATCH):
            outcome = await _settle(rt, event_ids[start : start + BATCH])
            settled += outcome.events
            await finish(rt, outcome)
        await rt.mark_ranked()
    except _PASSING as exc:
        raise _retry(ctx, exc) from exc
    return settled


async def sweep(ctx: dict[str, Any]) -> dict[str, int]:
    """Cron: finish what hand-offs and after-commit steps left undone.

    - boards lost with Redis are rebuilt from the ledger;
    - transfers committed but not on the boards `sweep_after` seconds later are applied;
    - events unsettled `sweep_after` seconds after they happened are re-queued in batches.
    """
    rt = runtime(ctx)
    done = {"rebuilt": 0, "applied": 0, "requeued": 0}
    conn = sql.default()
    cutoff = datetime.now(UTC) - timedelta(seconds=rt.sweep_after)
    try:
        async with lease(rt.redis, rt.keys.sweeping) as held:
            if held:
                await _sweep(rt, conn, cutoff, done)
    except RedisError as exc:
        log.warning("sweep could not reach Redis: %s", exc)
    if done["requeued"]:
        log.info("sweeper re-queued %s unsettled events", done["requeued"])
    return done


async def _sweep(rt: Runtime, conn: Any, cutoff: datetime, done: dict[str, int]) -> None:
    if not await rt.redis.exists(rt.keys.board_built):
        done["rebuilt"] = await rt.boards.rebuild() or 0
    for batch, made in await store.unranked_batches(conn, cutoff, 1000):
        pending = await store.batch_transfers(conn, batch)
        if not await rt.boards.rank(pending, made, batch):
            break
        done["applied"] += len(pending)
    ids = await store.unsettled_ids(conn, cutoff, 20 * BATCH)
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        digest = hashlib.sha256("".join(part).encode()).hexdigest()[:16]
        minute = int(time.time() // 60)
        await rt.jobs.enqueue_job(
            "settle_events", part, _job_id=rt.keys.job_id("sweep", f"{digest}:{minute}")
        )
        done["requeued"] += len(part)


async def rebuild_leaderboards(ctx: dict[str, Any]) -> int:
    return await runtime(ctx).boards.rebuild() or 0


async def finish(rt: Runtime, outcome: Outcome) -> None:
    """After commit: leaderboards, then the live notifications. Never raises."""
    transfers = outcome.transfers
    if rt.after_settle is not None and outcome.badges:
        try:
            await rt.after_settle(outcome)
        except (RedisError, *_PASSING):
            log.exception("follow-ups of a settlement not done")
    if rt.contests is not None and outcome.events:
        try:
            await rt.contests(rt, outcome)
        except Exception:  # never fail settlement's job for a live score
            log.exception("live contest scores not updated")
    if not transfers:
        return
    try:
        ranked = [t for t in transfers if t.ranked]
        if ranked and outcome.batch is not None:
            if await rt.boards.rank(ranked, outcome.made, outcome.batch, mark=False):
                rt._ranked.append(outcome.batch)
            await push_board_changes(rt, ranked)
    except (RedisError, *_PASSING):
        log.exception("leaderboards not updated now; the sweeper will")
    try:
        await notify_wallets(rt, outcome)
    except (RedisError, *_PASSING):
        log.exception("wallet notifications not sent")


async def notify_wallets(rt: Runtime, outcome: Outcome) -> None:
    changes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for award in outcome.awards:
        t = award.transfer
        assert t.user_id is not None
        changes[t.user_id].append(_change(t, award.title))
    for t in outcome.reversals:
        if t.user_id is not None:
            changes[t.user_id].append(_change(t, {}))
    if not changes:
        return
    found = outcome.balances
    accounts = [user_account(c, u) for u in changes for c in (POINTS, SPINS)]
    if any(a not in found for a in accounts):
        found = await store.balances(sql.default(), accounts)
    await live.emit_many(
        rt.manager,
        [
            (
                "wallet.changed",
                {
                    "points": found[user_account(POINTS, user)],
                    "spins": found[user_account(SPINS, user)],
                    "changes": items,
                },
                live.user_room(user),
            )
            for user, items in changes.items()
        ],
    )


def _change(t: Transfer, title: dict[str, str]) -> dict[str, Any]:
    return {
        "transfer_id": t.id,
        "kind": t.kind,
        "currency": t.currency,
        "amount": t.signed_for_user(),
        "rule_id": t.rule_id,
        "title": title,
        "because": t.reason,
        "event_id": t.event_id,
    }


async def push_board_changes(rt: Runtime, transfers: Sequence[Transfer]) -> None:
    """`leaderboard.changed` for every touched board whose visible top changed."""
    touched = rt.boards.touched(transfers)
    tops = await rt.boards.tops(touched, VISIBLE_TOP)
    messages: list[live.Message] = []
    for board, top in tops.items():
        if rt._tops.get(board) == top:
            continue
        rt._tops[board] = top
        messages.append(
            (
                "leaderboard.changed",
                {
                    "scope": board.scope,
                    "period": board.period,
                    "label": board.label,
                    "top": [{"id": r.member, "rank": r.rank, "points": r.points} for r in top],
                },
                live.BOARDS_ROOM,
            )
        )
    await live.emit_many(rt.manager, messages)
    if len(rt._tops) > 10_000:  # old periods' boards: keep the cache small
        rt._tops.clear()
