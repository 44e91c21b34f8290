"""The long-lived things a process shares: settings, Redis, the job queue, the live publisher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from redis.asyncio import Redis

from gamification.keys import Keys
from gamification.live import WriteOnlyManager, write_only_manager
from realtime.publisher import Publisher
from server.caching import ReadCaches
from server.settings import Settings


def arq_redis_settings(settings: Settings) -> RedisSettings:
    return RedisSettings.from_dsn(settings.redis_url)


def job_serializer(value: Any) -> bytes:
    # JSON, never pickle: arq's default would let anyone who can write to Redis run code.
    # A failed job's result is its exception: kept as its repr, not a serialising error.
    return orjson.dumps(value, default=_as_text)


def _as_text(value: Any) -> str:
    if isinstance(value, BaseException):
        return repr(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def job_deserializer(raw: bytes) -> Any:
    return orjson.loads(raw)


@dataclass
class Services:
    settings: Settings
    redis: Redis
    keys: Keys
    jobs: ArqRedis
    # Emits Socket.IO events. Out of a web process (the worker, the CLI) it goes through
    # `emitter`; `create_app()` replaces it with the web server's own.
    publisher: Publisher
    # The process's one write-only Socket.IO manager: the publisher above (until replaced)
    # and the reward events (`gamification.live`, in batches) both emit through it.
    emitter: WriteOnlyManager
    # The in-process read caches; only web processes have them (`create_app()`).
    caches: ReadCaches | None = None

    @classmethod
    async def start(cls, settings: Settings) -> Services:
        redis = Redis.from_url(settings.redis_url, decode_responses=False)
        jobs = await create_pool(
            arq_redis_settings(settings),
            job_serializer=job_serializer,
            job_deserializer=job_deserializer,
            default_queue_name=Keys(settings.redis_prefix).queue,
        )
        keys = Keys(settings.redis_prefix)
        emitter = write_only_manager(settings.redis_url, keys.socketio_channel)

        async def emit(
            event: str, data: dict[str, Any], room: str | list[str], skip_sid: str | None
        ) -> None:
            await emitter.emit(event, data, namespace="/", room=room, skip_sid=skip_sid)

        publisher = Publisher(redis, keys, emit)
        return cls(settings, redis, keys, jobs, publisher, emitter)

    async def enqueue(self, function: str, *args: Any, job_id: str) -> None:
        await self.jobs.enqueue_job(function, *args, _job_id=job_id)

    async def close(self) -> None:
        await self.emitter.close()
        await self.jobs.aclose()
        await self.redis.aclose()
