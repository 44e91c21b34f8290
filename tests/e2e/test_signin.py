"""Signing in, registering and signing out, as a person does it in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.support import (
    DEMO_PASSWORD,
    PHONE,
    Plaza,
    demo_email,
    new_context,
    screenshot,
    serious_axe_violations,
    sideways_overflow,
)


def test_sign_in_lands_on_the_feed_and_sign_out_returns(browser: Browser, plaza: Plaza) -> None:
    # The app speaks the profile's language once signed in; other tests may have chosen
    # Russian for this person.
    plaza.api("employee").patch("/api/me", json={"locale": "en"}).raise_for_status()
    context = new_context(browser, plaza, who=None)
    page = context.new_page()
    page.goto("/feed")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Ffeed"))
    page.get_by_label("Work e-mail").fill(demo_email("employee"))
    page.get_by_label("Password", exact=True).fill("wrong password 1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong e-mail or password")
    # The half-typed form stays as it was.
    expect(page.get_by_label("Work e-mail")).to_have_value(demo_email("employee"))

    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/feed$"))
    expect(page.get_by_role("heading", name="Feed", level=1)).to_be_visible()

    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin"))
    page.goto("/feed")
    expect(page).to_have_url(re.compile(r"/signin"))
    context.close()


def test_registration_with_a_foreign_domain_says_why(browser: Browser, plaza: Plaza) -> None:
    context = new_context(browser, plaza, who=None)
    page = context.new_page()
    page.goto("/register")
    page.get_by_label("Full name").fill("Mallory Outsider")
    page.get_by_label("Work e-mail").fill("mallory@gmail.com")
    expect(page.get_by_text("gmail.com is not a company domain")).to_be_visible()
    page.get_by_label("Password", exact=True).fill("Correct-Horse-42")
    page.get_by_role("button", name="Create account").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Only employees can register")
    expect(alert).to_contain_text("plaza.example.com")
    context.close()


def test_a_weak_password_shows_why_as_you_type_and_on_submit(
    browser: Browser, plaza: Plaza
) -> None:
    context = new_context(browser, plaza, who=None)
    page = context.new_page()
    page.goto("/register")
    page.get_by_label("Full name").fill("Nina Newcomer")
    page.get_by_label("Work e-mail").fill("nina.newcomer@plaza.example.com")
    password = page.get_by_label("Password", exact=True)
    password.fill("short")
    expect(page.locator("[data-rule=length]")).not_to_have_class(re.compile("met"))
    password.fill("longenoughbutlower")
    expect(page.locator("[data-rule=length]")).to_have_class(re.compile("met"))
    expect(page.locator("[data-rule=classes]")).not_to_have_class(re.compile("met"))
    # A common password passes the rules shown but the server refuses it, and says so.
    password.fill("Password123")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("too weak")
    expect(page.get_by_label("Full name")).to_have_value("Nina Newcomer")

    password.fill("Sunny-Harbour-2031")
    page.get_by_role("button", name="Create account").click()
    expect(page).not_to_have_url(re.compile(r"/register"))
    context.close()


@pytest.mark.parametrize("locale", ["en", "ru"])
@pytest.mark.parametrize("path", ["/signin", "/register"])
def test_public_screens_are_accessible_and_fit_a_phone(
    browser: Browser, plaza: Plaza, locale: str, path: str
) -> None:
    for name, viewport in (("desktop", None), ("phone", PHONE)):
        context = new_context(browser, plaza, who=None, locale=locale, viewport=viewport)
        page = context.new_page()
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if locale == "ru":
            expect(page.locator("html")).to_have_attribute("lang", "ru")
        assert serious_axe_violations(page) == []
        assert sideways_overflow(page) == 0
        screenshot(page, f"{path.strip('/')}-{name}-{locale}")
        context.close()
