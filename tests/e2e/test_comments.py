"""Comments with "@" mentions, as people write them on the post page: a colleague picked with
the keyboard is linked in the posted comment and gets a notification; Escape in a reply
closes the suggestions before it closes the reply; the draft keeps a picked mention; on a
Russian phone the suggestions fit the screen."""

from __future__ import annotations

import re
import time
import uuid

import httpx
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.support import (
    PHONE,
    Plaza,
    new_context,
    screenshot,
    serious_axe_violations,
    sideways_overflow,
)


def _post(api: httpx.Client, body: str) -> dict[str, object]:
    response = api.post("/api/posts", json={"body": body})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _pick(page: Page, field: Locator, typed: str, name: str) -> None:
    """Type `typed` (ending in "@" and a few letters), then choose `name` with the arrows."""
    field.press_sequentially(typed)
    listbox = page.get_by_role("listbox")
    option = listbox.get_by_role("option", name=re.compile(re.escape(name)))
    expect(option).to_be_visible()
    for _ in range(listbox.get_by_role("option").count()):
        if option.get_attribute("aria-selected") == "true":
            break
        field.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", re.compile(r"-mentions-\d+$"))
    field.press("Enter")
    expect(listbox).to_have_count(0)


def _mention_notification(api: httpx.Client, comment_id: int) -> dict[str, object] | None:
    for item in api.get("/api/notifications").json()["items"]:
        if item["kind"] == "mention" and item["payload"].get("comment_id") == comment_id:
            return dict(item)
    return None


def test_a_comment_with_a_keyboard_picked_mention_links_and_notifies(
    browser: Browser, plaza: Plaza
) -> None:
    author = plaza.api("employee")
    director_api = plaza.api("director")
    director = director_api.get("/api/me").json()
    name = str(director["name"])
    post = _post(author, f"Shelf layout for the weekend {uuid.uuid4().hex[:6]}")

    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto(f"/posts/{post['id']}")
    comments = page.get_by_role("region", name=re.compile("Comments"))
    field = page.get_by_role("textbox", name="Write a comment")
    expect(field).to_have_attribute("aria-autocomplete", "list")
    field.click()
    marker = f"Checked {uuid.uuid4().hex[:6]}"
    _pick(page, field, f"{marker}, @{name[:3]}", name)
    mention = f"@[{name}](person:{director['id']})"
    expect(field).to_have_value(f"{marker}, {mention} ")
    field.press_sequentially("please confirm")

    # The draft keeps the picked mention over a reload.
    page.reload()
    field = page.get_by_role("textbox", name="Write a comment")
    expect(field).to_have_value(f"{marker}, {mention} please confirm")

    field.press("Control+Enter")
    expect(field).to_have_value("")
    mine = comments.locator("article", has_text=marker)
    expect(mine.get_by_role("link", name=f"@{name}")).to_have_attribute(
        "href", f"/people/{director['id']}"
    )
    comment = next(
        c
        for c in author.get(f"/api/posts/{post['id']}/comments").json()["items"]
        if marker in c["body"]
    )
    assert mention in comment["body"]

    # The mentioned person is told (the fan-out runs in the worker).
    deadline = time.monotonic() + 15
    found = _mention_notification(director_api, comment["id"])
    while found is None and time.monotonic() < deadline:
        time.sleep(0.5)
        found = _mention_notification(director_api, comment["id"])
    assert found is not None, "the mentioned director got no notification"
    assert found["payload"]["post_id"] == post["id"]  # type: ignore[index]

    # In a reply, Escape first closes the suggestions, then the reply itself.
    comments.get_by_role("button", name="Reply").first.click()
    reply = page.get_by_role("textbox", name=re.compile("Reply to"))
    expect(reply).to_be_focused()
    reply.press_sequentially(f"@{name[:3]}")
    expect(page.get_by_role("listbox")).to_be_visible()
    reply.press("Escape")
    expect(page.get_by_role("listbox")).to_have_count(0)
    expect(reply).to_be_visible()
    reply.press("Escape")
    expect(reply).to_have_count(0)
    context.close()


def test_mention_suggestions_in_a_comment_on_a_russian_phone(
    browser: Browser, plaza: Plaza
) -> None:
    author = plaza.api("employee")
    name = str(plaza.api("director").get("/api/me").json()["name"])
    post = _post(author, f"Витрина к выходным {uuid.uuid4().hex[:6]}")
    context = new_context(browser, plaza, "employee", locale="ru", viewport=PHONE)
    page = context.new_page()
    page.goto(f"/posts/{post['id']}")
    field = page.get_by_role("textbox", name="Написать комментарий")
    field.click()
    field.press_sequentially(f"Спасибо, @{name[:3]}")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option", name=re.compile(re.escape(name)))).to_be_visible()
    # The field's polite status says how many suggestions there are.
    expect(page.locator("form.comment-form [role=status]").first).to_have_text(re.compile(r"\d"))
    field.scroll_into_view_if_needed()
    screenshot(page, "comment-mention-phone-ru")
    assert sideways_overflow(page) == 0
    assert serious_axe_violations(page) == []
    context.close()
