"""`publish(event, payload, room)`: the one way an event leaves the server.

Call it after the change is committed (write, then notify): a client that reacts to the
event by reading over HTTP must find the change there.

A durable event gets a sequence number from one Redis counter and is appended, under that
number, to a short stream per room (`Keys.room_stream`). A client remembers the last
`seq` it saw; after a reconnect it asks for what it missed (`replay`) instead of reloading.
The counter and the appends run in one Lua script so that stream ids rise in publication
order (XADD refuses an id lower than the last one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from pydantic import ValidationError
from redis.asyncio import Redis

from gamification.keys import Keys
from realtime.errors import InvalidEvent
from realtime.events import EPHEMERAL, EVENTS, Payload

# Per room: enough for a laptop closed over lunch in a busy group; a client that missed
# more reloads (`reset`). 24 h after the last event a room's stream expires.
STREAM_LENGTH = 500
STREAM_TTL_SECONDS = 24 * 3600
REPLAY_LIMIT = 1000

_APPEND = """
local seq = redis.call('INCR', KEYS[1])
local id = seq .. '-0'
for i = 2, #KEYS do
  redis.call('XADD', KEYS[i], 'MAXLEN', '~', ARGV[3], id, 'e', ARGV[1], 'd', ARGV[2])
  redis.call('EXPIRE', KEYS[i], ARGV[4])
end
return seq
"""


class Emitter(Protocol):
    async def __call__(
        self, event: str, data: dict[str, Any], room: str | list[str], skip_sid: str | None
    ) -> None: ...


def validate(event: str, payload: Payload | Mapping[str, Any]) -> Payload:
    model = EVENTS.get(event)
    if model is None:
        raise InvalidEvent(f"{event!r} is not a declared event (realtime/events.py)")
    if isinstance(payload, Payload):
        if type(payload) is not model:
            raise InvalidEvent(f"{event!r} takes {model.__name__}, not {type(payload).__name__}")
        return payload
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise InvalidEvent(f"{event!r}: {exc}") from None


@dataclass
class Replay:
    events: list[dict[str, Any]]
    # True when some events may be gone (trimmed, expired, or too many): reload instead.
    reset: bool
    seq: int


class Publisher:
    def __init__(self, redis: Redis, keys: Keys, emit: Emitter) -> None:
        self.redis = redis
        self.keys = keys
        self.emit = emit
        self._append = redis.register_script(_APPEND)

    async def publish(
        self,
        event: str,
        payload: Payload | Mapping[str, Any],
        room: str | Sequence[str],
        *,
        skip_sid: str | None = None,
    ) -> int | None:
        """Validate, number (durable events), emit. Returns the sequence number."""
        checked = validate(event, payload)
        rooms = [room] if isinstance(room, str) else list(room)
        if not rooms:
            return None
        data = checked.model_dump(mode="json", exclude={"seq"})
        seq: int | None = None
        if event not in EPHEMERAL:
            stream_keys = [self.keys.room_stream(r) for r in rooms]
            seq = int(
                await self._append(
                    keys=[self.keys.realtime_seq, *stream_keys],
                    args=[event, orjson.dumps(data), STREAM_LENGTH, STREAM_TTL_SECONDS],
                )
            )
            data["seq"] = seq
        await self.emit(event, data, rooms[0] if len(rooms) == 1 else rooms, skip_sid)
        return seq

    async def current_seq(self) -> int:
        raw = await self.redis.get(self.keys.realtime_seq)
        return int(raw or 0)

    async def replay(self, rooms: Sequence[str], since: int) -> Replay:
        """Durable events with seq > since in these rooms, oldest first, each once."""
        current = await self.current_seq()
        if since > current:  # Redis was emptied: the cursor means nothing now
            return Replay([], True, current)
        pipe = self.redis.pipeline(transaction=False)
        for room in rooms:
            key = self.keys.room_stream(room)
            pipe.xrange(key, min=f"({since}-0", max="+", count=REPLAY_LIMIT + 1)
            pipe.xrange(key, min="-", max="+", count=1)
            pipe.xlen(key)
        results = await pipe.execute()
        found: dict[int, dict[str, Any]] = {}
        reset = False
        for i in range(len(rooms)):
            entries, first, length = results[3 * i : 3 * i + 3]
            if len(entries) > REPLAY_LIMIT:
                reset = True
            if first and length >= STREAM_LENGTH:
                oldest = int(first[0][0].split(b"-")[0])
                if oldest > since + 1:  # trimmed past the cursor
                    reset = True
            for ident, fields in entries[:REPLAY_LIMIT]:
                seq = int(ident.split(b"-")[0])
                data = orjson.loads(fields[b"d"])
                data["seq"] = seq
                found[seq] = {"event": fields[b"e"].decode(), "data": data}
        events = [found[s] for s in sorted(found)][:REPLAY_LIMIT]
        if len(found) > REPLAY_LIMIT:
            reset = True
        return Replay(events, reset, current)
