"""Leaderboards in Redis sorted sets: applied after commit, exactly once per transfer,
rebuilt from the ledger, checked against it, read in one round trip.

Exactly once: one Lua script adds the transfer id to an "applied" set and, only if it was
not there, moves every board the transfer counts on, atomically. The database marks a
transfer `ranked_at` once Redis has it; the sweeper re-applies what is unmarked (a crash
between the two is harmless: the script skips what it has seen).

After a Redis restart the boards and the applied sets are gone: the script refuses to
apply while the "built" marker is missing, and the next applier or the sweeper rebuilds
everything from the ledger first.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Final

from redis.asyncio import Redis
from tortoise.backends.base.client import BaseDBAsyncClient

from gamification import sql, store
from gamification.keys import Keys
from gamification.leaderboard import (
    SCOPES,
    Board,
    Entry,
    Period,
    Scope,
    aggregate,
    boards_of,
    decode,
    encode,
    minute_of,
)
from gamification.ledger import Org, Transfer

log = logging.getLogger("plaza.boards")

# Applied ids are kept by the UTC day their transfer was made, this long: far beyond any
# redelivery (the sweeper re-applies within minutes). 40 bytes a transfer a day.
APPLIED_DAYS: Final = 8
NOT_BUILT: Final = -1
# Transfers per script call: ~25 boards each, so ~5,000 commands, ~3 ms of Redis time.
_CHUNK: Final = 200

_APPLY = """
if redis.call('EXISTS', KEYS[2]) == 0 or redis.call('EXISTS', KEYS[3]) == 1 then
  return -1
end
local SPAN = 67108864
local i = 3
local applied = 0
for n = 1, tonumber(ARGV[2]) do
  local fresh = redis.call('SADD', KEYS[1], ARGV[i]) == 1
  local delta = tonumber(ARGV[i + 1])
  local minute = tonumber(ARGV[i + 2])
  local boards = tonumber(ARGV[i + 3])
  i = i + 4
  for b = 1, boards do
    if fresh then
      local key = KEYS[tonumber(ARGV[i])]
      local member = ARGV[i + 1]
      local expireat = tonumber(ARGV[i + 2])
      local old = redis.call('ZSCORE', key, member)
      local points, last = 0, -1
      if old then
        old = tonumber(old)
        points = math.floor(old / SPAN)
        last = SPAN - 1 - (old - points * SPAN)
      end
      if minute > last then last = minute end
      redis.call('ZADD', key, (points + delta) * SPAN + (SPAN - 1 - last), member)
      if expireat > 0 then redis.call('EXPIREAT', key, expireat) end
    end
    i = i + 3
  end
  if fresh then applied = applied + 1 end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return applied
