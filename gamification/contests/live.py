"""Live contest standings in Redis: applied as events settle, read a page at a time.

Per contest (and per version of its definition, so an edited contest starts afresh):
  score    sorted set   participant -> score (per head when the contest says so)
  raw      hash         participant -> raw score
  reached  hash         participant -> when its score last moved (epoch ms)
  reach    hash         participant -> when it first reached the target (first-N contests)
  heads    hash         group -> head count (per-head contests)
  applied  set          the contribution keys already counted: each counts once
  built    string       present once the standings were built from the database

One Lua call applies a batch of contributions atomically and exactly once; while `built`
is missing (a new contest, Redis restarted) nothing is applied and the next reader or
the close builds the standings from the database first. Redis is a cache here: the close
recomputes the result from the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis

from rules.standings import DIGITS, Contribution, Row

_APPLY = """
if redis.call('EXISTS', KEYS[5]) == 0 then return -1 end
local per_head = ARGV[1] == '1'
local target = tonumber(ARGV[2])
local n = 0
for i = 3, #ARGV, 4 do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    local who = ARGV[i + 1]
    local amount = tonumber(ARGV[i + 2])
    local raw = tonumber(redis.call('HINCRBYFLOAT', KEYS[2], who, ARGV[i + 2]))
    if amount ~= 0 then
      local old = tonumber(redis.call('HGET', KEYS[3], who) or '-1')
      if tonumber(ARGV[i + 3]) > old then redis.call('HSET', KEYS[3], who, ARGV[i + 3]) end
    end
    local score = raw
    if per_head then
      local heads = tonumber(redis.call('HGET', KEYS[6], who) or '0')
      if heads > 0 then score = raw / heads else score = 0 end
    end
    redis.call('ZADD', KEYS[4], score, who)
    if target > 0 and score >= target then redis.call('HSETNX', KEYS[7], who, ARGV[i + 3]) end
    n = n + 1
  end
end
return n
"""

NOT_BUILT = -1


@dataclass(frozen=True, slots=True)
class LiveKeys:
    base: str

    @classmethod
    def of(cls, prefix: str, contest_id: str, digest: str) -> LiveKeys:
        return cls(f"{prefix}:contest:{contest_id}:{digest}")

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return f"{self.base}:{name}"

    def apply_keys(self) -> list[str]:
        return [
            self.applied,
            self.raw,
            self.reached,
            self.score,
            self.built,
            self.heads,
            self.reach,
        ]


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _moment(ms: Any) -> datetime | None:
    if ms is None:
        return None
    value = float(ms)
    return datetime.fromtimestamp(value / 1000, UTC) if value >= 0 else None


class LiveStandings:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._apply = redis.register_script(_APPLY)

    async def built(self, keys: LiveKeys) -> bool:
        return bool(await self.redis.exists(keys.built))

    async def apply(
        self,
        keys: LiveKeys,
        contributions: Sequence[tuple[Contribution, str]],
        *,
        per_head: bool,
        target: float | None,
    ) -> int:
        """Count these (contribution, participant) pairs; returns how many were new, or
        NOT_BUILT (nothing applied)."""
        if not contributions:
            return 0
        args: list[Any] = ["1" if per_head else "0", str(target or 0)]
        for c, who in contributions:
            args += [c.key, who, repr(float(c.amount)), _ms(c.at)]
        return int(await self._apply(keys=keys.apply_keys(), args=args))

    async def replace(
        self,
        keys: LiveKeys,
        rows: Iterable[Row],
        applied: Iterable[str],
        heads: Mapping[str, int],
        reach: Mapping[str, datetime],
    ) -> None:
        """Write standings computed from the database, replacing what was there."""
        rows = list(rows)
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(*keys.apply_keys())
        for start in range(0, len(rows), 5000):
            part = rows[start : start + 5000]
            pipe.zadd(keys.score, {r.participant: r.score for r in part})
            pipe.hset(keys.raw, mapping={r.participant: repr(r.raw_score) for r in part})
            reached = {r.participant: _ms(r.reached_at) for r in part if r.reached_at}
            if reached:
                pipe.hset(keys.reached, mapping=reached)
        ids = list(applied)
        for start in range(0, len(ids), 5000):
            pipe.sadd(keys.applied, *ids[start : start + 5000])
        if heads:
            pipe.hset(keys.heads, mapping=dict(heads))
        if reach:
            pipe.hset(keys.reach, mapping={k: _ms(v) for k, v in reach.items()})
        pipe.set(keys.built, b"1")
        await pipe.execute()

    async def total(self, keys: LiveKeys) -> int:
        return int(await self.redis.zcard(keys.score))

    async def page(self, keys: LiveKeys, offset: int, limit: int) -> list[Row]:
        """Rows offset..offset+limit-1 (winner flags left False: the caller knows the rules)."""
        top = await self.redis.zrevrange(keys.score, offset, offset + limit - 1, withscores=True)
        if not top:
            return []
        high, low = float(top[0][1]), float(top[-1][1])
        return await self._ranked(keys, high, low, offset, limit)

    async def row_of(self, keys: LiveKeys, participant: str) -> Row | None:
        score = await self.redis.zscore(keys.score, participant)
        if score is None:
            return None
        rows = await self._ranked(keys, float(score), float(score), None, None)
        return next((r for r in rows if r.participant == participant), None)

    async def _ranked(
        self, keys: LiveKeys, high: float, low: float, offset: int | None, limit: int | None
    ) -> list[Row]:
        """Every participant scoring in [low, high], ranked (score, then who reached it
        first, then id), with their places; sliced to the page when offset is given."""
        above = int(await self.redis.zcount(keys.score, f"({high}", "+inf"))
        found = await self.redis.zrevrangebyscore(keys.score, high, low, withscores=True)
        members = [m.decode() if isinstance(m, bytes) else str(m) for m, _ in found]
        if not members:
            return []
        rs = await self.redis.hmget(keys.raw, members)  # type: ignore[misc]
        reached = await self.redis.hmget(keys.reached, members)  # type: ignore[misc]
        heads = await self.redis.hmget(keys.heads, members)  # type: ignore[misc]
        items = []
        for (_, score), who, raw, at, head in zip(found, members, rs, reached, heads, strict=True):
            items.append(
                (
                    round(float(score), DIGITS),
                    _moment(at),
                    who,
                    round(float(raw or 0), DIGITS),
                    int(head) if head is not None else None,
                )
            )
        items.sort(key=lambda i: (-i[0], i[1].timestamp() if i[1] else float("inf"), i[2]))
        rows = []
        for index, (score, at, who, raw, head) in enumerate(items):
            tie = (index > 0 and items[index - 1][0] == score) or (
                index + 1 < len(items) and items[index + 1][0] == score
            )
            rows.append(Row(above + index + 1, who, score, raw, head, at, tie, False))
        if offset is not None and limit is not None:
            rows = [r for r in rows if offset < r.place <= offset + limit]
        return rows

    async def reach_order(self, keys: LiveKeys) -> list[str]:
        """Participants by when they first reached the target (first-N contests)."""
        found = await self.redis.hgetall(keys.reach)  # type: ignore[misc]
        pairs = [
            (float(v), k.decode() if isinstance(k, bytes) else str(k)) for k, v in found.items()
        ]
        return [who for _, who in sorted(pairs)]

    async def top_scores(self, keys: LiveKeys, count: int) -> list[tuple[str, float]]:
        found = await self.redis.zrevrange(keys.score, 0, count - 1, withscores=True)
        return [(m.decode() if isinstance(m, bytes) else str(m), float(s)) for m, s in found]
