"""The Socket.IO server: authenticated connects, server-side rooms, cross-process control.

`Realtime` is handed an authenticator (handshake -> identity, or `Refused`) and a room
resolver (employee id -> room names); it never imports the HTTP layer. The server wires
it in `create_app()` and mounts `asgi_app` at `/socket.io`.

Across processes:
- events travel through python-socketio's Redis manager (`realtime/manager.py`);
- room changes for an employee (`enter_room` / `leave_room`, and `resolve_again` after a
  change of role, store or department) and sign-outs travel on our own channels, and each
  process applies them to its own sockets of that employee: a process only knows its own
  sockets, and an employee's sockets are spread over several.

Watching (`watch` / `unwatch`) is local: a socket's watched places live and end with it,
in the process that holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

import orjson
import socketio
from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis

from gamification.keys import Keys
from realtime import rooms as room_names
from realtime.errors import MessageError, Refused
from realtime.events import (
    CLIENT_MESSAGES,
    MAX_WATCHED_PLACES,
    ChatTyping,
    PresenceSet,
    PresenceWatch,
    SessionEnded,
    Sync,
    Typing,
    Unwatch,
    Watch,
)
from realtime.manager import OrjsonModule, PlazaRedisManager, PlazaSocketServer, redis_manager
from realtime.presence import Presence
from realtime.publisher import Publisher
from realtime.rooms import RoomResolver, WatchPolicy, watch_nothing

log = logging.getLogger("plaza.realtime")

NAMESPACE = "/"
# One message names up to this many people: an HR import that moves a store of 300 sends
# one message, not 300, and each process looks each id up in a dict of its own sockets.
RESOLVE_BATCH = 1000

# Client messages are small (a typing signal, a list of 500 ids); 64 KB leaves room and
# keeps a client from making the server parse megabytes. Chat bodies go over HTTP.
MAX_MESSAGE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Handshake:
    cookies: Mapping[str, str]
    auth: Mapping[str, Any]
    headers: Mapping[str, str]
    ip: str


@dataclass(frozen=True)
class Identity:
    employee_id: int
    locale: str = "en"


Authenticator = Callable[[Handshake], Awaitable[Identity]]


def _handshake(environ: Mapping[str, Any], auth: object) -> Handshake:
    cookies: dict[str, str] = {}
    raw_cookie = environ.get("HTTP_COOKIE", "")
    if raw_cookie:
        jar: SimpleCookie = SimpleCookie()
        with contextlib.suppress(CookieError):
            jar.load(raw_cookie)
        cookies = {name: morsel.value for name, morsel in jar.items()}
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    return Handshake(
        cookies=cookies,
        auth=auth if isinstance(auth, dict) else {},
        headers=headers,
        ip=str(environ.get("REMOTE_ADDR", "")),
    )


async def publish_room_change(
    redis: Redis, keys: Keys, op: str, employee_id: int, room: str
) -> None:
    """Ask every process (this one included, when the message arrives) to move the
    employee's sockets into (`op="enter"`) or out of (`op="leave"`) a room. Usable from
    any process with Redis: the worker, the CLI, a web process without sockets."""
    if op not in ("enter", "leave"):
        raise ValueError(op)
    message = orjson.dumps({"op": op, "employee_id": employee_id, "room": room})
    await redis.publish(keys.realtime_control, message)


async def publish_rooms_changed(redis: Redis, keys: Keys, employee_ids: Iterable[int]) -> None:
    """Ask every process to resolve these employees' rooms again and move their sockets
    accordingly: after a change of role, store or department commits, which changes
    several rooms at once (`store:`, `city:`, `region:`, `role:`, `staff`, ...)."""
    ids = sorted(set(employee_ids))
    for start in range(0, len(ids), RESOLVE_BATCH):
        batch = ids[start : start + RESOLVE_BATCH]
        await redis.publish(
            keys.realtime_control, orjson.dumps({"op": "resolve", "employee_ids": batch})
        )


class Realtime:
    def __init__(
        self,
        *,
        redis_url: str,
        keys: Keys,
        authenticate: Authenticator,
        resolve_rooms: RoomResolver,
        watch_policy: WatchPolicy = watch_nothing,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
    ) -> None:
        self.keys = keys
        self.redis = Redis.from_url(redis_url, decode_responses=False)
        redis = self.redis
        self.authenticate = authenticate
        self.resolve_rooms = resolve_rooms
        self.watch_policy = watch_policy
        self.node = uuid.uuid4().hex[:12]
        self.manager: PlazaRedisManager = redis_manager(redis_url, keys.socketio_channel)
        self.sio = PlazaSocketServer(
            async_mode="asgi",
            client_manager=self.manager,
            json=OrjsonModule,
            max_http_buffer_size=max_message_bytes,
            # Same-origin only (the web app is served by the same host); scripts and the
            # Node swarm send no Origin header and are not affected.
            cors_allowed_origins=None,
            logger=False,
            engineio_logger=False,
        )
        self.asgi_app = socketio.ASGIApp(self.sio, socketio_path=None)
        self.presence = Presence(redis, keys, self.node)
        self.publisher = Publisher(redis, keys, self._emit)
        self.identities: dict[str, Identity] = {}
        self.sids_of: dict[int, set[str]] = defaultdict(set)
        # sid -> its `watch:` rooms -> (place, id), as the client asked
        self.watching: dict[str, dict[str, tuple[str, int]]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._pubsub: Any = None
        self._register()

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        # python-socketio starts its Redis listener on the first connection; start it now so
        # that this process hears events even before its first client, and wait until it
        # is subscribed so that nothing published after start() is missed.
        self.sio.manager_initialized = True
        self.manager.initialize()
        self._pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(
            self.keys.account_events, self.keys.realtime_control, self.keys.presence_channel
        )
        await self.presence.heartbeat()
        self._tasks = [
            asyncio.create_task(self._listen()),
            asyncio.create_task(self.presence.flush_forever(self._send_local)),
            asyncio.create_task(self.presence.liveness_forever()),
        ]
        for _ in range(200):
            pubsub = self.manager.pubsub
            if pubsub is not None and pubsub.subscribed:
                break
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        for sid in list(self.identities):
            with contextlib.suppress(Exception):
                await self.sio.disconnect(sid, ignore_queue=True)
        tasks = [*self._tasks]
        thread = getattr(self.manager, "thread", None)
        if thread is not None:
            tasks.append(thread)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks = []
        with contextlib.suppress(Exception):
            await self.presence.leave()
        if self._pubsub is not None:
            await self._pubsub.aclose()
        await self.sio.shutdown()
        with contextlib.suppress(Exception):
            await self.manager.close()
        await self.redis.aclose()

    # -- sending ----------------------------------------------------------------------------------

    async def _emit(
        self, event: str, data: dict[str, Any], room: str | list[str], skip_sid: str | None
    ) -> None:
        await self.sio.emit(event, data, room=room, skip_sid=skip_sid)

    async def _send_local(self, sid: str, data: dict[str, Any]) -> None:
        await self.sio.emit("presence.changed", data, to=sid, ignore_queue=True)

    # -- rooms across processes -------------------------------------------------------------

    async def enter_room(self, employee_id: int, room: str) -> None:
        """Put every socket of this employee, on every process, into `room` (e.g. after
        joining a group). Call it after the membership is committed."""
        await self._control("enter", employee_id, room)

    async def leave_room(self, employee_id: int, room: str) -> None:
        """Take every socket of this employee, on every process, out of `room`."""
        await self._control("leave", employee_id, room)

    async def resolve_again(self, employee_ids: Iterable[int]) -> None:
        """Resolve these employees' rooms again on every process (after a change of role,
        store or department is committed)."""
        await publish_rooms_changed(self.redis, self.keys, employee_ids)

    async def _control(self, op: str, employee_id: int, room: str) -> None:
        await publish_room_change(self.redis, self.keys, op, employee_id, room)

    async def _apply_control(self, message: Mapping[str, Any]) -> None:
        op = message["op"]
        if op == "resolve":
            for employee_id in message["employee_ids"]:
                try:
                    await self._resolve_local(int(employee_id))
                except Exception:  # one person's failure must not skip the rest
                    log.exception("rooms not resolved again", extra={"employee": employee_id})
            return
        employee_id, room = int(message["employee_id"]), str(message["room"])
        for sid in list(self.sids_of.get(employee_id, ())):
            if op == "enter":
                await self.sio.enter_room(sid, room)
            elif op == "leave":
                await self.sio.leave_room(sid, room)

    async def _resolve_local(self, employee_id: int) -> None:
        """Move this process's sockets of the employee to the rooms the resolver gives now.
        Watched places are the socket's own choice, checked when made: they stay."""
        if not self.sids_of.get(employee_id):
            return  # no socket here: no database read
        wanted = await self.resolve_rooms(employee_id)
        wanted.add(room_names.personal(employee_id))
        for sid in list(self.sids_of.get(employee_id, ())):
            current = {r for r in self.sio.rooms(sid) if r != sid and not room_names.is_watch(r)}
            for room in wanted - current:
                await self.sio.enter_room(sid, room)
            for room in current - wanted:
                await self.sio.leave_room(sid, room)

    async def _end_sessions(self, employee_id: int, reason: str) -> None:
        payload = SessionEnded(reason=reason).model_dump(mode="json", exclude={"seq"})
        for sid in list(self.sids_of.get(employee_id, ())):
            await self.sio.emit("session.ended", payload, to=sid, ignore_queue=True)
            await self.sio.disconnect(sid, ignore_queue=True)

    async def _listen(self) -> None:
        handlers: dict[bytes, Callable[[bytes], Awaitable[None]]] = {
            self.keys.account_events.encode(): self._on_account_event,
            self.keys.realtime_control.encode(): self._on_control,
            self.keys.presence_channel.encode(): self._on_presence,
        }
        while True:
            try:
                async for message in self._pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    handler = handlers.get(message["channel"])
                    if handler is None:
                        continue
                    try:
                        await handler(message["data"])
                    except Exception:
                        log.exception("realtime control message failed")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("realtime listener lost Redis; resubscribing in 1 s")
                await asyncio.sleep(1)
                with contextlib.suppress(Exception):
                    await self._pubsub.aclose()
                self._pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                with contextlib.suppress(Exception):
                    await self._pubsub.subscribe(*[k.decode() for k in handlers])

    async def _on_account_event(self, raw: bytes) -> None:
        message = orjson.loads(raw)
        await self._end_sessions(int(message["employee_id"]), str(message.get("reason", "")))

    async def _on_control(self, raw: bytes) -> None:
        await self._apply_control(orjson.loads(raw))

    async def _on_presence(self, raw: bytes) -> None:
        self.presence.changed(raw)

    # -- handlers ---------------------------------------------------------------------------------

    def _register(self) -> None:
        sio = self.sio
        sio.on("connect", self._connect)
        sio.on("disconnect", self._disconnect)
        handlers: dict[str, Callable[[str, Identity, Any], Awaitable[dict[str, Any]]]] = {
            "presence.set": self._presence_set,
            "presence.watch": self._presence_watch,
            "chat.typing": self._typing,
            "sync": self._sync,
            "watch": self._watch,
            "unwatch": self._unwatch,
        }
        assert set(handlers) == set(CLIENT_MESSAGES)
        for name, handler in handlers.items():
            sio.on(name, self._guard(name, handler))
        sio.on("*", self._unknown)

    async def _connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        try:
            identity = await self.authenticate(_handshake(environ, auth))
        except Refused as exc:
            raise socketio.exceptions.ConnectionRefusedError(
                exc.message, {"code": exc.code}
            ) from None
        rooms = await self.resolve_rooms(identity.employee_id)
        rooms.add(room_names.personal(identity.employee_id))
        for room in rooms:
            await self.sio.enter_room(sid, room)
        self.identities[sid] = identity
        self.sids_of[identity.employee_id].add(sid)
        await self.presence.connected(identity.employee_id, sid)

    async def _disconnect(self, sid: str, reason: object = None) -> None:
        # A long-polling client that says goodbye still has a GET waiting for data; Engine.IO
        # would hold it until the next ping (25 s). Answer it now.
        eio_sid = self.manager.eio_sid_from_sid(sid, NAMESPACE)
        socket = self.sio.eio.sockets.get(eio_sid) if eio_sid else None
        if socket is not None and not socket.upgraded:
            socket.queue.put_nowait(None)
        self.watching.pop(sid, None)
        identity = self.identities.pop(sid, None)
        if identity is None:
            return
        sids = self.sids_of.get(identity.employee_id)
        if sids is not None:
            sids.discard(sid)
            if not sids:
                del self.sids_of[identity.employee_id]
        await self.presence.disconnected(identity.employee_id, sid)

    def _guard(
        self, name: str, handler: Callable[[str, Identity, Any], Awaitable[dict[str, Any]]]
    ) -> Callable[..., Awaitable[dict[str, Any]]]:
        model = CLIENT_MESSAGES[name]

        async def guarded(sid: str, data: object = None, *extra: object) -> dict[str, Any]:
            identity = self.identities.get(sid)
            if identity is None:
                return MessageError("not_connected", "connect first").ack()
            try:
                message = model.model_validate(data if data is not None else {})
                return await handler(sid, identity, message)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "message"
                return MessageError("invalid_message", f"{name}: {where}: {first['msg']}").ack()
            except MessageError as exc:
                return exc.ack()
            except Exception:
                log.exception("socket message failed", extra={"event": name})
                return MessageError("internal", "the server failed; it has been logged").ack()

        return guarded

    async def _unknown(self, event: str, sid: str, *data: object) -> dict[str, Any]:
        known = ", ".join(sorted(CLIENT_MESSAGES))
        return MessageError("unknown_message", f"{event!r} is not a message; known: {known}").ack()

    async def _presence_set(self, sid: str, who: Identity, message: BaseModel) -> dict[str, Any]:
        assert isinstance(message, PresenceSet)
        await self.presence.set_state(who.employee_id, sid, message.state)
        return {"ok": True}

    async def _presence_watch(self, sid: str, who: Identity, message: BaseModel) -> dict[str, Any]:
        assert isinstance(message, PresenceWatch)
        self.presence.watch(sid, message.ids)
        states = await self.presence.states(message.ids)
        return {"ok": True, "states": [s.model_dump(mode="json") for s in states]}

    async def _typing(self, sid: str, who: Identity, message: BaseModel) -> dict[str, Any]:
        assert isinstance(message, Typing)
        room = room_names.chat(message.chat_id)
        if room not in self.sio.rooms(sid):
            raise MessageError("not_a_member", f"you are not in chat {message.chat_id}")
        payload = ChatTyping(chat_id=message.chat_id, employee_id=who.employee_id)
        await self.publisher.publish("chat.typing", payload, room, skip_sid=sid)
        return {"ok": True}

    async def _sync(self, sid: str, who: Identity, message: BaseModel) -> dict[str, Any]:
        assert isinstance(message, Sync)
        rooms = [r for r in self.sio.rooms(sid) if r != sid and not room_names.is_watch(r)]
        rooms += await self._still_watched(sid, who)
        replay = await self.publisher.replay(rooms, message.since)
        return {"ok": True, "events": replay.events, "reset": replay.reset, "seq": replay.seq}

    async def _watch(self, sid: str, who: Identity, message: BaseModel) -> dict[str, Any]:
        assert isinstance(message, Watch)
        room = room_names.watch(message.place, message.id)
        watched = self.watching.setdefault(sid, {})
        if room not in watched:
            self._check_room_for_one_more(watched)
            await self.watch_policy(who.employee_id, who.locale, message.place, message.id)
            # The policy read the database: the socket may have gone, or another `watch`
            # of the same socket (handlers run concurrently) may have taken the last place.
            if self.watching.get(sid) is not watched:
                raise MessageError("not_connected", "the socket has disconnected")
            self._check_room_for_one_more(watched)
            watched[room] = (message.place, message.id)
            await self.sio.enter_room(sid, room)
        return {"ok": True, "watching": len(watched)}

    @staticmethod
    def _check_room_for_one_more(watched: dict[str, tuple[str, int]]) -> None:
        if len(watched) >= MAX_WATCHED_PLACES:
            raise MessageError(
                "too_many_watches",
                f"a socket watches at most {MAX_WATCHED_PLACES} places; unwatch one first",
            )

    async def _unwatch(self, sid: str, who: Identity, message: BaseModel) -> dict[str, Any]:
        assert isinstance(message, Unwatch)
        room = room_names.watch(message.place, message.id)
        watched = self.watching.get(sid, {})
        if watched.pop(room, None) is not None:
            await self.sio.leave_room(sid, room)
        return {"ok": True, "watching": len(watched)}

    async def _still_watched(self, sid: str, who: Identity) -> list[str]:
        """The socket's watched rooms that the policy still allows, checked again before a
        replay: a place's stream holds up to a day of events, and a group made private
        since the watch began must not hand them out (live events stop at publication).
        The others are dropped."""
        kept = []
        watched = self.watching.get(sid, {})
        for room, (place, ident) in list(watched.items()):
            try:
                await self.watch_policy(who.employee_id, who.locale, place, ident)
            except MessageError:
                watched.pop(room, None)
                await self.sio.leave_room(sid, room)
                continue
            kept.append(room)
        return kept
