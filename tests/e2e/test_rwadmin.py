"""The rewards admin in the comms workspace, as the comms team and employees use it: a new
shop item is redeemed and approved in the queue while the employee watches the status
change live; a refusal's reason reaches the employee; a spin grant with a reason shows in
the employee's wallet and in the reward audit; allowances are saved; employees find no
such screen."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import (
    PHONE,
    Plaza,
    new_context,
    screenshot,
    serious_axe_violations,
    sideways_overflow,
)


def _me(api: httpx.Client) -> dict[str, object]:
    return dict(api.get("/api/me").json())


def _grant_points(plaza: Plaza, user_id: object, amount: int) -> None:
    r = plaza.api("comms").post("/api/admin/grants", json={
        "user_id": user_id, "currency": "points", "amount": amount, "reason": "e2e rwadmin",
        "idempotency_key": f"e2e-rw-{uuid.uuid4().hex}"})  # fmt: skip
    assert r.status_code == 201, r.text


@pytest.fixture
def item(plaza: Plaza) -> Iterator[dict[str, str]]:
    """A fresh item code and title; retired afterwards so other screens do not show it."""
    code = f"e2e_rw_{uuid.uuid4().hex[:8]}"
    made = {"id": code, "title": f"Cinema ticket {code[-4:]}"}
    yield made
    comms = plaza.api("comms")
    found = [i for i in comms.get("/api/admin/shop/items").json()["items"] if i["id"] == code]
    if found:
        body = {k: found[0][k] for k in ("title", "description", "price", "needs_approval")}
        comms.put(f"/api/admin/shop/items/{code}",
                  json={**body, "active": False, "idempotency_key": f"retire-{code}"})  # fmt: skip


def _create_item(page: Page, code: str, title: str, *, price: int, stock: int) -> None:
    page.goto("/admin/rewards")
    expect(page.get_by_role("heading", level=1, name="Shop and prizes")).to_be_visible()
    page.get_by_role("button", name="New item").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Code").fill(code)
    dialog.get_by_label("Name in English").fill(title)
    dialog.get_by_label("Name in Russian").fill(f"Билет в кино {code[-4:]}")
    dialog.get_by_label("Price in points").fill(str(price))
    dialog.get_by_label("Add to stock").fill(str(stock))
    dialog.get_by_label(re.compile("Comms approve each order")).check()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    row = page.locator(f'[data-item="{code}"]')
    expect(row).to_contain_text(title)
    expect(row).to_contain_text(f"{stock} left")
    expect(row).to_contain_text("Needs approval")


def _redeem(page: Page, code: str, title: str) -> None:
    page.goto("/shop")
    page.locator(f'[data-item="{code}"]').get_by_role("button", name=f"Redeem {title}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Redeem").click()
    mine = page.get_by_test_id("my-redemptions").locator("li").filter(has_text=title)
    expect(mine).to_have_attribute("data-status", "pending")


def test_comms_creates_an_item_the_employee_redeems_and_sees_the_approval_live(
    browser: Browser, plaza: Plaza, item: dict[str, str]
) -> None:
    employee = _me(plaza.api("employee"))
    _grant_points(plaza, employee["id"], 50)
    code, title = item["id"], item["title"]

    comms_context = new_context(browser, plaza, "comms")
    comms = comms_context.new_page()
    _create_item(comms, code, title, price=25, stock=3)
    screenshot(comms, "rwadmin-catalogue-desktop-en")

    employee_context = new_context(browser, plaza, "employee")
    shop = employee_context.new_page()
    _redeem(shop, code, title)

    comms.get_by_role("link", name="Approvals").click()
    expect(comms.get_by_role("heading", level=1, name="Order approvals")).to_be_visible()
    name = str(employee["name"])
    row = comms.get_by_test_id("queue").locator("li").filter(has_text=title)
    expect(row).to_contain_text(name)
    expect(row).to_contain_text("25 points")
    screenshot(comms, "rwadmin-queue-desktop-en")
    assert serious_axe_violations(comms) == []
    row.get_by_role("button", name=f"Approve {title} for {name}").click()
    expect(comms.get_by_test_id("queue-notice")).to_have_text(f"Approved: {title} for {name}.")
    expect(row).to_have_count(0)

    # The employee's open shop page follows without a reload.
    mine = shop.get_by_test_id("my-redemptions").locator("li").filter(has_text=title)
    expect(mine).to_have_attribute("data-status", "completed")
    expect(shop.get_by_test_id("decided")).to_have_text(f"Your request for {title} was approved.")

    # The approved order is under "Approved", and the audit names who did what.
    comms.get_by_label("Show").select_option("completed")
    expect(comms.get_by_test_id("queue").locator("li").filter(has_text=title)).to_contain_text(
        "Decided"
    )
    comms.goto("/admin/rewards/audit")
    trail = comms.get_by_test_id("reward-audit")
    expect(trail.locator('[data-action="redemption.approve"]').first).to_contain_text(
        f"approved {title} for {name}"
    )
    expect(trail.locator('[data-action="shop.item.create"]').first).to_contain_text(
        f"added {title} to the shop at 25 points"
    )
    comms_context.close()
    employee_context.close()


def test_a_refusal_gives_the_points_back_and_the_employee_reads_why(
    browser: Browser, plaza: Plaza, item: dict[str, str]
) -> None:
    employee = _me(plaza.api("employee"))
    _grant_points(plaza, employee["id"], 30)
    code, title = item["id"], item["title"]
    comms_context = new_context(browser, plaza, "comms")
    comms = comms_context.new_page()
    _create_item(comms, code, title, price=20, stock=1)
    employee_context = new_context(browser, plaza, "employee")
    shop = employee_context.new_page()
    _redeem(shop, code, title)

    comms.goto("/admin/rewards/approvals")
    name = str(employee["name"])
    row = comms.get_by_test_id("queue").locator("li").filter(has_text=title)
    row.get_by_role("button", name=f"Refuse {title} for {name}").click()
    reason = row.get_by_label("Why (the employee reads it)")
    expect(reason).to_be_focused()
    # No reason, no refusal: the form says what is missing.
    row.get_by_role("button", name="Refuse the order").click()
    expect(row.get_by_text("Say why, so the employee understands.")).to_be_visible()
    reason.fill("The cinema is closed for repairs this month")
    row.get_by_role("button", name="Refuse the order").click()
    expect(comms.get_by_test_id("queue-notice")).to_contain_text(f"Refused: {title} for {name}")

    mine = shop.get_by_test_id("my-redemptions").locator("li").filter(has_text=title)
    expect(mine).to_have_attribute("data-status", "rejected")
    expect(mine).to_contain_text("The cinema is closed for repairs this month")
    comms_context.close()
    employee_context.close()


def test_a_spin_grant_with_a_reason_shows_in_the_employees_wallet(
    browser: Browser, plaza: Plaza
) -> None:
    employee = _me(plaza.api("employee"))
    name = str(employee["name"])
    reason = f"Best idea of the week {uuid.uuid4().hex[:6]}"
    before = plaza.api("employee").get("/api/me/wallet").json()["spins"]

    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    page.goto("/admin/rewards/grants")
    expect(page.get_by_role("heading", level=1, name="Grants by hand")).to_be_visible()
    form = page.get_by_test_id("grant-form")
    # Nothing chosen yet: the form says who is missing and sends nothing.
    form.get_by_role("button", name="Give").click()
    expect(form.get_by_role("alert")).to_have_text("Choose the person first.")
    picker = form.get_by_role("combobox", name="To whom")
    picker.press_sequentially(name[:4])
    option = page.get_by_role("option", name=re.compile(re.escape(name)))
    expect(option).to_be_visible()
    option.click()
    expect(form.get_by_text(name, exact=True)).to_be_visible()
    form.get_by_role("radio", name="Spins").check()
    form.get_by_label("How many").fill("2")
    form.get_by_label("Reason").fill(reason)
    form.get_by_role("button", name="Give").click()
    expect(page.get_by_test_id("grant-notice")).to_have_text(f"{name} got 2 spins.")
    expect(page.get_by_test_id("recent-grants").locator("li").first).to_contain_text(reason)
    screenshot(page, "rwadmin-grants-desktop-en")
    assert serious_axe_violations(page) == []
    assert plaza.api("employee").get("/api/me/wallet").json()["spins"] == before + 2

    mine = new_context(browser, plaza, "employee")
    wallet = mine.new_page()
    wallet.goto("/wallet")
    expect(wallet.get_by_text(f"From the comms team: {reason}").first).to_be_visible()

    page.goto("/admin/rewards/audit")
    page.get_by_label("What").select_option("grant")
    first = page.get_by_test_id("reward-audit").locator("li").first
    expect(first).to_contain_text(f"gave 2 spins to {name}")
    expect(first).to_contain_text(f"Why: {reason}")
    mine.close()
    context.close()


def test_allowances_are_saved_and_a_managers_own_can_be_reset(
    browser: Browser, plaza: Plaza
) -> None:
    director = _me(plaza.api("director"))
    context = new_context(browser, plaza, "comms", locale="ru", viewport=PHONE)
    page = context.new_page()
    page.goto("/admin/rewards/allowances")
    expect(page.get_by_role("heading", level=1, name="Лимиты")).to_be_visible()
    row = page.locator(f'[data-manager="{director["id"]}"]')
    field = row.get_by_label(f"Месячный лимит: {director['name']}")
    field.fill("250")
    row.get_by_role("button", name=f"Сохранить лимит: {director['name']}").click()
    expect(page.get_by_test_id("allowance-notice")).to_have_text(
        f"Лимит сохранён: {director['name']}."
    )
    expect(row).to_contain_text("Свой лимит")
    assert plaza.api("director").get("/api/me/allowance").json()["monthly"] == 250
    screenshot(page, "rwadmin-allowances-phone-ru")
    assert sideways_overflow(page) == 0
    row.get_by_role("button", name=f"Вернуть {director['name']} общий лимит").click()
    expect(row).to_contain_text("Общий")
    shown = plaza.api("comms").get("/api/admin/allowances").json()
    assert (
        plaza.api("director").get("/api/me/allowance").json()["monthly"]
        == (shown["manager_monthly"])
    )
    context.close()


def test_an_employee_has_no_rewards_admin(browser: Browser, plaza: Plaza) -> None:
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    for path in ("/admin/rewards", "/admin/rewards/approvals", "/admin/rewards/audit"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("not found", re.I))
    context.close()
