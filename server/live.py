"""The live layer wired to the server: who a socket is, which rooms it joins, and the HTTP
side of realtime (missed events after a reconnect, presence of a list of people).

Room sources, all registered in `room_resolver()`: the organisation (here), chats
(`server/chat/service.py`) and the community (`server/community/live.py`: groups,
channels, followed blogs, audience tokens, staff). A source is `async (employee_id) ->
iterable of room names` (`realtime/rooms.py` names them); after a membership change
commits, its service calls `server.community.live.enter/leave`, which every process applies.
"""

from __future__ import annotations

from pydantic import Field

from gamification.live import BOARDS_ROOM
from realtime import rooms
from realtime.errors import Refused
from realtime.events import MAX_WATCHED, PresenceEntry
from realtime.presence import read_states
from realtime.rooms import CompositeResolver, RoomSource
from realtime.server import Authenticator, Handshake, Identity
from server.api import Api, Ctx
from server.auth.sessions import SESSION_COOKIE, employee_for_api_token, session_for_cookie
from server.errors import ApiError
from server.i18n import translate
from server.models import Employee
from server.schemas import Strict
from server.settings import Settings

api = Api()


def authenticator(settings: Settings) -> Authenticator:
    async def authenticate(handshake: Handshake) -> Identity:
        token = handshake.auth.get("token")
        cookie = handshake.cookies.get(SESSION_COOKIE)
        locale = settings.locale
        try:
            if isinstance(token, str) and token:
                employee = await employee_for_api_token(token)
            elif cookie:
                employee = (await session_for_cookie(cookie, settings)).employee
            else:
                raise ApiError(401, "not_authenticated")
        except ApiError as exc:
            raise Refused(exc.code, translate(locale, exc.detail_key, **exc.params)) from None
        return Identity(employee_id=employee.id, locale=employee.locale)

    return authenticate


async def org_rooms(employee_id: int) -> set[str]:
    """Company, store, department, region and role rooms from the organisation model."""
    employee = await Employee.get_or_none(id=employee_id).select_related("store__city")
    if employee is None:
        return set()
    # Leaderboards are the company's: every socket hears a board's visible top change.
    found = {rooms.COMPANY, BOARDS_ROOM, rooms.role(employee.role.value)}
    if employee.department_id is not None:
        found.add(rooms.department(employee.department_id))
    if employee.store is not None:
        found.add(rooms.store(employee.store.id))
        city = employee.store.city
        if city is not None and city.region_id is not None:  # type: ignore[attr-defined]
            found.add(rooms.region(city.region_id))  # type: ignore[attr-defined]
    return found


def room_resolver(*extra: RoomSource) -> CompositeResolver:
    from server.chat.service import chat_rooms
    from server.community.live import community_rooms

    return CompositeResolver(org_rooms, chat_rooms, community_rooms, *extra)


# -- HTTP ----------------------------------------------------------------------------------------


class MissedQuery(Strict):
    since: int = Field(ge=0)


class MissedEvent(Strict):
    event: str
    data: dict[str, object]


class MissedOut(Strict):
    events: list[MissedEvent]
    reset: bool  # some events may be gone: reload the page's data instead
    seq: int  # the newest sequence number; the next cursor when `events` is empty


@api.route(
    "GET",
    "/api/realtime/missed",
    summary="Live events missed since a cursor (the last `seq` seen), for a reconnect",
    tags=["realtime"],
    query=MissedQuery,
    response=MissedOut,
)
async def missed(ctx: Ctx, query: MissedQuery) -> MissedOut:
    services = ctx.services
    names = await room_resolver()(ctx.me.id)
    replay = await services.publisher.replay(sorted(names), query.since)
    return MissedOut(
        events=[MissedEvent.model_validate(e) for e in replay.events],
        reset=replay.reset,
        seq=replay.seq,
    )


class PresenceQuery(Strict):
    ids: str = Field(pattern=r"^[0-9]{1,10}(,[0-9]{1,10})*$", max_length=500 * 11)


class PresenceOut(Strict):
    people: list[PresenceEntry]


@api.route(
    "GET",
    "/api/presence",
    summary="Online / away / offline and last seen of up to 500 people (ids=1,2,3)",
    tags=["realtime"],
    query=PresenceQuery,
    response=PresenceOut,
)
async def presence(ctx: Ctx, query: PresenceQuery) -> PresenceOut:
    ids = [int(i) for i in query.ids.split(",")][:MAX_WATCHED]
    services = ctx.services
    return PresenceOut(people=await read_states(services.redis, services.keys, ids))
