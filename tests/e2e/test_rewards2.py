"""Rewards, part two, as people use them: the leaderboards' chart of my and my store's
progress; a store director's home with the store's board, which moves live when a
colleague's post (in another browser) earns points; kudos from a profile (a director adds
points from the allowance) and under a post."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import Browser, Page, expect

from server.demo import demo_rows
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


def _online(page: Page) -> None:
    expect(page.locator(".shell[data-live=online]")).to_be_attached()


def _colleague_of_the_director() -> str:
    """A demo person of the director's store (Moscow, Arbat) whom no other test signs in
    as: the login name `new_context` takes."""
    rows = [r for r in demo_rows() if r["store_code"] == "msk-2" and r["role"] == "employee"]
    return rows[-1]["email"].split("@")[0]


def test_the_progress_chart_shows_my_and_my_stores_points(browser: Browser, plaza: Plaza) -> None:
    employee = plaza.api("employee")
    progress = employee.get("/api/leaderboards/user/month/progress").json()
    assert progress["me"][-1] > 0  # the demo's history
    assert progress["place"]["name"] == "Moscow, Arbat"

    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/leaderboards?period=month")
    section = page.get_by_test_id("progress")
    expect(section.get_by_role("heading", name="Progress over the period")).to_be_visible()
    me = section.locator("li[data-series=me]")
    store = section.locator("li[data-series=place]")
    expect(me).to_contain_text("Me")
    expect(store).to_contain_text("Moscow, Arbat")
    # The chart is drawn (its own chunk, fetched after the board): one line per series.
    chart = section.get_by_test_id("progress-chart")
    expect(chart.locator("svg path.progress-line")).to_have_count(2)
    latest = employee.get("/api/leaderboards/user/month/progress").json()
    expect(me).to_contain_text(f"{latest['me'][-1]:,} points")
    expect(store).to_contain_text(f"{latest['place']['points'][-1]:,} points")
    assert serious_axe_violations(page) == []
    screenshot(page, "leaderboards-progress-desktop-en")

    # Another scope shows that place's line: my city's on the cities board.
    page.get_by_role("button", name="Cities").click()
    expect(store).to_contain_text("Moscow")
    context.close()

    phone = new_context(browser, plaza, "employee", locale="ru", viewport=PHONE)
    page = phone.new_page()
    page.goto("/leaderboards?period=week")
    section = page.get_by_test_id("progress")
    expect(section.get_by_role("heading", name="Прогресс за период")).to_be_visible()
    expect(section.get_by_test_id("progress-chart").locator("svg.lc-layout-svg")).to_be_visible()
    assert sideways_overflow(page) == 0
    screenshot(page, "leaderboards-progress-phone-ru")
    phone.close()


def test_a_directors_home_shows_the_stores_board_and_it_moves_live(
    browser: Browser, plaza: Plaza
) -> None:
    director = plaza.api("director")
    board = director.get("/api/me/store-board").json()
    assert board["store"]["name"] == "Moscow, Arbat"

    context = new_context(browser, plaza, "director")
    page = context.new_page()
    page.goto("/feed")
    _online(page)
    card = page.get_by_test_id("store-board")
    expect(card.get_by_role("heading", name="My store's board")).to_be_visible()
    place = card.get_by_test_id("store-board-place")
    expect(place).to_contain_text("Moscow, Arbat")
    if board["store"]["rank"]:
        expect(place).to_contain_text(
            f"Place {board['store']['rank']} of {board['store']['size']} stores this week"
        )
    people = card.get_by_test_id("store-board-people").locator("li")
    expect(people).to_have_count(len(board["people"]))
    expect(people.first).to_contain_text(board["people"][0]["name"])
    assert serious_axe_violations(page) == []
    screenshot(page, "home-director-desktop-en")

    # A colleague of the store posts in another browser; the rules award the post, and the
    # director's board follows without a reload.
    colleague = _colleague_of_the_director()
    other = new_context(browser, plaza, colleague)
    writer = other.new_page()
    writer.goto("/feed")
    _online(writer)
    composer = writer.locator("form[data-composer]").first
    body = f"Window display notes {uuid.uuid4().hex[:6]}. " + "Facing, price tags, end caps. " * 12
    composer.get_by_role("textbox", name="Post text").fill(body)
    composer.get_by_role("button", name="Post", exact=True).click()
    expect(writer.locator("article[data-post-id]", has_text=body[:30]).first).to_be_visible()
    name = _me(plaza_client(plaza, colleague))["name"]
    row = people.filter(has_text=str(name))
    expect(row).to_be_visible(timeout=30_000)
    after = director.get("/api/me/store-board").json()
    assert after["store"]["points"] > board["store"]["points"]
    expect(place).to_contain_text(f"{after['store']['points']:,} points")
    other.close()

    card.get_by_role("link", name="All leaderboards").click()
    expect(page).to_have_url(re.compile(r"/leaderboards\?scope=store"))
    expect(page.get_by_test_id("my-store-rank")).to_contain_text("Moscow, Arbat")
    context.close()

    # An employee's home has no store board (and never loads it).
    employee = new_context(browser, plaza, "employee")
    page = employee.new_page()
    page.goto("/feed")
    expect(page.get_by_role("feed")).to_be_visible()
    expect(page.get_by_test_id("store-board")).to_have_count(0)
    employee.close()

    phone = new_context(browser, plaza, "director", locale="ru", viewport=PHONE)
    page = phone.new_page()
    page.goto("/feed")
    card = page.get_by_test_id("store-board")
    expect(card.get_by_role("heading", level=2)).to_have_text("Рейтинг моего магазина")
    expect(card.get_by_role("heading", level=3)).to_have_text("Лучшие в магазине за неделю")
    assert sideways_overflow(page) == 0
    assert serious_axe_violations(page) == []
    screenshot(page, "home-director-phone-ru")
    phone.close()


def plaza_client(plaza: Plaza, who: str) -> httpx.Client:
    return plaza.api(who)


def test_kudos_from_a_profile_with_points_and_under_a_post(browser: Browser, plaza: Plaza) -> None:
    director = plaza.api("director")
    employee = plaza.api("employee")
    elena = _me(employee)
    before = director.get("/api/me/allowance").json()
    assert before["left"] >= 5

    context = new_context(browser, plaza, "director")
    page = context.new_page()
    page.goto(f"/people/{elena['id']}")
    # The profile's own button (her posts below have one each too).
    page.get_by_role("button", name=f"Thank {elena['name']}").first.click()
    dialog = page.get_by_test_id("kudos-dialog")
    expect(dialog.get_by_role("heading", name=f"Thank {elena['name']}")).to_be_visible()
    expect(dialog.get_by_test_id("kudos-allowance")).to_have_text(
        f"{before['left']} of {before['monthly']} points left this month."
    )
    # Nothing typed: the dialog says why and sends nothing.
    dialog.get_by_role("button", name="Send thanks").click()
    expect(dialog.get_by_role("alert")).to_have_text("Write a few words of thanks first.")
    marker = f"Thanks {uuid.uuid4().hex[:8]}"
    dialog.get_by_label("Why you thank them").fill(f"{marker}: the best window display in town")
    points = dialog.get_by_label("Points from your allowance (optional)")
    points.fill(str(before["left"] + 1))
    dialog.get_by_role("button", name="Send thanks").click()
    expect(dialog.get_by_role("alert")).to_have_text(
        f"Only {before['left']} points are left in your allowance this month."
    )
    expect(dialog.get_by_label("Why you thank them")).to_have_value(
        re.compile(re.escape(marker))
    )  # what was typed stays
    points.fill("5")
    assert serious_axe_violations(page) == []
    screenshot(page, "kudos-profile-desktop-en")
    dialog.get_by_role("button", name="Send thanks").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Thanks and 5 points sent")).to_contain_text(
        str(elena["name"])
    )
    assert director.get("/api/me/allowance").json()["left"] == before["left"] - 5
    # The thanks is a kudos post to her (in the feed, where colleagues see it).
    post = next(p for p in director.get("/api/feed").json()["items"] if marker in p["body"])
    assert post["kind"] == "kudos" and post["kudos_to"]["id"] == elena["id"]
    context.close()

    # An employee thanks the author of a post from under it (no allowance to give).
    phone = new_context(browser, plaza, "employee", viewport=PHONE)
    page = phone.new_page()
    page.goto("/feed")
    expect(page.get_by_role("feed")).to_be_visible()
    card = page.locator("article[data-post-id]").filter(has=page.get_by_test_id("kudos-button"))
    button = card.first.get_by_test_id("kudos-button")
    author = re.sub(r"^Thank ", "", button.get_attribute("aria-label") or "")
    assert author and author != elena["name"]
    button.click()
    dialog = page.get_by_test_id("kudos-dialog")
    expect(dialog.get_by_label("Points from your allowance (optional)")).to_have_count(0)
    marker = f"Thanks {uuid.uuid4().hex[:8]}"
    dialog.get_by_label("Why you thank them").fill(f"{marker}: a post that helped me today")
    assert sideways_overflow(page) == 0
    screenshot(page, "kudos-post-phone-en")
    dialog.get_by_role("button", name="Send thanks").click()
    expect(dialog).to_have_count(0)
    expect(card.first.get_by_role("status")).to_have_text(f"Thanks to {author} posted.")
    mine = [p for p in employee.get("/api/feed").json()["items"] if marker in p["body"]]
    assert mine and mine[0]["kudos_to"]["name"] == author
    # No thanks to oneself: my own posts have no button.
    own = page.locator("article[data-post-id]", has_text=marker)
    expect(own).to_be_visible()
    expect(own.get_by_test_id("kudos-button")).to_have_count(0)
    phone.close()
