"""The comms team's content tools as they use them: a banner written in the workspace is on
top of an employee's feed and goes when it is ended; a saved audience's reach is counted
while it is defined; the digest is reordered and a sixth post is refused with the reason;
the one read-confirmation reminder reaches who has not confirmed; a post scheduled a minute
ahead appears live in an employee's feed at its time. An employee has none of it."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import Plaza, new_context, screenshot

COMPANY_NEWS = 1  # a mandatory channel of the demo company: every employee reads it


def _post(api: httpx.Client, body: str, **fields: object) -> dict[str, object]:
    response = api.post("/api/posts", json={"body": body, "channel_id": COMPANY_NEWS, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _card(page: Page, post_id: object):  # type: ignore[no-untyped-def]
    return page.locator(f'article[data-post-id="{post_id}"]')


def _notice(page: Page):  # type: ignore[no-untyped-def]
    """The page's own live region (the shell has one for the connection)."""
    return page.locator("main div.live[role=status]")


def _open_feed(page: Page) -> None:
    page.goto("/feed")
    expect(page.get_by_role("feed")).to_be_visible()
    expect(page.locator(".shell[data-live=online]")).to_be_attached()


def test_a_banner_from_the_workspace_tops_the_feed_until_it_is_ended(
    browser: Browser, plaza: Plaza
) -> None:
    marker = f"Inventory day on Friday {uuid.uuid4().hex[:6]}"
    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    page.goto("/admin/content/pinned")
    expect(page.get_by_role("heading", name="Pinned posts and banners", level=1)).to_be_visible()
    page.get_by_label("Banner text").fill(marker)
    page.get_by_role("button", name="Publish the banner").click()
    expect(_notice(page)).to_contain_text("The banner is on top of the feeds now.")
    banners = page.get_by_role("region", name="Banners now")
    expect(banners).to_contain_text(marker)

    reader = new_context(browser, plaza, "employee")
    feed = reader.new_page()
    _open_feed(feed)
    top = feed.locator("article[data-post-id]").first
    expect(top).to_contain_text(marker)
    expect(top).to_contain_text("Announcement")  # the feed's name for a banner

    # Edit the banner's text, then end it: it leaves the list and the reader's feed.
    banners.get_by_role("button", name=re.compile("^Edit")).first.click()
    page.get_by_role("textbox", name="Banner text").nth(1).fill(marker + ", 9:00")
    page.get_by_role("button", name="Save").click()
    expect(banners).to_contain_text(marker + ", 9:00")
    banners.get_by_role("button", name=f"End the banner “{marker}, 9:00”").click()
    expect(_notice(page)).to_contain_text("The banner has ended.")
    expect(banners).not_to_contain_text(marker)
    feed.reload()
    expect(feed.get_by_role("feed")).to_be_visible()
    expect(feed.locator("article[data-post-id]").first).to_be_visible()
    expect(feed.locator("article[data-post-id].banner", has_text=marker)).to_have_count(0)

    # Pin a post by its link; a bad link says what a link looks like.
    post = _post(plaza.api("comms"), f"Pin me {uuid.uuid4().hex[:6]}")
    page.get_by_label("Post link or number").fill("not a link")
    page.get_by_role("button", name="Pin", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("That is not a post's link")
    page.get_by_label("Post link or number").fill(f"{plaza.url}/posts/{post['id']}")
    page.get_by_role("button", name="Pin", exact=True).click()
    pins = page.get_by_role("region", name="Pinned posts")
    expect(pins).to_contain_text(str(post["body"]))
    assert plaza.api("employee").get(f"/api/posts/{post['id']}").json()["pinned"] is True
    pins.get_by_role("button", name=f"Unpin “{post['body']}”").click()
    expect(pins).not_to_contain_text(str(post["body"]))
    # The list drops the post at once; the notice comes when the server has unpinned it.
    expect(_notice(page)).to_contain_text("The post is no longer pinned.")
    assert plaza.api("employee").get(f"/api/posts/{post['id']}").json()["pinned"] is False
    reader.close()
    context.close()


def test_a_saved_audience_counts_its_reach_as_it_is_defined(browser: Browser, plaza: Plaza) -> None:
    comms = plaza.api("comms")
    places = comms.get("/api/audience/places").json()
    store = places["stores"][0]
    expected = comms.post("/api/audience/count", json={"tokens": [f"store:{store['id']}"]}).json()
    name = f"Store team {uuid.uuid4().hex[:6]}"

    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    page.goto("/admin/content/audiences")
    expect(page.get_by_role("heading", name="Saved audiences", level=1)).to_be_visible()
    page.get_by_role("button", name="New audience").click()
    page.get_by_label("Name", exact=True).fill(name)
    # Saving without a choice says what is missing; nothing typed is lost.
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose at least one")
    audience = page.get_by_role("group", name="Audience")
    audience.get_by_text("Stores").click()
    audience.get_by_role("checkbox", name=store["name"]).check()
    count = audience.get_by_role("status")
    people = "person" if expected["count"] == 1 else "people"
    expect(count).to_have_text(f"Reaches {expected['count']} {people}")
    page.get_by_role("button", name="Save").click()
    expect(_notice(page)).to_contain_text(f"“{name}” is saved.")
    item = page.locator("li.item", has_text=name)
    expect(item).to_contain_text(f"Reaches {expected['count']} {people} today")
    saved = next(s for s in comms.get("/api/segments").json()["items"] if s["name"] == name)
    assert saved["tokens"] == [f"store:{store['id']}"]
    # Deleting asks first.
    item.get_by_role("button", name=f"Delete “{name}”").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.locator("li.item", has_text=name)).to_have_count(0)
    expect(_notice(page)).to_contain_text(f"“{name}” is deleted.")
    assert all(s["name"] != name for s in comms.get("/api/segments").json()["items"])
    context.close()


