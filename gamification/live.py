"""Live notifications from anywhere (a worker, the CLI, a web process): through the
Socket.IO Redis channel, which every Socket.IO server process listens to.

The one function below is the seam: the realtime package may later route these through
its own publisher (with event schemas), without the callers changing.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio

log = logging.getLogger("plaza.live")


def write_only_manager(redis_url: str, channel: str) -> Any:
    """A Socket.IO client manager that only emits: no server, no subscription."""
    return socketio.AsyncRedisManager(redis_url, channel=channel, write_only=True)


def user_room(user_id: int | str) -> str:
    return f"user:{user_id}"


BOARDS_ROOM = "leaderboards"


async def emit(manager: Any, event: str, payload: dict[str, Any], room: str) -> None:
    """Best effort, after commit: a lost notification never loses data, since the client
    re-reads its wallet when it reconnects."""
    try:
        await manager.emit(event, payload, room=room)
    except Exception:  # the manager retries once itself; never fail the caller's job
        log.exception("could not emit %s to %s", event, room)


async def close(manager: Any) -> None:
    redis = getattr(manager, "redis", None)
    if redis is not None:
        await redis.aclose()
