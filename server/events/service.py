"""Events: time, place or link, invitations (people, groups, audiences), RSVP, attendance,
reminders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from server import activity
from server.community.access import Viewer, can_read_group, require
from server.community.audience import expand, members_of
from server.errors import ApiError, not_found
from server.models import Event, EventInvite, Group, Rsvp, RsvpAnswer
from server.posts.render import render
from server.services import Services

UPCOMING_LIMIT = 100


async def invites_of(event_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for event_id, token in await EventInvite.filter(event_id__in=list(event_ids)).values_list(
        "event_id", "token"
    ):
        found.setdefault(event_id, []).append(token)
    return found


async def can_see_event(viewer: Viewer, event: Event, invites: list[str]) -> bool:
    if event.created_by_id == viewer.id:
        return True
    if event.group_id is not None:
        group = await Group.get_or_none(id=event.group_id)
        if group is None or not can_read_group(viewer, group):
            return False
    return not invites or bool(set(invites) & viewer.tokens)


async def visible_event(viewer: Viewer, event_id: int) -> tuple[Event, list[str]]:
    event = await Event.get_or_none(id=event_id)
    if event is None:
        raise not_found()
    invites = (await invites_of([event.id])).get(event.id, [])
    if not await can_see_event(viewer, event, invites):
        raise not_found()
    return event, invites


async def create_event(
    services: Services,
    viewer: Viewer,
    *,
    title: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    url: str,
    group_id: int | None,
    invite: list[str],
) -> Event:
    if ends_at <= starts_at:
        raise ApiError(422, "validation_failed", field="ends_at", reason="after starts_at")
    if group_id is not None:
        group = await Group.get_or_none(id=group_id)
        if group is None or not can_read_group(viewer, group):
            raise not_found()
        require(group.id in viewer.groups)
    tokens = await expand(invite)
    async with in_transaction() as conn:
        event = await Event.create(
            title=title,
            description=description,
            html=render(description).html if description else "",
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            url=url,
            group_id=group_id,
            created_by_id=viewer.id,
            invite_only=bool(tokens),
            using_db=conn,
        )
        await EventInvite.bulk_create(
            [EventInvite(event_id=event.id, token=t) for t in tokens], using_db=conn
        )
        recorded = await activity.record(
            "event.created",
            viewer.id,
            {"event_id": str(event.id), "group_id": str(group_id) if group_id else None},
            using_db=conn,
        )
    await activity.hand_off(services, [recorded.id] if recorded else [])
    if tokens:
        await services.enqueue(
            "notify_event_invites", event.id, job_id=services.keys.job_id("invites", event.id)
        )
    return event


async def upcoming(viewer: Viewer, since: datetime) -> list[Event]:
    events = await Event.filter(ends_at__gte=since).order_by("starts_at").limit(UPCOMING_LIMIT)
    invites = await invites_of([e.id for e in events])
    return [e for e in events if await can_see_event(viewer, e, invites.get(e.id, []))]


async def past(viewer: Viewer, before: datetime) -> list[Event]:
    events = await Event.filter(ends_at__lt=before).order_by("-starts_at").limit(UPCOMING_LIMIT)
    invites = await invites_of([e.id for e in events])
    return [e for e in events if await can_see_event(viewer, e, invites.get(e.id, []))]


async def answer(services: Services, viewer: Viewer, event_id: int, value: str) -> Rsvp:
    event, _ = await visible_event(viewer, event_id)
    choice = RsvpAnswer(value)
    async with in_transaction() as conn:
        row = await Rsvp.get_or_none(event_id=event.id, employee_id=viewer.id, using_db=conn)
        if row is not None and row.answer == choice:
            return row
        if row is None:
            row = await Rsvp.create(
                event_id=event.id, employee_id=viewer.id, answer=choice, using_db=conn
            )
        else:
            row.answer = choice
            await row.save(update_fields=["answer", "updated_at"], using_db=conn)
        # Once per (event, person, answer): flipping back and forth earns nothing twice.
        recorded = await activity.record(
            "event.rsvp",
            viewer.id,
            {"event_id": str(event.id), "answer": choice.value},
            subject_id=event.created_by_id,
            event_id=activity.deterministic_id("event.rsvp", event.id, viewer.id, choice.value),
            using_db=conn,
        )
    await activity.hand_off(services, [recorded.id] if recorded else [])
    return row


async def rsvps(viewer: Viewer, event_id: int) -> tuple[Event, dict[str, list[int]]]:
    event, _ = await visible_event(viewer, event_id)
    by_answer: dict[str, list[int]] = {a.value: [] for a in RsvpAnswer}
    for employee_id, value in (
        await Rsvp.filter(event_id=event.id).order_by("id").values_list("employee_id", "answer")
    ):
        by_answer[str(value)].append(int(employee_id))
    return event, by_answer


async def mark_attended(
    services: Services, viewer: Viewer, event_id: int, employee_ids: list[int]
) -> int:
    event, _ = await visible_event(viewer, event_id)
    require(event.created_by_id == viewer.id or viewer.is_moderator)
    events: list[str] = []
    async with in_transaction() as conn:
        rows = await Rsvp.filter(event_id=event.id, employee_id__in=employee_ids).using_db(conn)
        for row in rows:
            row.attended = True
            await row.save(update_fields=["attended"], using_db=conn)
            recorded = await activity.record(
                "event.attended",
                row.employee_id,
                {"event_id": str(event.id)},
                event_id=activity.deterministic_id("event.attended", event.id, row.employee_id),
                using_db=conn,
            )
            if recorded:
                events.append(recorded.id)
    await activity.hand_off(services, events)
    return len(rows)


async def invitees(event: Event) -> set[int]:
    tokens = await EventInvite.filter(event_id=event.id).values_list("token", flat=True)
    return await members_of([str(t) for t in tokens]) - {event.created_by_id}


REMIND_BEFORE = timedelta(hours=1)


async def due_reminders(now: datetime | None = None) -> list[Event]:
    moment = now or datetime.now(UTC)
    return await Event.filter(
        reminder_sent_at=None, starts_at__gt=moment, starts_at__lte=moment + REMIND_BEFORE
    )
