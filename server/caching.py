"""In-process read caches for the hottest read paths (who is calling, the home feed), kept
coherent across web processes and workers by one Redis pub/sub channel.

Why: a feed page built from the database costs several loopback round trips, and on a small
machine each costs more Python time than the whole of a plain JSON response. Employees
re-open their feed all day while what it is made of (their groups, the newest posts of a
stream, a post's counters) changes far less often, so each web process keeps those pieces
and drops one the moment it changes.

How it stays correct:
- Every change that a cached piece depends on calls `invalidate(...)` after its commit: the
  piece is dropped in this process at once (so the caller's very next request sees the
  change) and the message goes to every other process through Redis (within milliseconds).
- A load that raced with a change is not stored: each drop stamps the key with the time,
  and a value read from the database before that stamp is thrown away (`Cache.put`).
- The caches are used only while this process is subscribed: until the subscription is
  confirmed, and after it breaks, every read goes to the database, and everything cached
  is dropped on each (re)subscription (messages may have been missed meanwhile).
- Every entry also has a time to live, a bound on the damage of a forgotten invalidation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
import weakref
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

import orjson
from redis.asyncio import Redis

from gamification.keys import Keys

log = logging.getLogger("plaza.caching")

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# The caches of the apps running in this process (one, except in tests), so that a change
# made here is dropped here before the request that made it returns.
_LOCAL: weakref.WeakSet[ReadCaches] = weakref.WeakSet()
# Messages name the process they come from: it has applied them already, and applying its
# own again on arrival would drop what it stored since (e.g. the reader with a new marker).
_PROCESS = uuid.uuid4().hex

# Longest plausible database read: stamps of dropped keys are kept this long, so that a load
# that started before a drop is recognised as stale when it tries to store its value.
STAMP_SECONDS = 30.0


class Cache(Generic[K, V]):
    """A bounded mapping with a time to live and drop stamps (see the module docstring)."""

    def __init__(self, name: str, *, ttl: float, size: int) -> None:
        self.name = name
        self.ttl = ttl
        self.size = size
        self._entries: dict[K, tuple[float, V]] = {}
        self._stamps: dict[K, float] = {}
        self._cleared = 0.0
        self.enabled = False  # set by ReadCaches while the invalidation channel is live
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        if not self.enabled:
            return None
        found = self._entries.get(key)
        if found is None or time.monotonic() - found[0] > self.ttl:
            self.misses += 1
            return None
        self.hits += 1
        return found[1]

    def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        """The entries found of these keys (one clock reading for all of them)."""
        if not self.enabled:
            return {}
        oldest = time.monotonic() - self.ttl
        entries = self._entries
        found = {k: e[1] for k in keys if (e := entries.get(k)) is not None and e[0] >= oldest}
        self.hits += len(found)
        return found

    @staticmethod
    def begin() -> float:
        """Call before reading what you will `put`: the read's start time."""
        return time.monotonic()

    def put(self, key: K, value: V, started: float) -> None:
        if not self.enabled or started <= self._cleared or self._stamps.get(key, 0.0) >= started:
            return  # dropped (or everything cleared) while the value was being read
        if len(self._entries) >= self.size:
            # Oldest insertions first: dicts keep insertion order. A tenth at a time keeps
            # the cost of eviction off most requests.
            for stale in list(self._entries)[: max(1, self.size // 10)]:
                del self._entries[stale]
        self._entries[key] = (time.monotonic(), value)

    def store(self, key: K, value: V) -> None:
        """Store a value the caller knows to be current (it has just written it)."""
        if self.enabled:
            self._entries[key] = (time.monotonic(), value)

    def drop(self, key: K) -> None:
        now = time.monotonic()
        self._entries.pop(key, None)
        self._stamps[key] = now
        if len(self._stamps) > 4 * self.size:
            self._stamps = {k: t for k, t in self._stamps.items() if now - t < STAMP_SECONDS}

    def drop_where(self, test: Callable[[K, V], bool]) -> None:
        for key, (_, value) in list(self._entries.items()):
            if test(key, value):
                self.drop(key)

    def clear(self) -> None:
        self._entries.clear()
        self._stamps.clear()
        self._cleared = time.monotonic()


class ReadCaches:
    """The caches of one process, and the listener that keeps them coherent.

    Message kinds (`invalidate` keyword -> what is dropped):
    - `tokens`: credentials by token hash (a session ended, a token revoked);
    - `employees`: everything about these people (their credentials, their viewer, their
      name on posts): a dismissal, a role, store or profile change;
    - `viewers`: what their feed is made of (groups, channels, follows, the unread marker);
    - `streams`: the newest posts of these streams (`g:1`, `c:2`, `u:3`);
    - `posts`: these posts' cards (text, counters, reactions, confirmations);
    - `everyone`: everything that depends on people (an HR import, a channel made
      mandatory): rare, and simpler than working out who.
    """

    def __init__(self) -> None:
        # Sizes: the people active in a few minutes at a large customer (15,000 online),
        # the streams of a company (channels, groups, blogs), a day's posts and then some;
        # `python -m bench.feed` prints what a process holds after 50,000 employees' visits.
        self.auth: Cache[str, Any] = Cache("auth", ttl=300, size=20_000)
        self.viewers: Cache[int, Any] = Cache("viewers", ttl=300, size=20_000)
        self.streams: Cache[str, Any] = Cache("streams", ttl=300, size=10_000)
        self.cards: Cache[int, Any] = Cache("cards", ttl=300, size=50_000)
        self._all = (self.auth, self.viewers, self.streams, self.cards)
        self._task: asyncio.Task[None] | None = None

    # -- dropping ------------------------------------------------------------------------

    def apply(self, message: dict[str, Any]) -> None:
        for digest in message.get("tokens", ()):
            self.auth.drop(str(digest))
        people = {int(i) for i in message.get("employees", ())}
        if people:
            self.auth.drop_where(lambda _, entry: entry.employee_id in people)
            for person in people:
                self.viewers.drop(person)
            self.cards.drop_where(lambda _, card: not people.isdisjoint(card.people))
        for person in message.get("viewers", ()):
            self.viewers.drop(int(person))
        for stream in message.get("streams", ()):
            self.streams.drop(str(stream))
        for post in message.get("posts", ()):
            self.cards.drop(int(post))
        if message.get("everyone"):  # rare: HR imports, a channel made mandatory
            self.auth.clear()
            self.viewers.clear()
            self.cards.clear()

    def _set_enabled(self, enabled: bool) -> None:
        for cache in self._all:
            cache.clear()
            cache.enabled = enabled

    # -- listening -----------------------------------------------------------------------

    def start(self, redis: Redis, channel: str) -> None:
        _LOCAL.add(self)
        self._task = asyncio.create_task(self._listen(redis, channel), name="cache-listener")

    async def stop(self) -> None:
        _LOCAL.discard(self)
        self._set_enabled(False)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _listen(self, redis: Redis, channel: str) -> None:
        delay = 0.1
        while True:
            pubsub = redis.pubsub()
            try:
                await pubsub.subscribe(channel)
                while True:
                    message = await pubsub.get_message(timeout=30)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self._set_enabled(True)  # from now on no message is missed
                        delay = 0.1
                    elif message["type"] == "message":
                        data = orjson.loads(message["data"])
                        if data.get("from") != _PROCESS:
                            self.apply(data)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("cache invalidation channel lost; reading through", exc_info=True)
                self._set_enabled(False)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]


async def invalidate(
    redis: Redis,
    keys: Keys,
    *,
    tokens: Iterable[str] = (),
    employees: Iterable[int] = (),
    viewers: Iterable[int] = (),
    streams: Iterable[str] = (),
    posts: Iterable[int] = (),
    everyone: bool = False,
) -> None:
    """After a commit: drop what it changed in this process at once (so the caller's next
    request sees it), and in every other process through Redis."""
    message: dict[str, Any] = {}
    kinds: tuple[tuple[str, Iterable[Any]], ...] = (
        ("tokens", tokens),
        ("employees", employees),
        ("viewers", viewers),
        ("streams", streams),
        ("posts", posts),
    )
    for name, values in kinds:
        found = sorted(set(values))
        if found:
            message[name] = found
    if everyone:
        message["everyone"] = True
    if not message:
        return
    for caches in list(_LOCAL):
        caches.apply(message)
    message["from"] = _PROCESS
    await redis.publish(keys.cache_invalidations, orjson.dumps(message))
