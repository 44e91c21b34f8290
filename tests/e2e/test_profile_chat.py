"""A colleague's profile is where a conversation starts: it says whether they are online and
has a Message button that opens the direct chat with them."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.e2e.support import Plaza, new_context


def test_message_from_a_profile_opens_the_direct_chat(browser: Browser, plaza: Plaza) -> None:
    director_id = plaza.api("director").get("/api/me").json()["id"]
    # The director has a tab open, so the profile shows them online.
    director = new_context(browser, plaza, "director")
    director_page = director.new_page()
    director_page.goto("/feed")
    expect(director_page.locator("main h1").first).to_be_visible()

    employee = new_context(browser, plaza, "employee")
    page = employee.new_page()
    page.goto(f"/people/{director_id}")
    expect(page.locator("main h1").first).to_be_visible()
    expect(page.locator("main").get_by_role("img", name="Online")).to_be_visible()
    page.get_by_test_id("message-button").click()
    expect(page).to_have_url(re.compile(r"/chat/\d+$"))
    chat_id = int(page.url.rsplit("/", 1)[1])
    direct = plaza.api("employee").post("/api/chats/direct", json={"employee_id": director_id})
    assert direct.json()["id"] == chat_id  # the one direct chat of the two, not a new one

    # My own profile offers no Message button.
    me = plaza.api("employee").get("/api/me").json()["id"]
    page.goto(f"/people/{me}")
    expect(page.locator("main h1").first).to_be_visible()
    expect(page.get_by_test_id("message-button")).to_have_count(0)
    employee.close()
    director.close()
