"""The installable app offline: after one visit, the app shell and the last feed page open
without a network, and the app says it is offline (never "empty" or "failed")."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import Plaza, new_context, screenshot


def _controlled(page: Page) -> None:
    """Wait until the service worker is active and controls this page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")


def test_the_shell_and_the_last_feed_page_open_offline(browser: Browser, plaza: Plaza) -> None:
    first = plaza.api("employee").get("/api/feed").json()["items"][0]
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/feed")
    expect(page.get_by_role("feed")).to_be_visible()
    _controlled(page)
    # A visit under the worker: the feed's first page is kept for later.
    page.reload()
    card = page.locator(f'article[data-post-id="{first["id"]}"]')
    expect(card).to_be_visible()

    context.set_offline(True)
    page.reload()
    # The shell (index.html and the build's files) came from the cache, and the feed too.
    expect(page.get_by_role("heading", level=1, name="Feed")).to_be_visible()
    expect(card).to_be_visible()
    expect(page.locator("[data-connection=offline]")).to_contain_text("You are offline")
    expect(page.get_by_test_id("offline-copy")).to_contain_text(re.compile(r"saved"))
    screenshot(page, "feed-offline-desktop-en")

    # Back online: the live feed replaces the copy without a reload.
    context.set_offline(False)
    expect(page.locator(".shell[data-live=online]")).to_be_attached(timeout=35_000)
    expect(page.get_by_test_id("offline-copy")).to_have_count(0)
    expect(card).to_be_visible()
    context.close()
