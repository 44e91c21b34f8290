"""Room names and the resolver that says which rooms an employee belongs to.

Rooms are joined by the server only, from the database, when a socket connects (and
changed later through `Realtime.enter_room` / `leave_room` / `resolve_again`). A client
never names a room; it may ask to watch a place (`watch`), which the server checks with
its `WatchPolicy` before it puts the socket in that place's `watch:` room.
One naming scheme: a room named like a community audience token (`region:3`, `city:5`,
`store:12`, `dept:4`, `role:manager`, `employee:7`, `group:9`) holds exactly the employees
who hold that token (`server/community/audience.py:tokens_of`), so a post targeted at
an audience is published to its tokens as they are. `tests/server/community/test_live.py`
checks that the two agree.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from gamification.live import user_room
from realtime.errors import MessageError

COMPANY = "company"


def personal(employee_id: int) -> str:
    """Every socket of one employee, on every process: notifications, wallet, sign-out.
    Named where the reward side (which may not import realtime) emits to it too."""
    return user_room(employee_id)


def store(store_id: int) -> str:
    return f"store:{store_id}"


def city(city_id: int) -> str:
    return f"city:{city_id}"


def department(department_id: int) -> str:
    return f"dept:{department_id}"


def region(region_id: int) -> str:
    return f"region:{region_id}"


def role(role_name: str) -> str:
    return f"role:{role_name}"


def chat(chat_id: int) -> str:
    return f"chat:{chat_id}"


def group(group_id: int) -> str:
    """Members of a group (state `member`: not those invited or asking to join)."""
    return f"group:{group_id}"


def channel(channel_id: int) -> str:
    """Subscribers of an optional channel; a mandatory channel publishes to `COMPANY`."""
    return f"channel:{channel_id}"


def blog(author_id: int) -> str:
    """The followers of one person's blog."""
    return f"blog:{author_id}"


# Comms, moderators and admins: they may see every channel post, whatever its audience.
STAFF = "staff"

WATCH_PREFIX = "watch:"


def watch(place: str, ident: int) -> str:
    """The sockets that watch a place (`watch` message) without being among its members,
    subscribers or followers. Not `group:<id>` itself: that room is also an audience token,
    and a channel post targeted at a group's members must not reach those who only look."""
    return f"{WATCH_PREFIX}{place}:{ident}"


def is_watch(room: str) -> bool:
    return room.startswith(WATCH_PREFIX)


class RoomResolver(Protocol):
    """Employee id -> the names of every room the employee may listen to. Called on every
    connect (and by the reconnect replay), so it must read the current memberships."""

    async def __call__(self, employee_id: int) -> set[str]: ...


RoomSource = Callable[[int], Awaitable[Iterable[str]]]


class WatchPolicy(Protocol):
    """May this employee watch this place? Returns quietly or raises `MessageError` (the
    client's error ack, its detail in `locale`). Asked on every `watch`, before the socket
    enters the room."""

    async def __call__(self, employee_id: int, locale: str, place: str, ident: int) -> None: ...


async def watch_nothing(employee_id: int, locale: str, place: str, ident: int) -> None:
    """The policy of a server given none (the fan-out benchmark): nothing may be watched."""
    raise MessageError("not_found", f"no {place} {ident}")


class CompositeResolver:
    """The union of several sources. The server registers the organisation and the chats;
    the community code adds groups, channels, blogs and audience tokens with `add(source)`."""

    def __init__(self, *sources: RoomSource) -> None:
        self.sources: list[RoomSource] = list(sources)

    def add(self, source: RoomSource) -> None:
        self.sources.append(source)

    async def __call__(self, employee_id: int) -> set[str]:
        rooms = {personal(employee_id)}
        for source in self.sources:
            rooms.update(await source(employee_id))
        return rooms
