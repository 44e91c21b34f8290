"""Leaderboards in Redis sorted sets: applied after commit, exactly once per transfer,
rebuilt from the ledger, checked against it, read in one round trip.

Exactly once: one Lua script adds the transfer id to an "applied" set and, only if it was
not there, moves every board the transfer counts on, atomically. The database marks a
transfer's batch `ranked_at` once Redis has it; the sweeper re-applies what is unmarked (a
crash between the two is harmless: the script skips what it has seen).

After a Redis restart the boards and the applied sets are gone: the script refuses to
apply while the "built" marker is missing, and the next applier or the sweeper rebuilds
everything from the ledger first.
"""

from __future__ import annotations

import asyncio
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
    EPOCH,
    PERIODS,
    SCOPES,
    Board,
    Entry,
    Period,
    Scope,
    aggregate,
    decode,
    encode,
    label,
    minute_of,
)
from gamification.lease import lease
from gamification.ledger import Org, Transfer

log = logging.getLogger("plaza.boards")

# Applied ids are kept by the UTC day their transfer was made, this long: far beyond any
# redelivery (the sweeper re-applies within minutes). 40 bytes a transfer a day.
APPLIED_DAYS: Final = 8
NOT_BUILT: Final = -1
# Transfers per script call: their sums per (board, member) are a few thousand ZADDs,
# a few ms of Redis time.
_CHUNK: Final = 500

# Applies one chunk of transfers, aggregated per (board, member) by the caller. ARGV[2] is
# the ids, space-separated; then for each board KEYS[3 + i] two arguments: its expiry time
# and its entries, "member delta minute ..." (redis-py packs each argument in Python, and
# 15,000 small arguments a chunk cost more than the script itself). The ids go into the
# applied set first: when all are new, the sums are applied; when all were seen, nothing
# is; a mix (a partial redelivery) returns -2 and the caller sends the chunk again one
# transfer at a time. Each board's scores are read with one ZMSCORE and written with one
# ZADD: a ZSCORE and a ZADD per member were ~12,000 commands a batch, and the script took
# ~25 ms of Redis's time a batch, now ~15.
_APPLY = """
if redis.call('EXISTS', KEYS[2]) == 0 or redis.call('EXISTS', KEYS[3]) == 1 then
  return -1
end
local SPAN = 67108864
local ids = {}
for id in string.gmatch(ARGV[2], '%S+') do ids[#ids + 1] = id end
local n = #ids
local seen = 0
for _, hit in ipairs(redis.call('SMISMEMBER', KEYS[1], unpack(ids))) do seen = seen + hit end
if seen == n then return 0 end
if seen > 0 then return -2 end
redis.call('SADD', KEYS[1], unpack(ids))
redis.call('EXPIRE', KEYS[1], ARGV[1])
for k = 4, #KEYS do
  local key = KEYS[k]
  local members, deltas, minutes = {}, {}, {}
  for member, delta, minute in string.gmatch(ARGV[2 * k - 4], '(%S+) (%-?%d+) (%d+)') do
    members[#members + 1] = member
    deltas[#deltas + 1] = tonumber(delta)
    minutes[#minutes + 1] = tonumber(minute)
  end
  -- In slices: unpack() passes at most a few thousand values.
  for first = 1, #members, 1000 do
    local last_index = math.min(first + 999, #members)
    local olds = redis.call('ZMSCORE', key, unpack(members, first, last_index))
    local args = {}
    for i = first, last_index do
      local old = olds[i - first + 1]
      local points, last = 0, -1
      if old then
        old = tonumber(old)
        points = math.floor(old / SPAN)
        last = SPAN - 1 - (old - points * SPAN)
      end
      if minutes[i] > last then last = minutes[i] end
      args[#args + 1] = (points + deltas[i]) * SPAN + (SPAN - 1 - last)
      args[#args + 1] = members[i]
    end
    redis.call('ZADD', key, unpack(args))
  end
  local expireat = ARGV[2 * k - 5]
  if expireat ~= '0' then redis.call('EXPIREAT', key, expireat) end
end
return n
"""
PARTIAL: Final = -2


def board_key(keys: Keys, board: Board) -> str:
    return keys.board(board.scope, board.period, board.label)


