"""The signed-in shell on a phone: the "More" drawer (loaded when first opened) lists every
section, closes with Escape and gives the keyboard back to its button; the live connection
comes up although its library loads after the first page."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.e2e.support import PHONE, Plaza, new_context


def test_the_phones_more_drawer_opens_lists_everything_and_closes(
    browser: Browser, plaza: Plaza
) -> None:
    context = new_context(browser, plaza, "employee", viewport=PHONE)
    page = context.new_page()
    page.goto("/feed")
    expect(page.locator(".shell[data-live=online]")).to_be_attached()
    more = page.get_by_role("button", name="More")
    expect(more).to_have_attribute("aria-expanded", "false")
    more.click()
    drawer = page.get_by_role("dialog", name="More")
    expect(drawer).to_be_visible()
    expect(more).to_have_attribute("aria-expanded", "true")
    for section in ("Leaders' blogs", "Wallet", "Leaderboards", "Getting started"):
        expect(drawer.get_by_role("link", name=section)).to_be_visible()
    page.keyboard.press("Escape")
    expect(drawer).to_have_count(0)
    expect(more).to_be_focused()
    # Again, and a link goes where it says (the drawer closes on the new page).
    more.click()
    page.get_by_role("dialog", name="More").get_by_role("link", name="Wallet").click()
    expect(page).to_have_url(f"{plaza.url}/wallet")
    expect(page.get_by_role("dialog", name="More")).to_have_count(0)
    context.close()
