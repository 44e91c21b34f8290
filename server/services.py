"""The long-lived things a process shares: settings, Redis, the job queue, the mailer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from redis.asyncio import Redis

from gamification.keys import Keys
from server.settings import Settings


def arq_redis_settings(settings: Settings) -> RedisSettings:
    return RedisSettings.from_dsn(settings.redis_url)


def job_serializer(value: Any) -> bytes:
    # JSON, never pickle: arq's default would let anyone who can write to Redis run code.
    return orjson.dumps(value)


def job_deserializer(raw: bytes) -> Any:
    return orjson.loads(raw)


@dataclass
class Services:
    settings: Settings
    redis: Redis
    keys: Keys
    jobs: ArqRedis

    @classmethod
    async def start(cls, settings: Settings) -> Services:
        redis = Redis.from_url(settings.redis_url, decode_responses=False)
        jobs = await create_pool(
            arq_redis_settings(settings),
            job_serializer=job_serializer,
            job_deserializer=job_deserializer,
            default_queue_name=Keys(settings.redis_prefix).queue,
        )
        return cls(settings=settings, redis=redis, keys=Keys(settings.redis_prefix), jobs=jobs)

    async def enqueue(self, function: str, *args: Any, job_id: str) -> None:
        await self.jobs.enqueue_job(function, *args, _job_id=job_id)

    async def close(self) -> None:
        await self.jobs.aclose()
        await self.redis.aclose()