"""


def board_key(keys: Keys, board: Board) -> str:
    return keys.board(board.scope, board.period, board.label)


class Boards:
    def __init__(self, redis: Redis, keys: Keys, zone: tzinfo) -> None:
        self.redis = redis
        self.keys = keys
        self.zone = zone
        self._apply = redis.register_script(_APPLY)
        self._expiry: dict[Board, int] = {}

    def _expires(self, board: Board) -> int:
        found = self._expiry.get(board)
        if found is None:
            found = self._expiry[board] = board.expires_at(self.zone)
        return found

    async def apply(self, transfers: Sequence[Transfer], made: datetime) -> int:
        """Apply earning transfers; returns how many were new, or NOT_BUILT."""
        ranked = [t for t in transfers if t.ranked and t.user_id is not None]
        if not ranked:
            return 0
        applied_key = self.keys.board_applied(made.astimezone(UTC).date().isoformat())
        total = 0
        for start in range(0, len(ranked), _CHUNK):
            keys: list[str] = [applied_key, self.keys.board_built, self.keys.board_rebuilding]
            index: dict[str, int] = {}
            argv: list[Any] = [APPLIED_DAYS * 86400, 0]
            count = 0
            for t in ranked[start : start + _CHUNK]:
                assert t.user_id is not None
                targets = boards_of(t.user_id, t.org, t.at, self.zone)
                argv += [t.id, t.signed_for_user(), minute_of(t.at), len(targets)]
                for board, member in targets:
                    key = board_key(self.keys, board)
                    slot = index.get(key)
                    if slot is None:
                        keys.append(key)
                        slot = index[key] = len(keys)
                    argv += [slot, member, self._expires(board)]
                count += 1
            argv[1] = count
            result = int(await self._apply(keys=keys, args=argv))
            if result == NOT_BUILT:
                return NOT_BUILT
            total += result
        return total

    # -- rebuild and check ------------------------------------------------------------------

    async def expected(
        self, conn: BaseDBAsyncClient, now: datetime
    ) -> tuple[dict[Board, dict[str, Entry]], list[tuple[str, bool, datetime]]]:
        rows = await store.ranked_transfers(conn)
        inputs = []
        seen = []
        for r in rows:
            user = int(r["user_id"])
            mine = f"{r['currency']}:user:{user}"
            amount = int(r["amount"])
            signed = amount if r["credit_id"] == mine else -amount if r["debit_id"] == mine else 0
            at = sql.as_datetime(r["at"])
            inputs.append(
                (user, signed, at, Org(r["store"], r["city"], r["region"], r["department"]))
            )
            seen.append((r["id"], r["ranked_at"] is None, sql.as_datetime(r["created_at"])))
        return aggregate(inputs, self.zone, now), seen

    async def rebuild(self, conn: BaseDBAsyncClient | None = None) -> int | None:
        """Rebuild every board from the ledger; None if another rebuild is running."""
        conn = conn or sql.default()
        if not await self.redis.set(self.keys.board_rebuilding, b"1", nx=True, ex=600):
            return None
        try:
            now = datetime.now(UTC)
            boards, seen = await self.expected(conn, now)
            existing = await self._board_keys()
            pipe = self.redis.pipeline(transaction=True)
            wanted = {board_key(self.keys, b) for b in boards}
            for key in existing - wanted:
                pipe.delete(key)
            for board, entries in boards.items():
                key = board_key(self.keys, board)
                pipe.delete(key)
                mapping = {m: encode(e.points, e.minute) for m, e in entries.items()}
                items = list(mapping.items())
                for start in range(0, len(items), 5000):
                    pipe.zadd(key, dict(items[start : start + 5000]))
                expires = self._expires(board)
                if expires:
                    pipe.expireat(key, expires)
            # Transfers made lately may be applied again by the sweeper: mark them seen.
            recent = now - timedelta(days=APPLIED_DAYS)
            by_day: dict[str, list[str]] = defaultdict(list)
            for ident, _, created in seen:
                if created >= recent:
                    by_day[created.date().isoformat()].append(ident)
            for day, ids in by_day.items():
                key = self.keys.board_applied(day)
                for start in range(0, len(ids), 5000):
                    pipe.sadd(key, *ids[start : start + 5000])
                pipe.expire(key, APPLIED_DAYS * 86400)
            pipe.set(self.keys.board_built, now.isoformat().encode())
            await pipe.execute()
            await store.mark_ranked(conn, [i for i, unranked, _ in seen if unranked], now)
            return len(boards)
        finally:
            await self.redis.delete(self.keys.board_rebuilding)

    async def _board_keys(self) -> set[str]:
        found: set[str] = set()
        async for key in self.redis.scan_iter(match=self.keys.board_match, count=1000):
            name = _text(key)
            parts = name[len(self.keys.prefix) + 1 :].split(":")
            if len(parts) == 4 and parts[1] in SCOPES:
                found.add(name)
        return found

    async def check(self, conn: BaseDBAsyncClient | None = None) -> list[str]:
        """Differences between Redis and the ledger; empty when they agree. Transfers not
        yet applied are reported as such (they are in flight, or the sweeper's work)."""
        conn = conn or sql.default()
        boards, seen = await self.expected(conn, datetime.now(UTC))
        problems = []
        pending = sum(1 for _, unranked, _ in seen if unranked)
        if pending:
            problems.append(f"{pending} transfers not yet applied to the boards")
        if not await self.redis.exists(self.keys.board_built):
            problems.append("boards were never built (or Redis lost them): rebuild")
        wanted = {board_key(self.keys, b): (b, e) for b, e in boards.items()}
        for key in sorted(await self._board_keys() - set(wanted)):
            problems.append(f"{key}: in Redis, not in the ledger")
        for key, (_, entries) in sorted(wanted.items()):
            raw = await self.redis.zrange(key, 0, -1, withscores=True)
            actual = {(m.decode() if isinstance(m, bytes) else str(m)): decode(s) for m, s in raw}
            expected = {m: (e.points, e.minute) for m, e in entries.items()}
            if actual != expected:
                missing = sorted(set(expected) - set(actual))[:5]
                wrong = sorted(m for m in expected if m in actual and actual[m] != expected[m])
                problems.append(
                    f"{key}: {len(actual)} members in Redis, {len(expected)} in the ledger; "
                    f"missing {missing}, different {wrong[:5]}"
                )
        return problems

    # -- reading ---------------------------------------------------------------------------

    async def read(
        self,
        board: Board,
        *,
        limit: int = 100,
        me: str | None = None,
        my_store_board: Board | None = None,
        my_store: str | None = None,
    ) -> Standing:
        """Top `limit`, my rank and my store's rank, in one round trip."""
        key = board_key(self.keys, board)
        pipe = self.redis.pipeline(transaction=False)
        pipe.zrevrange(key, 0, limit - 1, withscores=True)
        pipe.zcard(key)
        if me is not None:
            pipe.zrevrank(key, me)
            pipe.zscore(key, me)
        if my_store_board is not None and my_store:
            store_key = board_key(self.keys, my_store_board)
            pipe.zrevrank(store_key, my_store)
            pipe.zscore(store_key, my_store)
        results = await pipe.execute()
        top = [
            Rank(_text(m), place, decode(s)[0]) for place, (m, s) in enumerate(results[0], start=1)
        ]
        standing = Standing(board=board, size=int(results[1]), top=top)
        rest = results[2:]
        if me is not None:
            standing.me = _rank(me, rest[0], rest[1])
            rest = rest[2:]
        if my_store_board is not None and my_store:
            standing.my_store = _rank(my_store, rest[0], rest[1])
        return standing

    async def scores(self, board: Board) -> dict[str, tuple[int, int]]:
        raw = await self.redis.zrange(board_key(self.keys, board), 0, -1, withscores=True)
        return {_text(m): decode(s) for m, s in raw}

    async def tops(self, boards: Iterable[Board], limit: int) -> dict[Board, list[Rank]]:
        ordered = list(boards)
        pipe = self.redis.pipeline(transaction=False)
        for board in ordered:
            pipe.zrevrange(board_key(self.keys, board), 0, limit - 1, withscores=True)
        results = await pipe.execute()
        return {
            board: [
                Rank(_text(m), place, decode(s)[0]) for place, (m, s) in enumerate(raw, start=1)
            ]
            for board, raw in zip(ordered, results, strict=True)
        }


@dataclass(frozen=True, slots=True)
class Rank:
    member: str
    rank: int
    points: int


@dataclass(slots=True)
class Standing:
    board: Board
    size: int
    top: list[Rank]
    me: Rank | None = None
    my_store: Rank | None = None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _rank(member: str, rank: Any, score: Any) -> Rank | None:
    if rank is None or score is None:
        return None
    return Rank(member, int(rank) + 1, decode(float(score))[0])


def parse_board(scope: str, period: str, at: datetime, zone: tzinfo) -> Board:
    from gamification.leaderboard import current_boards

    return current_boards(_scope(scope), at, zone)[_period(period)]


def _scope(value: str) -> Scope:
    for scope in SCOPES:
        if scope == value:
            return scope
    raise ValueError(value)


def _period(value: str) -> Period:
    for period in ("day", "week", "month", "quarter", "all"):
        if period == value:
            return period
    raise ValueError(value)
