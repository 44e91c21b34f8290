"""Contests as people use them: stores compete in a contest the comms team publishes in the
ruleset; a second browser's standings move live when an employee of another store posts;
the contest closes and the winners' wallets show the prize with its explanation; the
director's home shows the store's place; the comms team's dry run in the workspace."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
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


def _online(page: Page) -> None:
    expect(page.locator(".shell[data-live=online]")).to_be_attached()


def _someone_elsewhere() -> str:
    """A demo employee of another store than the demo employee's (Moscow, Arbat) whom no
    other test signs in as: the login name `new_context` takes."""
    rows = [r for r in demo_rows() if r["store_code"] not in ("msk-2", "", None)]
    rows = [r for r in rows if r["role"] == "employee"]
    return rows[-1]["email"].split("@")[0]


def _contest_yaml(contest_id: str, starts: datetime, ends: datetime, tag: str) -> str:
    fmt = "%Y-%m-%dT%H:%M:%S"
    return (
        f"\n  - id: {contest_id}"
        f"\n    title: {{en: Store race {tag}, ru: Гонка магазинов {tag}}}"
        f"\n    description: {{en: 'Who posts most wins.', ru: 'Побеждает тот, кто больше пишет.'}}"
        f"\n    starts: {starts.strftime(fmt)}"
        f"\n    ends: {ends.strftime(fmt)}"
        "\n    grace: 0h"
        "\n    participants: store"
        "\n    score: {count: post.created}"
        "\n    winners: {top: 1}"
        "\n    prizes:"
        "\n      - {place: 1, award: {points: 77, item: coffee_voucher}}"
        "\n    announce: true"
    )


def _with_contest(text: str, item: str) -> str:
    lines = text.rstrip("\n").split("\n")
    if "contests:" in lines:
        at = lines.index("contests:") + 1
        return "\n".join([*lines[:at], *item.lstrip("\n").split("\n"), *lines[at:]]) + "\n"
    return text.rstrip("\n") + "\ncontests:" + item + "\n"


@pytest.fixture
def race(browser: Browser, plaza: Plaza) -> Iterator[dict[str, str]]:
    """A store contest the comms team publishes in the rule editor, in the browser: it
    starts now and ends 90 seconds from now with no grace; the rules as they were
    afterwards."""
    comms = plaza.api("comms")
    before = comms.get("/api/rulesets/live").json()
    zone = ZoneInfo(comms.get("/api/scheduled").json()["timezone"])
    now = datetime.now(UTC).astimezone(zone).replace(tzinfo=None)
    tag = uuid.uuid4().hex[:6]
    contest_id = f"e2e_race_{tag}"
    # From now: posts other tests made a moment ago do not count.
    item = _contest_yaml(contest_id, now - timedelta(seconds=2), now + timedelta(seconds=90), tag)
    _publish_in_the_editor(browser, plaza, _with_contest(before["text"], item), tag)
    try:
        yield {"id": contest_id, "title": f"Store race {tag}", "tag": tag}
    finally:
        comms.post(f"/api/rulesets/{before['id']}/publish", json={"message": "e2e: back"})


def _publish_in_the_editor(browser: Browser, plaza: Plaza, text: str, tag: str) -> None:
    """The comms user pastes the file with the new contest into the rule editor, sees it
    checked, publishes it, and finds it under way in the workspace's contests."""
    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    page.goto("/admin/rules")
    status = page.get_by_test_id("check-status")
    expect(status).to_contain_text("No problems found")
    page.get_by_role("textbox", name="Ruleset YAML").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)
    expect(status).to_contain_text("No problems found")
    page.get_by_label("What changed").fill(f"e2e race {tag}")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status").filter(has_text="is live")).to_be_visible()
    page.goto("/admin/contests")
    listed = page.locator(f"li[data-contest=e2e_race_{tag}][data-source=live]")
    expect(listed).to_contain_text(f"Store race {tag}")
    context.close()


def _post(api: httpx.Client, body: str) -> None:
    made = api.post("/api/posts", json={"body": body})
    assert made.status_code == 201, made.text


def _wait_final(api: httpx.Client, contest_id: str, seconds: float = 200) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        contest = api.get(f"/api/contests/{contest_id}").json()
        if contest["status"] == "final" and contest.get("winners"):
            return dict(contest)
        time.sleep(2)
    raise AssertionError(f"{contest_id} did not close")


