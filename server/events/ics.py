"""An event as an iCalendar file (RFC 5545) that Outlook and Google Calendar import."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar
from icalendar import Event as VEvent

from server.models import Event


def to_ics(event: Event, base_url: str, host: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Plaza//Community events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    entry = VEvent()
    entry.add("uid", f"event-{event.id}@{host}")
    entry.add("dtstamp", datetime.now(UTC))
    entry.add("dtstart", event.starts_at.astimezone(UTC))
    entry.add("dtend", event.ends_at.astimezone(UTC))
    entry.add("summary", event.title)
    if event.description:
        entry.add("description", event.description)
    if event.place:
        entry.add("location", event.place)
    entry.add("url", event.url or f"{base_url}/events/{event.id}")
    entry.add("sequence", 0)
    calendar.add_component(entry)
    return bytes(calendar.to_ical())
