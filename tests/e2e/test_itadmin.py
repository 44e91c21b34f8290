"""The IT admin in the browser: a role changed and a person deactivated (their open
browser is signed out at once and signing in is refused with the reason), an HR export
uploaded with its rejected rows shown, and the audit log listing those actions."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.support import DEMO_DOMAIN, DEMO_PASSWORD, PHONE, Plaza, new_context, screenshot


def _register(plaza: Plaza, name: str) -> tuple[str, int]:
    """A person of this test's own: the demo people stay as other tests expect them."""
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@{DEMO_DOMAIN}"
    with httpx.Client(base_url=plaza.url, timeout=20) as client:
        response = client.post(
            "/api/auth/register", json={"email": email, "password": DEMO_PASSWORD, "name": name}
        )
        assert response.status_code == 201, response.text
        return email, int(response.json()["me"]["id"])


def _signed_in_as(browser: Browser, plaza: Plaza, email: str) -> BrowserContext:
    context = new_context(browser, plaza, who=None)
    response = context.request.post(
        "/api/auth/login", data={"email": email, "password": DEMO_PASSWORD}
    )
    assert response.ok, response.text()
    return context


def test_admin_changes_a_role_and_deactivates_a_person_whose_browser_is_signed_out(
    browser: Browser, plaza: Plaza
) -> None:
    email, person_id = _register(plaza, "Tess Tempo")
    theirs = _signed_in_as(browser, plaza, email)
    their_page = theirs.new_page()
    their_page.goto("/feed")
    expect(their_page.get_by_role("heading", name="Feed", level=1)).to_be_visible()

    admin = new_context(browser, plaza, "admin")
    page = admin.new_page()
    page.goto("/admin/people")
    expect(page.get_by_role("heading", name="People and access", level=1)).to_be_visible()
    page.get_by_label("Find a person").fill(email)
    row = page.locator(f'[data-testid="admin-person"][data-email="{email}"]')
    expect(row).to_be_visible()
    expect(page.get_by_test_id("admin-person")).to_have_count(1)
    expect(row.get_by_test_id("access")).to_contain_text("2 open sessions")  # sign-up, browser

    row.get_by_label("Role of Tess Tempo").select_option("moderator")
    row.get_by_role("button", name="Save role").click()
    expect(page.locator(".alert-success")).to_contain_text("Tess Tempo is now: Moderator.")
    expect(row.locator(".badge.role")).to_have_text("Moderator")
    assert (
        plaza.api("admin")
        .get("/api/admin/employees", params={"q": email})
        .json()["people"][0]["role"]
        == "moderator"
    )

    row.get_by_role("button", name="Deactivate Tess Tempo").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Deactivate Tess Tempo?")
    dialog.get_by_test_id("confirm-action").click()
    expect(page.locator(".alert-success")).to_contain_text("Tess Tempo is deactivated.")
    expect(row.locator(".badge.off")).to_have_text("Deactivated")
    expect(row.get_by_role("button", name="Reactivate Tess Tempo")).to_be_visible()

    # Their open browser is told at once (the live socket), without a reload.
    expect(their_page).to_have_url(re.compile(r"/signin"))
    expect(their_page.get_by_text("Your session has ended")).to_be_visible()
    their_page.get_by_label("Work e-mail").fill(email)
    their_page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    their_page.get_by_role("button", name="Sign in").click()
    expect(their_page.get_by_role("alert")).to_contain_text("This account is no longer active.")

    # The audit log lists both actions, newest first, for this person.
    page.goto(f"/admin/audit?target=employee:{person_id}")
    entries = page.get_by_test_id("audit-entries").locator("li")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("Access deactivated")
    expect(entries.nth(0)).to_contain_text("Alexandra Admin")  # who did it
    expect(entries.nth(1)).to_contain_text("Role changed")
    expect(entries.nth(1)).to_contain_text("moderator")
    page.get_by_role("button", name="Verify now").click()
    expect(page.get_by_test_id("chain-status")).to_contain_text("Verified:")
    theirs.close()
    admin.close()


