"""Posting where the conversation is: a group's page and my own blog have the composer, and
what is posted there lands in that place (and shows at once, without the pill)."""

from __future__ import annotations

import uuid

from playwright.sync_api import Browser, expect

from tests.e2e.support import Plaza, new_context


def test_post_from_a_groups_page_and_from_my_blog(browser: Browser, plaza: Plaza) -> None:
    api = plaza.api("employee")
    group = api.post(
        "/api/groups",
        json={"name": f"Bakery team {uuid.uuid4().hex[:6]}", "visibility": "public"},
    ).json()
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto(f"/groups/{group['id']}")
    composer = page.locator(f'form[data-composer="group:{group["id"]}"]')
    text = f"Fresh bread at six {uuid.uuid4().hex[:6]}"
    composer.get_by_role("textbox", name="Post text").fill(text)
    composer.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator("article").filter(has_text=text)).to_be_visible()
    posts = api.get(f"/api/groups/{group['id']}/posts").json()["items"]
    assert posts and posts[0]["body"] == text and posts[0]["group"]["id"] == group["id"]

    me = api.get("/api/me").json()["id"]
    page.goto(f"/blogs/{me}")
    composer = page.locator('form[data-composer^="blog:"]')
    text = f"What I learnt this week {uuid.uuid4().hex[:6]}"
    composer.get_by_role("textbox", name="Post text").fill(text)
    composer.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator("article").filter(has_text=text)).to_be_visible()
    mine = api.get(f"/api/people/{me}/posts").json()["items"]
    assert mine[0]["body"] == text and mine[0]["group"] is None

    # Someone else's blog has no composer.
    director = plaza.api("director").get("/api/me").json()["id"]
    page.goto(f"/blogs/{director}")
    expect(page.locator("main h1").first).to_be_visible()
    expect(page.locator("form[data-composer]")).to_have_count(0)
    context.close()
