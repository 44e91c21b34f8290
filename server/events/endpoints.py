"""Events over HTTP, with the .ics export."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator
from starlette.responses import Response

from server.api import Api, Ctx
from server.community.access import load_viewer
from server.events import service
from server.events.ics import to_ics
from server.models import Event, Rsvp
from server.posts.out import people
from server.posts.schemas import PersonRef
from server.schemas import Strict

api = Api()
TAGS = ["events"]


# Empty, or what urlsplit() reads as an http(s) link; the document declares it as it is.
WEB_LINK = r"^$|^[Hh][Tt][Tt][Pp][Ss]?:"


class EventIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    starts_at: datetime
    ends_at: datetime
    place: str = Field(default="", max_length=300)
    url: str = Field(default="", max_length=500, json_schema_extra={"pattern": WEB_LINK})
    group_id: int | None = None
    # Tokens: "employee:12", "group:3", "store:5", "region:1", "segment:2"...; none: everyone
    # (or, for a group event, the group).
    invite: list[str] = Field(default_factory=list, max_length=200)

    @field_validator("url")
    @classmethod
    def _web_link(cls, value: str) -> str:
        if not re.match(WEB_LINK, value):
            raise ValueError("an http(s) link")
        return value

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("needs a time zone offset")
        return value


class RsvpCounts(BaseModel):
    going: int
    maybe: int
    declined: int


class EventOut(BaseModel):
    id: int
    title: str
    description: str
    html: str
    starts_at: datetime
    ends_at: datetime
    place: str
    url: str
    group_id: int | None
    created_by: int
    invite: list[str]
    my_answer: str | None
    counts: RsvpCounts
    ics_url: str
    # The company's time zone (IANA): the one the app shows the times in.
    timezone: str


class EventList(BaseModel):
    items: list[EventOut]
    # The company's time zone: what a new event's times are entered in.
    timezone: str


class EventsQuery(Strict):
    # upcoming: not yet ended (or ended in the last 12 hours), soonest first;
    # past: ended, most recent first.
    when: Literal["upcoming", "past"] = "upcoming"


async def events_out(ctx: Ctx, viewer_id: int, events: list[Event]) -> list[EventOut]:
    ids = [e.id for e in events]
    invites = await service.invites_of(ids)
    counts: dict[int, dict[str, int]] = {i: {"going": 0, "maybe": 0, "declined": 0} for i in ids}
    mine: dict[int, str] = {}
    for event_id, employee_id, answer in await Rsvp.filter(event_id__in=ids).values_list(
        "event_id", "employee_id", "answer"
    ):
        counts[event_id][str(answer)] += 1
        if employee_id == viewer_id:
            mine[event_id] = str(answer)
    return [
        EventOut(
            id=e.id,
            title=e.title,
            description=e.description,
            html=e.html,
            starts_at=e.starts_at,
            ends_at=e.ends_at,
            place=e.place,
            url=e.url,
            group_id=e.group_id,
            created_by=e.created_by_id,
            invite=sorted(invites.get(e.id, [])),
            my_answer=mine.get(e.id),
            counts=RsvpCounts(**counts[e.id]),
            ics_url=f"/api/events/{e.id}.ics",
            timezone=ctx.services.settings.timezone,
        )
        for e in events
    ]


@api.route("POST", "/api/events", summary="Create an event and invite people, groups, audiences",
           tags=TAGS, body=EventIn, response=EventOut, status=201)  # fmt: skip
async def create_event(ctx: Ctx, body: EventIn) -> EventOut:
    viewer = await load_viewer(ctx.me)
    event = await service.create_event(ctx.services, viewer, **body.model_dump())
    return (await events_out(ctx, viewer.id, [event]))[0]


@api.route("GET", "/api/events", summary="Upcoming (or past) events I may see", tags=TAGS,
           query=EventsQuery, response=EventList)  # fmt: skip
async def list_events(ctx: Ctx, query: EventsQuery) -> EventList:
    viewer = await load_viewer(ctx.me)
    now = datetime.now(UTC)
    if query.when == "past":
        events = await service.past(viewer, now - timedelta(hours=12))
    else:
        events = await service.upcoming(viewer, now - timedelta(hours=12))
    return EventList(
        items=await events_out(ctx, viewer.id, events), timezone=ctx.services.settings.timezone
    )


@api.route("GET", "/api/events/{id:int}", summary="An event", tags=TAGS, response=EventOut)
async def get_event(ctx: Ctx) -> EventOut:
    viewer = await load_viewer(ctx.me)
    event, _ = await service.visible_event(viewer, ctx.path_int("id"))
    return (await events_out(ctx, viewer.id, [event]))[0]


class RsvpIn(Strict):
    answer: Literal["going", "maybe", "declined"]


@api.route("PUT", "/api/events/{id:int}/rsvp", summary="Answer: going, maybe or declined",
           tags=TAGS, body=RsvpIn, response=EventOut)  # fmt: skip
async def rsvp(ctx: Ctx, body: RsvpIn) -> EventOut:
    viewer = await load_viewer(ctx.me)
    await service.answer(ctx.services, viewer, ctx.path_int("id"), body.answer)
    event, _ = await service.visible_event(viewer, ctx.path_int("id"))
    return (await events_out(ctx, viewer.id, [event]))[0]


class RsvpStats(BaseModel):
    event_id: int
    counts: RsvpCounts
    going: list[PersonRef]
    maybe: list[PersonRef]
    declined: list[PersonRef]


@api.route("GET", "/api/events/{id:int}/rsvps", summary="Answer statistics and who answered what",
           tags=TAGS, response=RsvpStats)  # fmt: skip
async def rsvp_stats(ctx: Ctx) -> RsvpStats:
    viewer = await load_viewer(ctx.me)
    event, by_answer = await service.rsvps(viewer, ctx.path_int("id"))
    persons = await people({i for ids in by_answer.values() for i in ids})
    return RsvpStats(
        event_id=event.id,
        counts=RsvpCounts(**{k: len(v) for k, v in by_answer.items()}),
        **{k: [persons[i] for i in v] for k, v in by_answer.items()},
    )


class AttendanceIn(Strict):
    employee_ids: list[int] = Field(min_length=1, max_length=1000)


class AttendanceOut(BaseModel):
    marked: int


@api.route("POST", "/api/events/{id:int}/attendance",
           summary="Mark who attended (the organiser)", tags=TAGS, body=AttendanceIn,
           response=AttendanceOut)  # fmt: skip
async def attendance(ctx: Ctx, body: AttendanceIn) -> AttendanceOut:
    viewer = await load_viewer(ctx.me)
    count = await service.mark_attended(ctx.services, viewer, ctx.path_int("id"), body.employee_ids)
    return AttendanceOut(marked=count)


@api.route("GET", "/api/events/{id:int}.ics", summary="The event for Outlook or Google Calendar",
           tags=TAGS, response_media_type="text/calendar")  # fmt: skip
async def ics(ctx: Ctx) -> Response:
    viewer = await load_viewer(ctx.me)
    event, _ = await service.visible_event(viewer, ctx.path_int("id"))
    base = ctx.services.settings.base_url.rstrip("/")
    data = to_ics(event, base, urlsplit(base).hostname or "plaza")
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}.ics"'},
    )
