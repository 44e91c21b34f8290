from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from server.models import ActivityEvent, Event, Notification
from tests.community import Clients, make_org
from tests.conftest import LiveServer
from tests.helpers import run_jobs

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database


def when(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


async def test_invitations_rsvp_statistics_and_ics(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        manager, alice, bob, carol = (
            await as_(org.manager), await as_(org.alice), await as_(org.bob), await as_(org.carol)
        )  # fmt: skip
        bad = await manager.post(
            "/api/events",
            json={"title": "x", "starts_at": when(5), "ends_at": when(4), "url": "javascript:x"},
        )
        assert bad.status_code == 422
        created = await manager.post(
            "/api/events",
            json={
                "title": "Store opening",
                "description": "Cake and *speeches*",
                "starts_at": when(48),
                "ends_at": when(50),
                "place": "North store",
                "url": "https://meet.example.com/opening",
                "invite": [f"store:{org.store_n.id}", f"employee:{org.bob.id}"],
            },
        )
        assert created.status_code == 201, created.text
        event = created.json()
        assert (await carol.get(f"/api/events/{event['id']}")).status_code == 404
        assert (await carol.get(f"/api/events/{event['id']}.ics")).status_code == 404
        assert event["id"] not in [
            e["id"] for e in (await carol.get("/api/events")).json()["items"]
        ]
        await run_jobs(live.settings)
        invited = set(
            await Notification.filter(kind="event.invited").values_list("employee_id", flat=True)
        )
        assert invited == {org.alice.id, org.bob.id, org.comms.id, org.admin.id}
        assert (
            await alice.put(f"/api/events/{event['id']}/rsvp", json={"answer": "yes"})
        ).status_code == 422
        await alice.put(f"/api/events/{event['id']}/rsvp", json={"answer": "going"})
        await bob.put(f"/api/events/{event['id']}/rsvp", json={"answer": "maybe"})
        await bob.put(f"/api/events/{event['id']}/rsvp", json={"answer": "declined"})
        answered = await alice.put(f"/api/events/{event['id']}/rsvp", json={"answer": "going"})
        assert answered.json()["my_answer"] == "going"
        stats = (await manager.get(f"/api/events/{event['id']}/rsvps")).json()
        assert stats["counts"] == {"going": 1, "maybe": 0, "declined": 1}
        assert [p["id"] for p in stats["declined"]] == [org.bob.id]
        answers = await ActivityEvent.filter(type="event.rsvp").values_list("data", flat=True)
        assert sorted(a["answer"] for a in answers) == ["declined", "going", "maybe"]
        assert (
            await alice.post(
                f"/api/events/{event['id']}/attendance", json={"employee_ids": [org.alice.id]}
            )
        ).status_code == 403
        marked = await manager.post(
            f"/api/events/{event['id']}/attendance",
            json={"employee_ids": [org.alice.id, org.carol.id]},
        )
        assert marked.json() == {"marked": 1}
        assert await ActivityEvent.filter(type="event.attended", actor_id=org.alice.id).count() == 1
        ics = await alice.get(f"/api/events/{event['id']}.ics")
        assert ics.headers["content-type"].startswith("text/calendar")
        calendar = Calendar.from_ical(ics.content)
        [vevent] = calendar.walk("VEVENT")
        assert str(vevent["SUMMARY"]) == "Store opening"
        assert str(vevent["LOCATION"]) == "North store"
        starts = datetime.fromisoformat(event["starts_at"]).replace(microsecond=0)
        assert vevent["DTSTART"].dt == starts
        assert str(calendar["VERSION"]) == "2.0" and "PRODID" in calendar and "UID" in vevent


async def test_reminders_go_to_those_going_once(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        manager, alice, bob = await as_(org.manager), await as_(org.alice), await as_(org.bob)
        soon = (
            await manager.post(
                "/api/events",
                json={"title": "Stand-up", "starts_at": when(0.5), "ends_at": when(1)},
            )
        ).json()
        later = (
            await manager.post(
                "/api/events", json={"title": "Party", "starts_at": when(30), "ends_at": when(31)}
            )
        ).json()
        await alice.put(f"/api/events/{soon['id']}/rsvp", json={"answer": "going"})
        await bob.put(f"/api/events/{soon['id']}/rsvp", json={"answer": "declined"})
        await alice.put(f"/api/events/{later['id']}/rsvp", json={"answer": "going"})
        for _ in range(2):
            await live.services.enqueue(
                "send_event_reminders", job_id=live.services.keys.job_id("remind", _)
            )
            await run_jobs(live.settings)
        reminders = await Notification.filter(kind="event.reminder")
        assert [(n.employee_id, n.payload["event_id"]) for n in reminders] == [
            (org.alice.id, soon["id"])
        ]
        assert (await Event.get(id=soon["id"])).reminder_sent_at is not None


async def test_past_events_apart_from_upcoming_ones_with_the_company_zone(
    live: LiveServer,
) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        manager, alice, carol = await as_(org.manager), await as_(org.alice), await as_(org.carol)
        made = {}
        for title, start, end in [("Yesterday", -30, -28), ("Just over", -3, -1), ("Soon", 2, 3)]:
            created = await manager.post(
                "/api/events", json={"title": title, "starts_at": when(start), "ends_at": when(end)}
            )
            assert created.status_code == 201, created.text
            made[title] = created.json()["id"]
        secret = await manager.post(
            "/api/events",
            json={
                "title": "Private",
                "starts_at": when(-50),
                "ends_at": when(-49),
                "invite": [f"employee:{org.alice.id}"],
            },
        )
        listed = (await alice.get("/api/events")).json()
        assert listed["timezone"] == live.settings.timezone
        upcoming = listed["items"]
        past = (await alice.get("/api/events", params={"when": "past"})).json()["items"]
        # Ended within 12 hours: still with the upcoming ones; past ones newest first.
        assert [e["title"] for e in upcoming if e["id"] in made.values()] == ["Just over", "Soon"]
        assert [e["title"] for e in past] == ["Yesterday", "Private"]
        assert {e["timezone"] for e in upcoming + past} == {live.settings.timezone}
        theirs = (await carol.get("/api/events", params={"when": "past"})).json()["items"]
        assert secret.json()["id"] not in [e["id"] for e in theirs]
        assert (await alice.get("/api/events", params={"when": "later"})).status_code == 422
