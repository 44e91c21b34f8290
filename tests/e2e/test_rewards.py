"""The rewards screens as people use them: a spin lands on the prize the server drew and
the wallet in another tab follows live; with no spins left the wheel says why; a shop
request waits for approval and the decision arrives live; the leaderboard shows my rank."""

from __future__ import annotations

import math
import re
import time
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


def _me(api: httpx.Client) -> dict[str, object]:
    return dict(api.get("/api/me").json())


def _grant(plaza: Plaza, user_id: object, currency: str, amount: int) -> None:
    response = plaza.api("comms").post(
        "/api/admin/grants",
        json={
            "user_id": user_id,
            "currency": currency,
            "amount": amount,
            "reason": "e2e rewards",
            "idempotency_key": f"e2e-{uuid.uuid4().hex}",
        },
    )
    assert response.status_code == 201, response.text


def _online(page: Page) -> None:
    expect(page.locator(".shell[data-live=online]")).to_be_attached()


def _segment_at(rotation: float, count: int) -> int:
    """The segment under the pointer (web/src/lib/rewards/wheel.ts: segmentAt)."""
    return min(count - 1, math.floor(((-rotation % 360) + 360) % 360 / (360 / count)))


def test_a_spin_lands_on_the_servers_prize_and_the_wallet_follows_live(
    browser: Browser, plaza: Plaza
) -> None:
    employee = plaza.api("employee")
    _grant(plaza, _me(employee)["id"], "spins", 2)
    wheel = employee.get("/api/wheel").json()
    titles = {s["id"]: s["title"]["en"] for s in wheel["segments"]}
    ids = [s["id"] for s in wheel["segments"]]

    context = new_context(browser, plaza, "employee")
    wallet_page = context.new_page()
    wallet_page.goto("/wallet")
    _online(wallet_page)
    before = employee.get("/api/me/wallet").json()
    expect(wallet_page.get_by_test_id("wallet-spins")).to_contain_text(str(before["spins"]))

    page = context.new_page()
    page.goto("/wheel")
    _online(page)
    expect(page.get_by_test_id("spins-left")).to_have_text(f"You have {before['spins']} spins")
    with page.expect_response(
        lambda r: r.url.endswith("/api/wheel/spins") and r.request.method == "POST"
    ) as answer:
        page.get_by_role("button", name="Spin the wheel").click()
    spun = answer.value.json()
    assert answer.value.status == 200, spun

    # The announced prize is the server's, and the wheel stopped on that very segment.
    result = page.get_by_role("status").filter(has=page.get_by_test_id("wheel-result"))
    expect(result).to_be_visible()
    expect(page.get_by_test_id("wheel-result")).to_have_attribute("data-segment", spun["segment"])
    if spun["outcome"] == "prize":
        expect(result).to_contain_text(f"You won: {titles[spun['segment']]}!")
    elif spun["outcome"] == "points":
        expect(result).to_contain_text(f"You won {spun['amount']} points!")
    elif spun["outcome"] == "spins":
        expect(result).to_contain_text(re.compile(rf"You won {spun['amount']} more spins?!"))
    elif spun["fallback"]:
        expect(result).to_contain_text(f"{titles[spun['segment']]} has run out")
    else:
        expect(result).to_contain_text(spun["wish"]["en"] if spun["wish"] else "all the best")
    rotation = float(page.locator("svg[data-rotation]").get_attribute("data-rotation") or "nan")
    assert _segment_at(rotation, len(ids)) == ids.index(spun["segment"])
    expect(page.get_by_test_id("recent-spins").locator("li").first).to_contain_text(
        result.inner_text().strip()
    )
    screenshot(page, "wheel-result-desktop-en")

    # The other tab, never reloaded, shows the balances the ledger has now.
    after = employee.get("/api/me/wallet").json()
    assert after["spins"] == before["spins"] - 1 + (
        spun["amount"] if spun["outcome"] == "spins" else 0
    )
    expect(wallet_page.get_by_test_id("wallet-spins")).to_contain_text(str(after["spins"]))
    expect(wallet_page.get_by_test_id("wallet-points")).to_contain_text(f"{after['points']:,}")
    expect(wallet_page.get_by_test_id("history").locator("li").first).to_contain_text(
        re.compile("A spin of the wheel|Won on the wheel|A prize won on the wheel")
    )
    context.close()