def test_the_digest_is_reordered_and_a_sixth_post_is_refused(
    browser: Browser, plaza: Plaza
) -> None:
    comms = plaza.api("comms")
    tag = uuid.uuid4().hex[:6]
    made = [_post(comms, f"Digest {tag} {i}") for i in range(6)]
    day = comms.get("/api/content/digest").json()["day"]
    assert comms.put(
        "/api/content/digest", json={"day": day, "post_ids": [int(str(p["id"])) for p in made[:5]]}
    ).status_code == 200  # fmt: skip

    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    page.goto("/admin/content/digest")
    expect(page.get_by_role("heading", name="Daily digest", level=1)).to_be_visible()
    chosen = page.get_by_role("region", name=re.compile("^Digest of"))
    expect(chosen.locator("li")).to_have_count(5)
    expect(chosen).to_contain_text("5 of 5")
    # Move the second up: saved at once.
    chosen.get_by_role("button", name=f"Move “Digest {tag} 1” up").click()
    expect(_notice(page)).to_contain_text("The new order is saved.")
    expect(chosen.locator("li").first).to_contain_text(f"Digest {tag} 1")
    ids = [p["id"] for p in comms.get("/api/content/digest").json()["items"]]
    assert ids[:2] == [made[1]["id"], made[0]["id"]]
    # A sixth is refused with the reason, and the list stays as it was.
    page.get_by_role("button", name=f"Add “Digest {tag} 5” to the digest").click()
    expect(page.get_by_role("alert")).to_contain_text("at most 5 posts")
    expect(chosen.locator("li")).to_have_count(5)
    # Remove one, then the sixth fits.
    chosen.get_by_role("button", name=f"Remove “Digest {tag} 4” from the digest").click()
    expect(chosen.locator("li")).to_have_count(4)
    page.get_by_role("button", name=f"Add “Digest {tag} 5” to the digest").click()
    expect(chosen.locator("li")).to_have_count(5)
    expect(chosen.locator("li").last).to_contain_text(f"Digest {tag} 5")
    reader = plaza.api("employee").get("/api/digest").json()
    assert [p["id"] for p in reader["items"]][-1] == made[5]["id"]
    screenshot(page, "content-digest-edited-desktop-en")
    context.close()


