"""The notification centre, today's five and the newcomer's welcome page, as people use
them: a mention raises the bell live, the centre says it in the reader's language, opening
it goes to the post and the count drops; reading all at once, a refusal rolled back with
its reason; the digest links to its posts; a newcomer completes the profile for the
reward the rules name, joins a group and follows a colleague."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import (
    PHONE,
    Plaza,
    new_context,
    screenshot,
    serious_axe_violations,
    sideways_overflow,
)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _unread(api: httpx.Client) -> int:
    return int(api.get("/api/notifications", params={"limit": 1}).json()["unread_count"])


def _bell(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("a.bell")


def _expect_bell(page: Page, count: int) -> None:
    badge = page.get_by_test_id("unread-count")
    if count:
        expect(badge).to_have_text(str(count) if count < 100 else "99+")
    else:
        expect(badge).to_have_count(0)


def _online(page: Page) -> None:
    expect(page.locator(".shell[data-live=online]")).to_be_attached()


def _mention(plaza: Plaza, who: str, text: str) -> dict[str, object]:
    """`who` (a demo person) mentions the employee in a post everyone may read."""
    employee = plaza.api("employee").get("/api/me").json()
    body = f"{text} @[{employee['name']}](person:{employee['id']})"
    response = plaza.api(who).post("/api/posts", json={"body": body})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_mention_rings_the_bell_live_and_opening_it_reads_it(
    browser: Browser, plaza: Plaza
) -> None:
    employee = plaza.api("employee")
    context = new_context(browser, plaza, "employee", locale="ru")
    page = context.new_page()
    page.goto("/feed")
    _online(page)
    before = _unread(employee)
    _expect_bell(page, before)

    director = plaza.api("director").get("/api/me").json()
    post = _mention(plaza, "director", f"Посмотрите витрину {uuid.uuid4().hex[:6]}")
    # The worker fans the mention out; the bell hears it without a reload.
    _expect_bell(page, before + 1)
    expect(_bell(page)).to_have_attribute("aria-label", re.compile(r"непрочитанн"))

    _bell(page).click()
    expect(page).to_have_url(re.compile(r"/notifications$"))
    expect(page.get_by_role("heading", level=1, name="Уведомления")).to_be_visible()
    item = page.locator("[data-testid=notifications] li").first
    expect(item).to_contain_text(f"{director['name']} упоминает вас в публикации")
    expect(item).to_have_class(re.compile(r"\bunread\b"))
    screenshot(page, "notifications-mention-desktop-ru")

    item.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/posts/{post['id']}$"))
    _expect_bell(page, before)
    assert _unread(employee) == before
    context.close()


def test_new_ones_arrive_live_and_all_are_read_at_once(browser: Browser, plaza: Plaza) -> None:
    employee = plaza.api("employee")
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/notifications")
    expect(page.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    _online(page)

    mine = employee.post("/api/posts", json={"body": f"Shelf plan {uuid.uuid4().hex[:6]}"}).json()
    director = plaza.api("director")
    name = director.get("/api/me").json()["name"]
    assert director.put(f"/api/posts/{mine['id']}/reactions/fire").status_code == 200
    # On the open centre: the new one on top, unread, without a reload.
    first = page.locator("[data-testid=notifications] li").first
    expect(first).to_contain_text(f"{name} reacted 🔥 to your post")
    expect(first).to_have_class(re.compile(r"\bunread\b"))
    expect(first.get_by_role("link")).to_have_attribute("href", f"/posts/{mine['id']}")
    assert _unread(employee) >= 1

    # The server refuses once: the rows and the bell come back, with the server's reason.
    count = _unread(employee)
    page.route(
        "**/api/notifications/read",
        lambda route: route.fulfill(
            status=409,
            content_type="application/json",
            body='{"error": "conflict", "detail": "Not now, try later."}',
        ),
    )
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_role("alert")).to_contain_text("Not now, try later.")
    expect(first).to_have_class(re.compile(r"\bunread\b"))
    _expect_bell(page, count)
    page.unroute("**/api/notifications/read")

    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator("[data-testid=notifications] li.unread")).to_have_count(0)
    _expect_bell(page, 0)
    expect(page.get_by_role("button", name="Mark all as read")).to_be_disabled()
    assert _unread(employee) == 0
    context.close()


def test_the_notification_centre_on_a_phone(browser: Browser, plaza: Plaza) -> None:
    _mention(plaza, "comms", "Phone check")
    context = new_context(browser, plaza, "employee", viewport=PHONE)
    page = context.new_page()
    page.goto("/notifications")
    expect(page.locator("[data-testid=notifications] li").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert sideways_overflow(page) == 0
    assert serious_axe_violations(page) == []
    # Every row is a touch target at least 44 px high.
    heights = page.locator("[data-testid=notifications] li a").evaluate_all(
        "links => links.map(a => a.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44
    context.close()


def test_todays_five_link_to_their_posts(browser: Browser, plaza: Plaza) -> None:
    digest = plaza.api("employee").get("/api/digest").json()
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/digest")
    expect(page.get_by_role("heading", level=1, name="Today's five")).to_be_visible()
    if not digest["items"]:
        expect(page.get_by_role("link", name="Open the feed")).to_be_visible()
        context.close()
        return
    links = page.locator("[data-testid=digest] h2 a")
    expect(links).to_have_count(len(digest["items"]))
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [f"/posts/{p['id']}" for p in digest["items"]]
    links.first.click()
    expect(page).to_have_url(re.compile(rf"/posts/{digest['items'][0]['id']}$"))
    context.close()


def test_a_newcomer_completes_the_profile_for_the_rules_reward(
    browser: Browser, plaza: Plaza
) -> None:
    context = new_context(browser, plaza, who=None)
    email = f"newcomer-{uuid.uuid4().hex[:8]}@plaza.example.com"
    registered = context.request.post(
        "/api/auth/register",
        data={"email": email, "password": "Plaza-newcomer-2026!", "name": "Nina Newcomer"},
    )
    assert registered.ok, registered.text()
    page = context.new_page()
    page.goto("/welcome")
    expect(page.get_by_role("heading", level=1, name="Welcome, Nina")).to_be_visible()
    # The reward is the live rules' one (the default ruleset: 50 points and a badge).
    reward = page.get_by_test_id("profile-reward")
    expect(reward).to_contain_text("Complete it and the rules give you")
    expect(reward).to_contain_text("50 points")
    expect(reward).to_contain_text("All about me")
    expect(page.get_by_test_id("profile-progress")).to_have_text("0 of 4 done")
    channels = page.get_by_test_id("mandatory-channels")
    expect(channels.locator("li")).to_have_count(3)
    expect(channels).to_contain_text("Company news")

    page.get_by_label("Position").fill("Cashier")
    page.get_by_label("Skills").fill("Excel, customer service")
    page.get_by_label("Interests").fill("running")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_role("status").filter(has_text="Profile saved.")).to_be_visible()
    expect(page.get_by_test_id("profile-progress")).to_have_text("3 of 4 done")
    page.locator("input[type=file]").set_input_files(
        {"name": "me.png", "mimeType": "image/png", "buffer": PNG}
    )
    expect(page.get_by_test_id("profile-progress")).to_have_text("4 of 4 done")
    expect(page.get_by_role("heading", name="Your profile is complete")).to_be_visible()
    expect(reward).to_contain_text("You have earned")

    groups = page.get_by_test_id("suggested-groups")
    join = groups.get_by_role("button", name=re.compile(r"^Join ")).first
    label = join.get_attribute("aria-label") or ""
    join.click()
    group_name = label.removeprefix("Join ")
    expect(groups.locator("li", has_text=group_name)).to_contain_text("Joined")
    mine = context.request.get("/api/groups", params={"mine": "true"})
    screenshot(page, "welcome-done-desktop-en")
    me = context.request.get("/api/me").json()
    assert me["position"] == "Cashier" and me["skills"] == ["customer service", "excel"]
    assert me["avatar_url"]
    assert group_name in [g["name"] for g in mine.json()["items"]]
    context.close()