def test_with_no_spins_left_the_wheel_says_why(browser: Browser, plaza: Plaza) -> None:
    moderator = plaza.api("moderator")
    for _ in range(20):  # spend whatever spins the moderator has: none are left after
        r = moderator.post("/api/wheel/spins", json={"idempotency_key": f"e2e-{uuid.uuid4().hex}"})
        if r.status_code == 409:
            break
    assert moderator.get("/api/me/wallet").json()["spins"] == 0

    context = new_context(browser, plaza, "moderator", viewport=PHONE)
    page = context.new_page()
    page.goto("/wheel")
    button = page.get_by_role("button", name="No spins left")
    expect(button).to_have_attribute("aria-disabled", "true")
    why = page.get_by_test_id("no-spins-why")
    expect(why).to_contain_text("You have no spins left.")
    expect(button).to_have_accessible_description(re.compile("You have no spins left"))
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    button.focus()  # it stays focusable (aria-disabled): the keyboard reaches the reason
    page.keyboard.press("Enter")
    expect(why).to_have_class(re.compile("alert"))
    assert not [u for u in posted if u.endswith("/api/wheel/spins")]
    assert serious_axe_violations(page) == []
    assert sideways_overflow(page) == 0
    screenshot(page, "wheel-no-spins-phone-en")
    context.close()


def test_a_shop_request_waits_for_approval_and_the_decision_arrives_live(
    browser: Browser, plaza: Plaza
) -> None:
    comms = plaza.api("comms")
    employee = plaza.api("employee")
    item_id = f"e2e_lunch_{uuid.uuid4().hex[:8]}"
    title = f"Lunch {item_id[-8:]}"
    r = comms.put(
        f"/api/admin/shop/items/{item_id}",
        json={
            "title": {"en": title, "ru": title},
            "price": 5,
            "needs_approval": True,
            "add_stock": 1,
            "idempotency_key": f"e2e-{uuid.uuid4().hex}",
        },
    )
    assert r.status_code == 200, r.text
    _grant(plaza, _me(employee)["id"], "points", 5)

    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/shop")
    _online(page)
    card = page.locator(f'li[data-item="{item_id}"]')
    expect(card).to_contain_text("1 left")
    expect(card).to_contain_text("Needs approval")
    card.get_by_role("button", name=f"Redeem {title}").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("will be held now")
    assert serious_axe_violations(page) == []
    with page.expect_response(lambda r: r.url.endswith("/api/shop/redemptions")) as answer:
        dialog.get_by_role("button", name="Redeem").click()
    redemption = answer.value.json()
    assert redemption["status"] == "pending"
    expect(dialog).to_have_count(0)
    row = page.locator(f'li[data-redemption="{redemption["id"]}"]')
    expect(page.get_by_text(re.compile(r"\d+ points? held for shop"))).to_be_visible()
    expect(row).to_contain_text(title)
    expect(row).to_contain_text("Waiting for approval")
    expect(card).to_contain_text("Out of stock")

    r = comms.post(
        f"/api/admin/redemptions/{redemption['id']}/decision",
        json={"approve": True, "note": "Enjoy!"},
    )
    assert r.status_code == 200, r.text
    expect(row).to_have_attribute("data-status", "completed")
    expect(row).to_contain_text("Done")
    expect(row).to_contain_text("Note: Enjoy!")
    expect(page.get_by_test_id("decided")).to_have_text(f"Your request for {title} was approved.")
    expect(page.get_by_text("held for shop requests")).to_have_count(0)  # the hold was spent
    screenshot(page, "shop-decided-desktop-en")
    context.close()