def test_the_one_reminder_reaches_those_who_have_not_confirmed(
    browser: Browser, plaza: Plaza
) -> None:
    comms = plaza.api("comms")
    title = f"New safety rules {uuid.uuid4().hex[:6]}"
    post = _post(comms, title, needs_confirmation=True)
    director = plaza.api("director")
    assert director.post(f"/api/posts/{post['id']}/confirm").status_code == 200

    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    page.goto("/admin/content/confirmations")
    expect(page.get_by_role("heading", name="Read confirmations", level=1)).to_be_visible()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_role("table", name="By store")).to_be_visible()
    expect(page.get_by_role("table", name="By department")).to_be_visible()
    remind = page.get_by_role("button", name=re.compile(r"^Remind \d+ (person|people)$"))
    remind.click()
    page.get_by_role("alertdialog").get_by_role("button", name="Send the reminder").click()
    expect(_notice(page)).to_contain_text("The reminder went to")
    expect(page.get_by_text(re.compile("Reminder sent to .* Each post gets one."))).to_be_visible()
    expect(remind).to_have_count(0)

    # The employee (not confirmed) has the notification; the director (confirmed) has not.
    def reminded(client: httpx.Client) -> bool:
        items = client.get("/api/notifications").json()["items"]
        return any(
            n["kind"] == "post.confirm_reminder" and n["payload"].get("post_id") == post["id"]
            for n in items
        )

    assert reminded(plaza.api("employee")) and not reminded(director)
    again = comms.post(f"/api/posts/{post['id']}/remind")
    assert again.status_code == 409 and "already been sent" in again.json()["detail"]
    # The employee reads the reminder as a sentence that leads to the post.
    reader = new_context(browser, plaza, "employee")
    notes = reader.new_page()
    notes.goto("/notifications")
    link = notes.get_by_role("link", name=re.compile(f"please confirm you have read “{title}”"))
    expect(link).to_have_attribute("href", re.compile(f"/posts/{post['id']}"))
    reader.close()
    context.close()


def test_a_post_scheduled_a_minute_ahead_appears_live_in_a_feed_at_its_time(
    browser: Browser, plaza: Plaza
) -> None:
    comms = plaza.api("comms")
    zone = ZoneInfo(comms.get("/api/scheduled").json()["timezone"])
    marker = f"Scheduled hello {uuid.uuid4().hex[:6]}"
    # The next whole minute at least a minute away, on the company's clock.
    at = (datetime.now(UTC) + timedelta(minutes=1, seconds=59)).replace(second=0, microsecond=0)
    local = at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")

    reader = new_context(browser, plaza, "employee")
    feed = reader.new_page()
    _open_feed(feed)

    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    page.goto("/admin/content/scheduled")
    expect(page.get_by_role("heading", name="Scheduled posts", level=1)).to_be_visible()
    page.get_by_label("Text", exact=True).fill(marker)
    page.get_by_label("Publish at").fill(local)
    page.get_by_role("button", name="Schedule").click()
    expect(_notice(page)).to_contain_text("Scheduled for")
    waiting = page.get_by_role("region", name="Waiting")
    expect(waiting).to_contain_text(marker)
    scheduled = next(s for s in comms.get("/api/scheduled").json()["items"] if s["body"] == marker)
    assert (
        datetime.fromisoformat(scheduled["publish_at"]) == at and scheduled["state"] == "scheduled"
    )

    # Nothing before its time; then the reader's pill, without a reload.
    assert datetime.now(UTC) < at
    pill = feed.get_by_role("button", name=re.compile(r"^\d+ new posts?$"))
    expect(pill).to_have_count(0)
    wait = (at - datetime.now(UTC)).total_seconds()
    expect(pill).to_be_visible(timeout=int((wait + 40) * 1000))
    appeared = datetime.now(UTC)
    assert appeared >= at - timedelta(seconds=1), "published before its time"
    pill.click()
    expect(feed.locator("article[data-post-id]", has_text=marker)).to_have_count(1)
    after = next(s for s in comms.get("/api/scheduled").json()["items"] if s["body"] == marker)
    assert after["state"] == "published" and after["post_id"]
    # Once: the post exists one time, however often the worker's job has run since.
    time.sleep(11)
    items = plaza.api("employee").get("/api/feed").json()["items"]
    assert [p["body"] for p in items].count(marker) == 1
    reader.close()
    context.close()


def test_an_employee_has_no_content_tools(browser: Browser, plaza: Plaza) -> None:
    api = plaza.api("employee")
    for path in ("/api/content/pinned", "/api/content/digest", "/api/scheduled",
                 "/api/content/confirmations", "/api/segments"):  # fmt: skip
        assert api.get(path).status_code == 403, path
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/admin/content/scheduled")
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("not found", re.I))
    context.close()
