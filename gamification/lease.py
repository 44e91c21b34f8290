"""A Redis lease: held while its holder runs, renewed in the background, gone within
`seconds` of a holder that was killed (never a lock left behind for minutes)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

from redis.asyncio import Redis

_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@contextlib.asynccontextmanager
async def lease(redis: Redis, key: str, seconds: int = 10) -> AsyncIterator[bool]:
    """Yields True when this caller holds the lease, False when someone else does."""
    token = os.urandom(8).hex().encode()
    if not await redis.set(key, token, nx=True, ex=seconds):
        yield False
        return
    extend = redis.register_script(_EXTEND)

    async def renew() -> None:
        while True:
            await asyncio.sleep(seconds / 3)
            await extend(keys=[key], args=[token, seconds])

    renewing = asyncio.create_task(renew())
    try:
        yield True
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await renewing
        with contextlib.suppress(Exception):  # Redis gone: the lease expires by itself
            await redis.register_script(_RELEASE)(keys=[key], args=[token])