def test_the_leaderboard_shows_my_rank_and_my_store(browser: Browser, plaza: Plaza) -> None:
    employee = plaza.api("employee")
    me = _me(employee)
    _grant(plaza, me["id"], "points", 7)
    board = employee.get("/api/leaderboards/user/week").json()
    assert board["me"] is not None

    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/leaderboards")
    mine = page.get_by_test_id("my-rank")
    expect(mine).to_contain_text(f"No. {board['me']['rank']}")
    expect(mine).to_contain_text(f"{board['me']['points']} points")
    row = page.locator(f'[data-testid=ranking] li[data-place="{me["id"]}"]')
    expect(row).to_contain_text(str(me["name"]))
    expect(row).to_contain_text("(you)")

    # Stores: my store's rank stays in view, and my own rank too; it follows live when
    # a post of mine earns points (the worker settles it and the board's top changes).
    page.get_by_role("button", name="Stores").click()
    expect(page).to_have_url(re.compile(r"scope=store"))
    expect(
        page.get_by_test_id("ranking").or_(
            page.get_by_text("No points in this period yet", exact=True)
        )
    ).to_be_visible()
    _online(page)
    before = employee.get("/api/leaderboards/store/week").json()["my_store"]
    long_body = (
        f"Shelf layout notes {uuid.uuid4().hex[:6]}. " + "Facing, price tags, end caps. " * 12
    )
    r = employee.post("/api/posts", json={"body": long_body, "group_id": 2})
    assert r.status_code == 201, r.text
    post_id = r.json()["id"]
    store = before
    for _ in range(60):
        store = employee.get("/api/leaderboards/store/week").json()["my_store"]
        if store is not None and (before is None or store["points"] > before["points"]):
            break
        time.sleep(0.5)
    assert store is not None and store != before, "the worker did not settle the post"
    card = page.get_by_test_id("my-store-rank")
    expect(card).to_contain_text(f"No. {store['rank']}")
    expect(card).to_contain_text(f"{store['name']} · {store['points']} points")
    expect(page.locator(f'[data-testid=ranking] li[data-place="{store["id"]}"]')).to_contain_text(
        "(you)"
    )
    expect(mine).to_contain_text("No. ")
    page.get_by_role("button", name="All time").click()
    expect(page.get_by_role("button", name="All time")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("ranking")).to_be_visible()

    # The wallet says why: the rule, its ruleset version, and a link to the post.
    page.goto("/wallet")
    entry = page.get_by_test_id("history").locator(
        "li", has=page.locator(f'a[href="/posts/{post_id}"]')
    )
    expect(entry.first).to_contain_text(re.compile(r"Your first post|A post worth reading"))
    expect(entry.first).to_contain_text(re.compile(r"ruleset v\d+"))
    expect(entry.first.get_by_role("link")).to_have_text(re.compile(r"^for your post of \d+ \w+$"))
    screenshot(page, "wallet-history-desktop-en")
    context.close()


def test_with_motion_the_wheel_turns_first_and_announces_on_landing(
    browser: Browser, plaza: Plaza
) -> None:
    director = plaza.api("director")
    _grant(plaza, _me(director)["id"], "spins", 1)
    context = new_context(browser, plaza, "director")
    page = context.new_page()
    page.emulate_media(reduced_motion="no-preference")
    page.goto("/wheel")
    rotor = page.locator("svg .rotor")
    expect(rotor).to_have_css("transition-duration", "4.5s")
    with page.expect_response(lambda r: r.url.endswith("/api/wheel/spins")) as answer:
        page.get_by_role("button", name="Spin the wheel").click()
    spun = answer.value.json()
    # Turning: nothing is announced yet, and the button says so.
    expect(page.get_by_role("button", name="Spinning…")).to_have_attribute("aria-busy", "true")
    expect(page.get_by_test_id("wheel-result")).to_have_count(0)
    expect(page.get_by_test_id("wheel-result")).to_have_attribute(
        "data-segment", spun["segment"], timeout=15_000
    )
    rotation = float(page.locator("svg[data-rotation]").get_attribute("data-rotation") or "nan")
    assert rotation >= 5 * 360  # whole turns before it stops
    context.close()
