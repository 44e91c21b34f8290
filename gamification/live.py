"""Live notifications from anywhere (a worker, the CLI, a web process): through the
Socket.IO Redis channel, which every Socket.IO server process listens to.

`emit` and `emit_many` are the seam: the realtime package may later route these through
its own publisher (with event schemas), without the callers changing. A process has one
`WriteOnlyManager` (`server/services.py:Services.emitter`): the realtime publisher of a
worker or the CLI emits through it too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

import orjson
import socketio
from pydantic import BaseModel

log = logging.getLogger("plaza.live")

BOARDS_ROOM = "leaderboards"

Message = tuple[str, dict[str, Any], str]  # event, payload, room


def user_room(user_id: int | str) -> str:
    """The employee's personal room (every tab, every process): realtime.rooms.personal."""
    return f"employee:{user_id}"


class _Json:
    """orjson in the shape python-socketio expects of a json module."""

    @staticmethod
    def dumps(value: Any, **_: Any) -> str:
        return orjson.dumps(value).decode()

    @staticmethod
    def loads(raw: str | bytes, **_: Any) -> Any:
        return orjson.loads(raw)


# Publishes each line of ARGV[1] on the channel KEYS[1]. Lines are JSON documents, which
# never hold a raw newline (JSON escapes control characters in strings).
_PUBLISH_LINES = """
local n = 0
for message in string.gmatch(ARGV[1], '[^\\n]+') do
  redis.call('PUBLISH', KEYS[1], message)
  n = n + 1
end
return n
"""


class WriteOnlyManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    """python-socketio's Redis manager, write-only, plus `emit_many`: many emits in one
    Redis command, each published as its `emit` publishes it. A settlement batch of 1,000
    awards notifies ~800 people: one PUBLISH each took ~40% of the batch's time, and even
    pipelined, packing 800 commands and parsing 800 replies took ~4 ms of the worker's
    CPU; one script call with one argument takes under 1 ms."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__(url, channel=channel, write_only=True, json=_Json)
        self._publish_lines: Any = None

    async def emit_many(self, messages: Sequence[Message]) -> None:
        if not self.connected:
            self._redis_connect()
        if self._publish_lines is None:
            self._publish_lines = self.redis.register_script(_PUBLISH_LINES)
        lines = b"\n".join(
            orjson.dumps(
                {
                    "method": "emit",
                    "event": event,
                    "data": [payload],
                    "binary": False,
                    "namespace": "/",
                    "room": room,
                    "skip_sid": None,
                    "callback": None,
                    "host_id": self.host_id,
                }
            )
            for event, payload, room in messages
        )
        await self._publish_lines(keys=[self.channel], args=[lines])

    async def close(self) -> None:
        """Close the Redis client the stock manager opens lazily and never closes (a later
        emit reconnects)."""
        redis: Any = getattr(self, "redis", None)
        if redis is not None:
            await redis.aclose()


def write_only_manager(redis_url: str, channel: str) -> WriteOnlyManager:
    """A Socket.IO client manager that only emits: no server, no subscription."""
    return WriteOnlyManager(redis_url, channel)


async def emit(manager: Any, event: str, payload: dict[str, Any], room: str) -> None:
    """Best effort, after commit: a lost notification never loses data, since the client
    re-reads its wallet when it reconnects."""
    try:
        await manager.emit(event, payload, room=room)
    except Exception:  # the manager retries once itself; never fail the caller's job
        log.exception("could not emit %s to %s", event, room)


async def emit_many(manager: Any, messages: Sequence[Message]) -> None:
    if not messages:
        return
    try:
        if isinstance(manager, WriteOnlyManager):
            await manager.emit_many(messages)
        else:
            for event, payload, room in messages:
                await manager.emit(event, payload, room=room)
    except Exception:
        log.exception("could not emit %s messages", len(messages))


# -- the events this package emits, as declared schemas (checked by tests) ------------------


class WalletChange(BaseModel):
    transfer_id: str
    kind: str
    currency: str
    amount: int
    rule_id: str | None
    title: dict[str, str]
    because: str
    event_id: str | None


class WalletChanged(BaseModel):
    """`wallet.changed`, to the personal room: new balances and why they moved."""

    v: Literal[1] = 1  # the payload's version

    points: int
    spins: int
    changes: list[WalletChange]


class WheelResult(BaseModel):
    """`wheel.result`, to the personal room."""

    v: Literal[1] = 1  # the payload's version

    id: str
    segment: str
    outcome: str
    prize: str | None
    amount: int
    wish: dict[str, str] | None
    fallback: bool
    period: str


class TopPlace(BaseModel):
    id: str
    rank: int
    points: int


class LeaderboardChanged(BaseModel):
    """`leaderboard.changed`, to `leaderboards`: a board whose visible top changed."""

    v: Literal[1] = 1  # the payload's version

    scope: str
    period: str
    label: str
    top: list[TopPlace]


class ContestParticipant(BaseModel):
    kind: str
    id: str
    name: str
    avatar_url: str | None


class ContestRow(BaseModel):
    place: int
    participant: ContestParticipant
    score: float
    raw_score: float
    heads: int | None
    reached_at: str | None
    tie: bool
    winner: bool
    is_me: bool


class ContestStandings(BaseModel):
    """`contest.standings`, to `leaderboards` (every signed-in socket), at most about once a
    second per contest: its first rows (is_me always false: each client reads its own)."""

    v: Literal[1] = 1

    contest_id: str
    top: list[ContestRow]
    total: int
    as_of: str


class ContestClosed(BaseModel):
    """`contest.closed`, to `leaderboards`: the result is final and the prizes are given."""

    v: Literal[1] = 1

    contest_id: str
    winners: list[ContestRow]


SCHEMAS: dict[str, type[BaseModel]] = {
    "contest.standings": ContestStandings,
    "contest.closed": ContestClosed,
    "wallet.changed": WalletChanged,
    "wheel.result": WheelResult,
    "leaderboard.changed": LeaderboardChanged,
}
