"""Presence: online / away / offline per employee across every tab and web process.

Redis holds one hash per employee with a field per open socket (`<node>:<sid>` -> online
or away). A Lua script changes a field and recomputes the aggregate in one step: online
if any tab is online, away if all are away, offline with none. Only a change of the
aggregate is published (`Keys.presence_channel`), so a second tab, a reload or a tab going
idle while another is active costs nothing downstream.

Who hears about it: not everyone. With 15,000 people online, telling everyone about every
change is 15,000 x (changes per second) deliveries, and changes grow with people too, so
the work is quadratic (15,000 people changing state once every 10 minutes would already be
375,000 deliveries a second). A socket instead says whom it looks at (`presence.watch`, at
most 500 ids: a chat list, a profile, a member list), each process keeps that index for
its own sockets, and every second sends each socket one `presence.changed` message with
the changes among the people it watches. Work is proportional to (changes x watchers of
the changed person), and a burst of changes costs one message per socket per second.

A process that dies leaves its fields behind; every live process refreshes a heartbeat key
(TTL 30 s), and a janitor on every process removes the fields of nodes whose heartbeat is
gone, so a crashed process's users go offline within about 40 s.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import orjson
from redis.asyncio import Redis

from gamification.keys import Keys
from realtime.events import PresenceChanged, PresenceEntry, PresenceState

log = logging.getLogger("plaza.realtime.presence")

FLUSH_SECONDS = 1.0
HEARTBEAT_SECONDS = 10
NODE_TTL_SECONDS = 30

# KEYS: conns hash, state hash. ARGV: field, new field state ("" removes it), now,
# employee id, channel.
_UPDATE = """
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
local agg = 'offline'
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do
  if v == 'online' then agg = 'online' break end
  agg = 'away'
end
local prev = redis.call('HGET', KEYS[2], 'state') or 'offline'
redis.call('HSET', KEYS[2], 'state', agg, 'seen', ARGV[3])
if agg ~= prev then
  redis.call('PUBLISH', ARGV[5],
    '{"id":' .. ARGV[4] .. ',"state":"' .. agg .. '","last_seen":' .. ARGV[3] .. '}')
