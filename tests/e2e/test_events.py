"""Events as people use them: answer going then maybe and see the counts follow (and roll
back when the server refuses), another browser sees the counts (RSVPs have no live event:
the page reloads them when the reader comes back to the tab), the calendar file downloads,
an event is created from the form in the company's time zone, past events have their tab."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import PHONE, Plaza, new_context, serious_axe_violations, sideways_overflow


def _when(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def _event(api: httpx.Client, title: str, start: float = 48, end: float = 50) -> dict[str, object]:
    response = api.post(
        "/api/events",
        json={"title": title, "starts_at": _when(start), "ends_at": _when(end), "place": "Room 4"},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _count(page: Page, answer: str):  # type: ignore[no-untyped-def]
    return page.get_by_test_id(f"count-{answer}")


def test_going_then_maybe_the_counts_follow_and_another_browser_sees_them(
    browser: Browser, plaza: Plaza
) -> None:
    event = _event(plaza.api("comms"), f"Inventory briefing {uuid.uuid4().hex[:6]}")
    me = new_context(browser, plaza, "employee")
    page = me.new_page()
    page.goto(f"/events/{event['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(str(event["title"]))
    going = page.get_by_role("button", name="Going")
    maybe = page.get_by_role("button", name="Maybe")
    expect(_count(page, "going")).to_have_text("0")

    going.click()
    expect(going).to_have_attribute("aria-pressed", "true")
    expect(_count(page, "going")).to_have_text("1")
    who = page.get_by_role("region", name="Who is coming")
    expect(who).to_contain_text("Elena Employee")

    maybe.click()
    expect(maybe).to_have_attribute("aria-pressed", "true")
    expect(going).to_have_attribute("aria-pressed", "false")
    expect(_count(page, "going")).to_have_text("0")
    expect(_count(page, "maybe")).to_have_text("1")
    saved = plaza.api("employee").get(f"/api/events/{event['id']}").json()
    assert saved["my_answer"] == "maybe"
    assert saved["counts"] == {"going": 0, "maybe": 1, "declined": 0}

    # A second person opens the event: they see the maybe, and answer "going".
    other = new_context(browser, plaza, "director")
    second = other.new_page()
    second.goto(f"/events/{event['id']}")
    expect(_count(second, "maybe")).to_have_text("1")
    second.get_by_role("button", name="Going").click()
    expect(_count(second, "going")).to_have_text("1")

    # No live event for answers: the first page shows it when its reader comes back to it.
    expect(_count(page, "going")).to_have_text("0")
    page.wait_for_timeout(2_100)  # reloads on return are at most one per 2 s
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(_count(page, "going")).to_have_text("1")
    expect(who).to_contain_text("Marina Director")

    # The list shows the counts and my answer too.
    page.goto("/events")
    card = page.locator(f'article[data-event-id="{event["id"]}"]')
    expect(card).to_contain_text("1 going")
    expect(card).to_contain_text("1 maybe")
    expect(card).to_contain_text("You might go")
    other.close()
    me.close()


def test_a_refused_answer_is_taken_back_with_the_reason(browser: Browser, plaza: Plaza) -> None:
    event = _event(plaza.api("comms"), f"Refused answer {uuid.uuid4().hex[:6]}")
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto(f"/events/{event['id']}")
    page.route(
        "**/api/events/*/rsvp",
        lambda route: route.fulfill(
            status=403,
            json={"error": "forbidden", "detail": "You may not answer this event."},
        ),
    )
    going = page.get_by_role("button", name="Going")
    going.click()
    answers = page.get_by_role("region", name="Will you go?")
    expect(answers.get_by_role("status")).to_contain_text("You may not answer this event.")
    expect(going).to_have_attribute("aria-pressed", "false")
    expect(_count(page, "going")).to_have_text("0")
    assert plaza.api("employee").get(f"/api/events/{event['id']}").json()["my_answer"] is None
    context.close()


def test_add_to_calendar_downloads_the_event(browser: Browser, plaza: Plaza) -> None:
    title = f"Calendar check {uuid.uuid4().hex[:6]}"
    event = _event(plaza.api("comms"), title)
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto(f"/events/{event['id']}")
    with page.expect_download() as info:
        page.get_by_role("link", name="Add to calendar").click()
    download = info.value
    assert download.suggested_filename == f"event-{event['id']}.ics"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in text and "BEGIN:VEVENT" in text
    assert title in text
    context.close()


def test_create_an_event_from_the_form(browser: Browser, plaza: Plaza) -> None:
    title = f"Window display workshop {uuid.uuid4().hex[:6]}"
    context = new_context(browser, plaza, "employee", viewport=PHONE)
    page = context.new_page()
    page.goto("/events")
    page.get_by_role("link", name="New event").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an event")
    zone = plaza.api("employee").get("/api/events").json()["timezone"]
    expect(page.get_by_text(f"Times are in the company's time zone: {zone}")).to_be_visible()

    # The end before the start: said by the field, and nothing typed is lost.
    page.get_by_label("Title").fill(title)
    page.get_by_label("Place").fill("Arbat store, training room")
    page.get_by_label("Starts").fill("2031-05-20T15:00")
    page.get_by_label("Ends").fill("2031-05-20T14:00")
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_text("The end must be after the start.")).to_be_visible()
    expect(page.get_by_label("Ends")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Title")).to_have_value(title)
    assert sideways_overflow(page) == 0

    page.get_by_label("Ends").fill("2031-05-20T16:30")
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("Arbat store, training room")).to_be_visible()
    event_id = int(page.url.rstrip("/").split("/")[-1])
    saved = plaza.api("employee").get(f"/api/events/{event_id}").json()
    starts = datetime.fromisoformat(saved["starts_at"])
    ends = datetime.fromisoformat(saved["ends_at"])
    assert ends - starts == timedelta(minutes=90)
    assert starts.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") == "2031-05-20 15:00"
    assert serious_axe_violations(page) == []
    context.close()


def test_past_events_have_their_own_tab(browser: Browser, plaza: Plaza) -> None:
    title = f"Last week's meetup {uuid.uuid4().hex[:6]}"
    _event(plaza.api("comms"), title, start=-72, end=-70)
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/events")
    expect(page.get_by_role("link", name="Town hall")).to_be_visible()
    expect(page.get_by_text(title)).to_have_count(0)
    page.get_by_role("link", name="Past", exact=True).click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    expect(page.locator("article", has_text=title)).to_contain_text("Ended")
    context.close()


def test_an_event_i_may_not_see_is_the_not_found_page(browser: Browser, plaza: Plaza) -> None:
    secret = plaza.api("comms").post(
        "/api/events",
        json={
            "title": "Board only",
            "starts_at": _when(30),
            "ends_at": _when(31),
            "invite": ["role:admin"],
        },
    )
    assert secret.status_code == 201, secret.text
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    for path in (f"/events/{secret.json()['id']}", "/events/99999999", "/events/abc"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
        expect(page.get_by_text("Board only")).to_have_count(0)
    context.close()


def test_an_event_for_one_of_my_groups(browser: Browser, plaza: Plaza) -> None:
    api = plaza.api("employee")
    mine = [
        g
        for g in api.get("/api/groups", params={"mine": True}).json()["items"]
        if g["my_state"] == "member"
    ]
    assert mine, "the demo employee is in some group"
    group = mine[0]
    title = f"Group run {uuid.uuid4().hex[:6]}"
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/events/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Who is it for").select_option(label=group["name"])
    expect(
        page.get_by_text("Only the group's members can see the event and answer.")
    ).to_be_visible()
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("link", name=group["name"])).to_have_attribute(
        "href", f"/groups/{group['id']}"
    )
    event_id = int(page.url.rstrip("/").split("/")[-1])
    assert api.get(f"/api/events/{event_id}").json()["group_id"] == group["id"]
    context.close()