def test_stores_compete_live_then_the_winners_get_the_prize(
    browser: Browser, plaza: Plaza, race: dict[str, str]
) -> None:
    employee = plaza.api("employee")
    rival_login = _someone_elsewhere()
    rival = plaza.api(rival_login)
    _post(employee, f"Our store is in the race {race['tag']}")

    # The employee's browser: the list, then the contest with the store's place.
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/contests")
    card = page.locator(f"article[data-contest={race['id']}]")
    expect(card).to_contain_text(race["title"])
    expect(card).to_contain_text("Stores compete")
    expect(card.get_by_test_id("contest-mine")).to_contain_text(
        re.compile(r"Your store\s*1st of \d+")
    )
    expect(card).to_contain_text("Ends in")
    card.get_by_role("link", name=race["title"]).click()
    expect(page.get_by_role("heading", level=1, name=race["title"])).to_be_visible()
    expect(page.get_by_test_id("contest-rules").get_by_role("listitem").first).to_be_visible()
    expect(page.get_by_test_id("contest-prizes")).to_contain_text("77")
    expect(page.get_by_test_id("contest-prizes")).to_contain_text(
        "the shop item “A coffee voucher”"
    )
    standings = page.get_by_test_id("standings")
    mine = standings.locator("li.me")
    expect(mine).to_contain_text("Moscow, Arbat")
    expect(mine).to_contain_text("(you)")
    _online(page)

    # Another store's employee posts twice: this browser's standings move without a reload.
    for n in range(2):
        _post(rival, f"Our store will win {race['tag']} #{n}")
    first = standings.get_by_role("listitem").first
    expect(first).not_to_contain_text("Moscow, Arbat", timeout=15_000)
    expect(page.get_by_test_id("contest-my-place")).to_contain_text("2nd of", timeout=15_000)
    expect(page.get_by_test_id("contest-announce")).to_contain_text("Your store: now 2nd of")
    screenshot(page, "contest-live-desktop-en")
    assert serious_axe_violations(page) == []

    # The close: the page turns to the final results by itself, with the winner.
    rival_me = rival.get("/api/me").json()
    final = _wait_final(employee, race["id"])
    winners = final["winners"]
    assert (
        isinstance(winners, list) and winners[0]["participant"]["name"] == rival_me["store"]["name"]
    )
    expect(page.get_by_test_id("contest-winners")).to_contain_text(
        rival_me["store"]["name"], timeout=15_000
    )
    expect(page.locator("main [data-status=final]")).to_be_visible()
    context.close()

    # The winning store's employee sees the prize in the wallet, saying why.
    winner = new_context(browser, plaza, rival_login)
    wallet = winner.new_page()
    wallet.goto("/wallet")
    entry = wallet.get_by_test_id("history").get_by_role("listitem").filter(has_text="+77")
    for _ in range(15):
        if entry.count():
            break
        wallet.wait_for_timeout(1000)
        wallet.reload()
    expect(entry.first).to_contain_text(
        re.compile(rf"1st of \d+ stores? in the contest .{race['title']}.")
    )
    # ... and the shop item among their rewards in the shop, saying which contest gave it.
    shop = winner.new_page()
    shop.goto("/shop")
    voucher = (
        shop.get_by_test_id("my-redemptions")
        .get_by_role("listitem")
        .filter(has_text="Contest prize: 1st of")
        .filter(has_text=race["title"])
    )
    expect(voucher).to_contain_text("A coffee voucher")
    expect(voucher).to_contain_text("Done")
    screenshot(shop, "shop-contest-prize-desktop-en")
    winner.close()

    # Past contests list it, with the winner.
    past = plaza.api("employee").get("/api/contests", params={"when": "past"}).json()["items"]
    assert any(c["id"] == race["id"] for c in past)


def test_the_director_sees_the_stores_place_on_the_home_page(
    browser: Browser, plaza: Plaza, race: dict[str, str]
) -> None:
    _post(plaza.api("director"), f"Arbat is racing {race['tag']}")
    context = new_context(browser, plaza, "director", viewport=PHONE)
    page = context.new_page()
    page.goto("/feed")
    card = page.get_by_test_id("store-contests")
    expect(card).to_contain_text(race["title"])
    expect(card.get_by_test_id("store-contest-place").first).to_contain_text(
        re.compile(r"\d+(st|nd|rd|th) of \d+")
    )
    assert sideways_overflow(page) == 0
    context.close()


def test_an_unknown_contest_is_not_found(browser: Browser, plaza: Plaza) -> None:
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/contests/no_such_contest_here")
    expect(page.get_by_role("heading", level=1)).to_contain_text("not found", ignore_case=True)
    context.close()


def test_comms_dry_run_in_the_workspace(
    browser: Browser, plaza: Plaza, race: dict[str, str]
) -> None:
    _post(plaza.api("employee"), f"A post for the dry run {race['tag']}")
    context = new_context(browser, plaza, "comms", viewport=PHONE)
    page = context.new_page()
    page.goto("/admin/contests")
    expect(page.get_by_role("heading", level=1, name="Contests")).to_be_visible()
    item = page.locator(f"li[data-contest={race['id']}][data-source=live]")
    expect(item).to_contain_text(race["title"])
    expect(item).to_contain_text("Prizes not settled")
    edit = item.get_by_role("link", name="Edit in the rule editor")
    expect(edit).to_have_attribute("href", f"/admin/rules?contest={race['id']}")

    item.get_by_role("button", name=f"Dry run: {race['title']}").click()
    expect(page.get_by_label("Contest", exact=True)).to_be_focused()
    expect(page.get_by_label("Contest", exact=True)).to_have_value(race["id"])
    # The window: today's events (the default is last month, when nobody had posted).
    today = datetime.now(UTC).date()
    page.get_by_label("From").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Until (not included)").fill((today + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Run the dry run").click()
    result = page.get_by_test_id("dry-result")
    expect(result).to_contain_text(f"If Store race {race['tag']} had run then", timeout=30_000)
    expect(result).to_contain_text("events read")
    expect(result.get_by_test_id("dry-prizes")).to_contain_text("77")
    expect(result.get_by_test_id("standings")).to_contain_text("Moscow, Arbat")
    screenshot(page, "contests-dry-run-phone-en")
    assert serious_axe_violations(page) == []
    assert sideways_overflow(page) == 0

    # An employee has no workspace: the server refuses, the app says not found.
    employee = new_context(browser, plaza, "employee")
    other = employee.new_page()
    other.goto("/admin/contests")
    expect(other.get_by_role("heading", level=1)).to_contain_text("not found", ignore_case=True)
    employee.close()
    context.close()