def test_the_server_refusal_is_shown_and_the_role_put_back(browser: Browser, plaza: Plaza) -> None:
    admin = new_context(browser, plaza, "admin")
    page = admin.new_page()
    email, _ = _register(plaza, "Rita Rollback")
    page.goto("/admin/people")
    page.get_by_label("Find a person").fill(email)
    row = page.locator(f'[data-testid="admin-person"][data-email="{email}"]')
    expect(row).to_be_visible()
    # The server refuses (here a 409 this test makes it answer): the row shows the role
    # it had, and the reason.
    page.route(
        "**/api/admin/employees/*/role",
        lambda route: route.fulfill(
            status=409,
            content_type="application/json",
            body='{"error": "own_account", "detail": "You cannot change your own role or access: ask another admin."}',
        ),
    )
    row.get_by_label("Role of Rita Rollback").select_option("comms")
    row.get_by_role("button", name="Save role").click()
    expect(page.locator(".alert-error")).to_contain_text("ask another admin")
    expect(row.locator(".badge.role")).to_have_text("Employee")
    admin.close()


CSV = """employee_id,email,name,position
{a},{a}@{domain},Ivy Import,Cashier
{b},not-an-email,Broken Row,Cashier
{c},{c}@{domain},Otto Import,Baker
"""


def test_hr_import_upload_shows_progress_and_the_rejected_rows(
    browser: Browser, plaza: Plaza
) -> None:
    tag = uuid.uuid4().hex[:6]
    ids = {"a": f"imp-{tag}-a", "b": f"imp-{tag}-b", "c": f"imp-{tag}-c"}
    body = CSV.format(domain=DEMO_DOMAIN, **ids)
    admin = new_context(browser, plaza, "admin")
    page = admin.new_page()
    page.goto("/admin/people")
    page.get_by_role("link", name="HR import").click()
    expect(page.get_by_role("heading", name="HR import", level=1)).to_be_visible()

    # Nothing chosen: the form says so and keeps the focus on the file.
    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a file first.")

    page.get_by_label("Export file").set_input_files(
        {"name": f"hr-{tag}.csv", "mimeType": "text/csv", "buffer": body.encode()}
    )
    page.get_by_role("button", name="Upload and import").click()
    result = page.get_by_test_id("import-result")
    expect(result).to_be_visible(timeout=30_000)
    expect(result).to_contain_text("Done")
    expect(result.locator("dl")).to_contain_text("Created")
    rejected = page.get_by_test_id("rejected-rows")
    expect(rejected.locator("tbody tr")).to_have_count(1)
    expect(rejected.locator("tbody tr").first).to_contain_text("3")
    expect(rejected.locator("tbody tr").first).to_contain_text(ids["b"])
    expect(page.get_by_test_id("past-imports")).to_contain_text("Done")

    # The new people are there to manage.
    page.goto("/admin/people")
    page.get_by_label("Find a person").fill(f"imp-{tag}")
    expect(page.get_by_test_id("admin-person")).to_have_count(2)

    # And the audit log has the import's start and finish.
    page.goto("/admin/audit")
    page.get_by_label("Action").select_option("hr.import.finish")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"action=hr\.import\.finish"))
    first = page.get_by_test_id("audit-entries").locator("li").first
    expect(first).to_contain_text("HR import finished")
    expect(first).to_contain_text("rejected")
    admin.close()


def test_on_a_phone_the_workspace_tab_bar_shows_the_current_section(
    browser: Browser, plaza: Plaza
) -> None:
    """The admin's ten sections do not fit 360 px: the bar scrolls sideways, and opening a
    section late in it (People, the Audit log) brings its tab into view."""
    admin = new_context(browser, plaza, "admin", viewport=PHONE)
    page = admin.new_page()
    tabs = page.get_by_role("navigation", name="Workspace sections")
    for path, name in (("/admin/people", "People"), ("/admin/audit", "Audit log")):
        page.goto(path)
        current = tabs.get_by_role("link", name=name, exact=True)
        expect(current).to_have_attribute("aria-current", "page")
        expect(current).to_be_in_viewport(ratio=1)
    screenshot(page, "admin-audit-tabs-phone-en")
    # Back to the first section from the bar itself (the app navigates without a reload).
    first = tabs.get_by_role("link", name="Content", exact=True)
    first.scroll_into_view_if_needed()
    first.click()
    expect(first).to_have_attribute("aria-current", "page")
    expect(first).to_be_in_viewport(ratio=1)
    admin.close()
