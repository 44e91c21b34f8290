"""Personal data in the browser: an employee downloads their own data from their profile's
edit page; an admin downloads a leaver's data and anonymises the profile from it (with a
confirmation), after which the profile shows "Former employee" and the person's posts stay.
The admin's card is checked like every main screen (axe, 360 px, no English in Russian)."""

from __future__ import annotations

import io
import uuid
import zipfile

import httpx
import orjson
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.support import (
    PHONE,
    Plaza,
    demo_email,
    english_on,
    new_context,
    screenshot,
    serious_axe_violations,
    sideways_overflow,
)

PASSWORD = "Leaver-Password-42"


def _leaver(plaza: Plaza, name: str) -> tuple[int, str, int]:
    """A person of our own (registered now), with a post: (id, e-mail, post id)."""
    email = f"leaver-{uuid.uuid4().hex[:8]}@{demo_email('employee').split('@')[1]}"
    client = httpx.Client(base_url=plaza.url, timeout=20)
    made = client.post(
        "/api/auth/register", json={"email": email, "password": PASSWORD, "name": name}
    )
    assert made.status_code == 201, made.text
    client.headers["X-CSRF-Token"] = made.json()["csrf_token"]
    me = client.get("/api/me").json()
    post = client.post("/api/posts", json={"body": f"Goodbye from {name}"})
    assert post.status_code == 201, post.text
    client.patch("/api/me", json={"skills": ["forklift"], "position": "Shift lead"})
    return int(me["id"]), email, int(post.json()["id"])


def _zip(path: str) -> dict[str, bytes]:
    with open(path, "rb") as f, zipfile.ZipFile(io.BytesIO(f.read())) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_an_employee_downloads_their_own_data(browser: Browser, plaza: Plaza) -> None:
    with new_context(browser, plaza, "employee") as context:
        page = context.new_page()
        page.goto("/people/me")
        section = page.get_by_role("region", name="Your data")
        expect(section).to_be_visible()
        with page.expect_download() as caught:
            section.get_by_role("button", name="Download my data").click()
        download = caught.value
        assert download.suggested_filename.startswith("plaza-data-")
        assert download.suggested_filename.endswith(".zip")
        files = _zip(download.path())
        profile = orjson.loads(files["profile.json"])
        assert profile["email"] == demo_email("employee")
        assert {"posts.json", "comments.json", "chat_messages.json", "transfers.json"} <= set(files)
        expect(section.get_by_text("Your download has started.")).to_be_visible()
        section.scroll_into_view_if_needed()
        screenshot(page, "profile-data-desktop-en")


def test_an_admin_downloads_and_anonymises_a_leaver(browser: Browser, plaza: Plaza) -> None:
    person_id, email, post_id = _leaver(plaza, "Lena Leaver")
    with new_context(browser, plaza, "admin") as context:
        page = context.new_page()
        page.goto(f"/people/{person_id}")
        expect(page.get_by_role("heading", level=1, name="Lena Leaver")).to_be_visible()
        card = page.get_by_role("region", name="Personal data")
        with page.expect_download() as caught:
            card.get_by_role("button", name="Download their data").click()
        assert orjson.loads(_zip(caught.value.path())["profile.json"])["email"] == email

        # Cancel first: nothing happens, the focus goes back to the button.
        card.get_by_role("button", name="Anonymise profile").click()
        confirm = card.get_by_role("group", name="Anonymise Lena Leaver?")
        expect(confirm).to_be_visible()
        expect(confirm.get_by_role("button", name="Anonymise for good")).to_be_focused()
        confirm.get_by_role("button", name="Cancel").click()
        expect(confirm).to_be_hidden()
        expect(card.get_by_role("button", name="Anonymise profile")).to_be_focused()
        assert plaza.api("admin").get(f"/api/employees/{person_id}").json()["name"] == "Lena Leaver"

        card.get_by_role("button", name="Anonymise profile").click()
        card.get_by_role("button", name="Anonymise for good").click()
        expect(card.get_by_text("The profile is anonymised.")).to_be_visible()
        expect(page.get_by_role("heading", level=1, name="Former employee")).to_be_visible()
        expect(card.get_by_role("button", name="Anonymise profile")).to_have_count(0)
        expect(page.get_by_text(email)).to_have_count(0)

    server = plaza.api("employee")
    profile = server.get(f"/api/employees/{person_id}").json()
    assert profile["skills"] == [] and profile["position"] == ""
    post = server.get(f"/api/posts/{post_id}").json()
    assert post["body"] == "Goodbye from Lena Leaver"
    assert post["author"]["name"] == "Former employee"
    signed_in = httpx.post(
        f"{plaza.url}/api/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert signed_in.status_code == 401


def test_only_an_admin_sees_the_personal_data_card(browser: Browser, plaza: Plaza) -> None:
    person_id, _, _ = _leaver(plaza, "Oleg Other")
    with new_context(browser, plaza, "moderator") as context:
        page = context.new_page()
        page.goto(f"/people/{person_id}")
        expect(page.get_by_role("heading", level=1, name="Oleg Other")).to_be_visible()
        page.wait_for_load_state("networkidle")
        expect(page.get_by_test_id("privacy-admin")).to_have_count(0)


@pytest.mark.parametrize("locale", ["en", "ru"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_admin_card_passes_the_screen_checks(
    browser: Browser, plaza: Plaza, locale: str, device: str
) -> None:
    person_id, _, _ = _leaver(plaza, "Pavel Person")
    viewport = PHONE if device == "phone" else None
    with new_context(browser, plaza, "admin", locale=locale, viewport=viewport) as context:
        page = context.new_page()
        page.goto(f"/people/{person_id}")
        card = page.get_by_test_id("privacy-admin")
        expect(card).to_be_visible()
        card.locator("button.btn-danger").click()  # the confirmation open, as it looks then
        expect(card.get_by_role("group")).to_be_visible()
        page.wait_for_load_state("networkidle")
        card.scroll_into_view_if_needed()
        screenshot(page, f"profile-admin-{device}-{locale}")
        assert serious_axe_violations(page) == []
        assert sideways_overflow(page) == 0
        if locale == "ru":
            assert english_on(page) == []