end
return agg
"""

T = TypeVar("T")


async def _done(value: Awaitable[T] | T) -> T:
    # redis-py types its commands as sync-or-async; on redis.asyncio they are awaitable.
    return await value if inspect.isawaitable(value) else value


async def read_states(redis: Redis, keys: Keys, ids: Iterable[int]) -> list[PresenceEntry]:
    ids = list(dict.fromkeys(ids))
    pipe = redis.pipeline(transaction=False)
    for employee_id in ids:
        pipe.hmget(keys.presence_state(employee_id), ["state", "seen"])
    rows = await pipe.execute()
    return [
        PresenceEntry(
            id=employee_id,
            state=state.decode() if state else "offline",
            last_seen=float(seen) if seen else None,
        )
        for employee_id, (state, seen) in zip(ids, rows, strict=True)
    ]


SendToSid = Callable[[str, dict[str, Any]], Awaitable[None]]


class Presence:
    def __init__(self, redis: Redis, keys: Keys, node: str) -> None:
        self.redis = redis
        self.keys = keys
        self.node = node
        self._update = redis.register_script(_UPDATE)
        # Local index: watched employee -> local sids watching; and sid -> watched ids.
        self.watchers: dict[int, set[str]] = defaultdict(set)
        self.watching: dict[str, set[int]] = {}
        self.pending: dict[int, PresenceEntry] = {}

    def _field(self, sid: str) -> str:
        return f"{self.node}:{sid}"

    async def _set(self, employee_id: int, field: str, state: str) -> PresenceState:
        now = f"{time.time():.3f}"
        result = await self._update(
            keys=[self.keys.presence_conns(employee_id), self.keys.presence_state(employee_id)],
            args=[field, state, now, employee_id, self.keys.presence_channel],
        )
        agg = result.decode() if isinstance(result, bytes) else str(result)
        assert agg in ("online", "away", "offline")
        return agg  # type: ignore[return-value]

    async def connected(self, employee_id: int, sid: str) -> None:
        await _done(self.redis.sadd(self.keys.presence_node_members(self.node), employee_id))
        await self._set(employee_id, self._field(sid), "online")

    async def set_state(self, employee_id: int, sid: str, state: PresenceState) -> None:
        await self._set(employee_id, self._field(sid), state)

    async def disconnected(self, employee_id: int, sid: str) -> None:
        self.unwatch(sid)
        await self._set(employee_id, self._field(sid), "")

    async def states(self, ids: Iterable[int]) -> list[PresenceEntry]:
        return await read_states(self.redis, self.keys, ids)

    # -- who looks at whom (this process's sockets only) --------------------------------------

    def watch(self, sid: str, ids: Iterable[int]) -> None:
        self.unwatch(sid)
        wanted = set(ids)
        self.watching[sid] = wanted
        for employee_id in wanted:
            self.watchers[employee_id].add(sid)

    def unwatch(self, sid: str) -> None:
        for employee_id in self.watching.pop(sid, ()):
            sids = self.watchers.get(employee_id)
            if sids is not None:
                sids.discard(sid)
                if not sids:
                    del self.watchers[employee_id]

    def changed(self, raw: bytes) -> None:
        """A change published by any process; kept until the next flush (the latest wins)."""
        entry = PresenceEntry.model_validate(orjson.loads(raw))
        if entry.id in self.watchers:
            self.pending[entry.id] = entry

    async def flush(self, send: SendToSid) -> int:
        """One `presence.changed` per watching socket; returns how many were sent."""
        if not self.pending:
            return 0
        pending, self.pending = self.pending, {}
        per_sid: dict[str, list[PresenceEntry]] = defaultdict(list)
        for employee_id, entry in pending.items():
            for sid in self.watchers.get(employee_id, ()):
                per_sid[sid].append(entry)
        for sid, changes in per_sid.items():
            payload = PresenceChanged(changes=changes).model_dump(mode="json", exclude={"seq"})
            await send(sid, payload)
        return len(per_sid)

    async def flush_forever(self, send: SendToSid) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            try:
                await self.flush(send)
            except Exception:
                log.exception("presence flush failed")

    # -- node liveness ---------------------------------------------------------------------------

    async def heartbeat(self) -> None:
        await self.redis.set(self.keys.presence_node_alive(self.node), b"1", ex=NODE_TTL_SECONDS)
        await _done(self.redis.sadd(self.keys.presence_nodes, self.node))

    async def sweep_dead_nodes(self) -> int:
        """Remove the sockets of processes whose heartbeat expired; returns nodes swept."""
        swept = 0
        for raw in await _done(self.redis.smembers(self.keys.presence_nodes)):
            node = raw.decode()
            if await self.redis.exists(self.keys.presence_node_alive(node)):
                continue
            members_key = self.keys.presence_node_members(node)
            for member in await _done(self.redis.smembers(members_key)):
                employee_id = int(member)
                prefix = f"{node}:".encode()
                for field in await _done(self.redis.hkeys(self.keys.presence_conns(employee_id))):
                    if field.startswith(prefix):
                        await self._set(employee_id, field.decode(), "")
            await self.redis.delete(members_key)
            await _done(self.redis.srem(self.keys.presence_nodes, node))
            swept += 1
        return swept

    async def leave(self) -> None:
        """A clean shutdown: this process's sockets are gone now, not in 40 s."""
        await self.redis.delete(self.keys.presence_node_alive(self.node))
        await self.sweep_dead_nodes()

    async def liveness_forever(self) -> None:
        while True:
            try:
                await self.heartbeat()
                await self.sweep_dead_nodes()
            except Exception:
                log.exception("presence heartbeat failed")
            await asyncio.sleep(HEARTBEAT_SECONDS)