class Boards:
    def __init__(self, redis: Redis, keys: Keys, zone: tzinfo) -> None:
        self.redis = redis
        self.keys = keys
        self.zone = zone
        self._apply = redis.register_script(_APPLY)

        self._cache: dict[tuple[Scope, int], list[tuple[Board, str, int]]] = {}

    def _period_boards(self, scope: Scope, quarter: int) -> list[tuple[Board, str, int]]:
        """(board, key, expires at) of the scope's boards of every period containing the
        quarter hour `quarter` (counted from EPOCH)."""
        found = self._cache.get((scope, quarter))
        if found is None:
            if len(self._cache) > 100_000:
                self._cache.clear()
            day = (EPOCH + timedelta(minutes=quarter * 15)).astimezone(self.zone).date()
            found = self._cache[(scope, quarter)] = [
                (board, board_key(self.keys, board), board.expires_at(self.zone))
                for board in (Board(scope, period, label(period, day)) for period in PERIODS)
            ]
        return found

    def touched(self, transfers: Iterable[Transfer]) -> set[Board]:
        found: set[Board] = set()
        for org, quarter in {(t.org, minute_of(t.at) // 15) for t in transfers}:
            for scope, member in zip(SCOPES, ("user", *org), strict=True):
                if member:
                    found.update(target[0] for target in self._period_boards(scope, quarter))
        return found

    async def apply(self, transfers: Sequence[Transfer], made: datetime) -> int:
        """Apply earning transfers made at `made` (their created_at); returns how many were
        new, or NOT_BUILT."""
        ranked = [t for t in transfers if t.ranked and t.user_id is not None]
        applied_key = self.keys.board_applied(made.astimezone(UTC).date().isoformat())
        total = 0
        for start in range(0, len(ranked), _CHUNK):
            chunk = ranked[start : start + _CHUNK]
            result = await self._apply_chunk(applied_key, chunk)
            if result == PARTIAL:
                result = 0
                for transfer in chunk:
                    one = await self._apply_chunk(applied_key, [transfer])
                    if one == NOT_BUILT:
                        return NOT_BUILT
                    result += one
            if result == NOT_BUILT:
                return NOT_BUILT
            total += result
        return total

    async def _apply_chunk(self, applied_key: str, chunk: Sequence[Transfer]) -> int:
        # Sum per (scope, member, quarter hour) first, then spread over the periods: 5
        # dictionary updates a transfer instead of 25. Every zone's offset is a multiple
        # of 15 minutes, so a quarter hour never spans two local days.
        per_member: dict[tuple[Scope, str, int], list[int]] = {}
        for t in chunk:
            assert t.user_id is not None
            minute = minute_of(t.at)
            quarter = minute // 15
            delta = t.signed_for_user()
            for scope, member in zip(SCOPES, (str(t.user_id), *t.org), strict=True):
                if not member:
                    continue
                entry = per_member.get((scope, member, quarter))
                if entry is None:
                    per_member[(scope, member, quarter)] = [delta, minute]
                else:
                    entry[0] += delta
                    if minute > entry[1]:
                        entry[1] = minute
        # Per board: member -> [delta, minute], and the board's expiry.
        sums: dict[str, dict[str, list[int]]] = {}
        expiry: dict[str, int] = {}
        for (scope, member, quarter), (delta, minute) in per_member.items():
            for _, key, expires in self._period_boards(scope, quarter):
                board = sums.get(key)
                if board is None:
                    board = sums[key] = {}
                    expiry[key] = expires
                entry = board.get(member)
                if entry is None:
                    board[member] = [delta, minute]
                else:
                    entry[0] += delta
                    if minute > entry[1]:
                        entry[1] = minute
        args: list[Any] = [APPLIED_DAYS * 86400, " ".join(t.id for t in chunk)]
        for key, board in sums.items():
            args.append(expiry[key])
            args.append(" ".join(f"{m} {d} {minute}" for m, (d, minute) in board.items()))
        keys = [applied_key, self.keys.board_built, self.keys.board_rebuilding, *sums]
        return int(await self._apply(keys=keys, args=args))

    async def rank(
        self, transfers: Sequence[Transfer], made: datetime, batch: int, *, mark: bool = True
    ) -> bool:
        """Put a committed batch on the boards and mark it (unless `mark` is False: the
        caller marks it later); False if it must wait for the sweeper. When the boards are
        not built (Redis lost them), rebuild them from the ledger, which includes this
        batch, or wait a little for another process's rebuild."""
        for _ in range(4):
            if await self.apply(transfers, made) != NOT_BUILT:
                if mark:
                    await store.mark_ranked(sql.default(), [batch], datetime.now(UTC))
                return True
            if await self.rebuild() is not None:
                return True
            await asyncio.sleep(0.25)
        return False

    # -- rebuild and check ------------------------------------------------------------------

    async def expected(
        self, conn: BaseDBAsyncClient, now: datetime
    ) -> tuple[dict[Board, dict[str, Entry]], list[tuple[str, int, bool, datetime]]]:
        """The boards as the ledger has them, and (transfer id, batch, batch unranked,
        batch made) of every transfer that counts."""
        inputs = []
        seen = []
        for r in await store.ranked_transfers(conn):
            user = int(r["user_id"])
            mine = f"{r['currency']}:user:{user}"
            amount = int(r["amount"])
            signed = amount if r["credit_id"] == mine else -amount if r["debit_id"] == mine else 0
            org = Org(r["store"], r["city"], r["region"], r["department"])
            inputs.append((user, signed, sql.as_datetime(r["at"]), org))
            made = sql.as_datetime(r["created_at"])
            seen.append((r["id"], int(r["batch_id"]), r["ranked_at"] is None, made))
        return aggregate(inputs, self.zone, now), seen

    async def rebuild(self, conn: BaseDBAsyncClient | None = None) -> int | None:
        """Rebuild every board from the ledger; None if another rebuild is running."""
        conn = conn or sql.default()
        async with lease(self.redis, self.keys.board_rebuilding) as held:
            if not held:
                return None
            return await self._rebuild(conn)

    async def _rebuild(self, conn: BaseDBAsyncClient) -> int:
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
            items = [(m, encode(e.points, e.minute)) for m, e in entries.items()]
            for start in range(0, len(items), 5000):
                pipe.zadd(key, dict(items[start : start + 5000]))
            expires = board.expires_at(self.zone)
            if expires:
                pipe.expireat(key, expires)
        # Transfers made lately may be applied again by the sweeper: mark them seen.
        recent = now - timedelta(days=APPLIED_DAYS)
        by_day: dict[str, list[str]] = defaultdict(list)
        for ident, _, _, made in seen:
            if made >= recent:
                by_day[made.astimezone(UTC).date().isoformat()].append(ident)
        for day, ids in by_day.items():
            key = self.keys.board_applied(day)
            for start in range(0, len(ids), 5000):
                pipe.sadd(key, *ids[start : start + 5000])
            pipe.expire(key, APPLIED_DAYS * 86400)
        pipe.set(self.keys.board_built, now.isoformat().encode())
        await pipe.execute()
        await store.mark_ranked(conn, sorted({b for _, b, unranked, _ in seen if unranked}), now)
        return len(boards)

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
        pending = sum(1 for _, _, unranked, _ in seen if unranked)
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
