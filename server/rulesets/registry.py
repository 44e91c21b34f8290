"""Which ruleset is live, in every process, within seconds of a publication.

Compiled rulesets are cached by version; the publication timeline says which version was
live at any moment, so each event is judged by the version live when it happened. A
publication is announced on a Redis channel; every web process and worker refreshes on it,
and also every `REFRESH_SECONDS` in case a message was missed (pub/sub does not queue).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
from datetime import datetime

from redis.asyncio import Redis

from gamification.keys import Keys
from rules.ruleset import Ruleset, load_ruleset
from server.models import RulesetPublication, RulesetVersion

log = logging.getLogger("plaza.rulesets")

REFRESH_SECONDS = 30.0


class RulesetRegistry:
    def __init__(self, default_timezone: str) -> None:
        self.default_timezone = default_timezone
        self._compiled: dict[str, Ruleset] = {}
        self._times: list[datetime] = []
        self._versions: list[str] = []
        self._task: asyncio.Task[None] | None = None

    async def refresh(self) -> None:
        rows = (
            await RulesetPublication.all().order_by("published_at", "id").select_related("ruleset")
        )
        times, versions = [], []
        for row in rows:
            version = row.ruleset.version
            if version not in self._compiled:
                self._compiled[version] = self.compile(row.ruleset)
            times.append(row.published_at)
            versions.append(version)
        self._times, self._versions = times, versions

    def compile(self, row: RulesetVersion) -> Ruleset:
        return load_ruleset(row.text, f"ruleset {row.version[:12]}", self.default_timezone)

    def live_at(self, moment: datetime) -> Ruleset | None:
        """The ruleset that was live at `moment`, None before the first publication."""
        index = bisect.bisect_right(self._times, moment) - 1
        return self._compiled[self._versions[index]] if index >= 0 else None

    @property
    def live(self) -> Ruleset | None:
        return self._compiled[self._versions[-1]] if self._versions else None

    async def start(self, redis: Redis, keys: Keys) -> None:
        await self.refresh()
        self._task = asyncio.create_task(self._listen(redis, keys))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _listen(self, redis: Redis, keys: Keys) -> None:
        while True:
            try:
                async with redis.pubsub() as pubsub:
                    await pubsub.subscribe(keys.ruleset_changes)
                    while True:
                        message = await pubsub.get_message(
                            ignore_subscribe_messages=True, timeout=REFRESH_SECONDS
                        )
                        if message is not None:
                            log.info("ruleset published elsewhere; refreshing")
                        await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis restarted: keep serving the last rulesets, retry
                log.exception("ruleset listener failed; retrying")
                await asyncio.sleep(1)


async def announce(redis: Redis, keys: Keys, version: str) -> None:
    await redis.publish(keys.ruleset_changes, version.encode())
