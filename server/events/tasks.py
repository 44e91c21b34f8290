"""Event jobs: invitations fanned out after commit, reminders an hour before (cron)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from server.community.sql import ints
from server.events.service import due_reminders, invitees
from server.models import Event, Rsvp, RsvpAnswer
from server.notifications.service import notify
from server.services import Services


async def notify_event_invites(ctx: dict[str, Any], event_id: int) -> int:
    services: Services = ctx["services"]
    event = await Event.get_or_none(id=event_id)
    if event is None:
        return 0
    people = await invitees(event)
    payload = {"event_id": event.id, "title": event.title, "starts_at": event.starts_at.isoformat()}
    return len(await notify(services, people, "event.invited", payload, str(event.id)))


async def send_event_reminders(ctx: dict[str, Any]) -> int:
    """Those going or maybe hear about the event an hour before. The claim (an UPDATE that
    only one worker wins) plus notification dedupe keys make a repeat harmless."""
    services: Services = ctx["services"]
    sent = 0
    for event in await due_reminders():
        claimed = await Event.filter(id=event.id, reminder_sent_at=None).update(
            reminder_sent_at=datetime.now(UTC)
        )
        if not claimed:
            continue
        people = await Rsvp.filter(
            event_id=event.id, answer__in=[RsvpAnswer.GOING, RsvpAnswer.MAYBE]
        ).values_list("employee_id", flat=True)
        payload = {
            "event_id": event.id,
            "title": event.title,
            "starts_at": event.starts_at.isoformat(),
        }
        sent += len(await notify(services, ints(people), "event.reminder", payload, str(event.id)))
    return sent
