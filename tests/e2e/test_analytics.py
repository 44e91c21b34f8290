"""The analytics dashboard in the browser: the demo company's activity, a change of period,
a goal and its progress, the CSV equal to the table; employees are refused everywhere."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import (
    SCREENSHOTS,
    Plaza,
    check_screens,
    new_context,
    screenshot,
)


def test_comms_reads_the_dashboard_changes_the_period_and_sets_a_goal(
    browser: Browser, plaza: Plaza
) -> None:
    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    page.goto("/feed")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Workspace").click()
    page.get_by_role("navigation", name="Workspace sections").get_by_role(
        "link", name="Analytics"
    ).click()
    expect(page.get_by_role("heading", name="Analytics", level=1)).to_be_visible()

    # The demo company has two months of visits: people were active.
    active = page.locator('[data-metric="active"] .figure-value')
    expect(active).not_to_have_text("0")
    thirty = active.inner_text()
    expect(page.get_by_test_id("rolled")).to_contain_text("Rolled up until")
    # The chart is drawn (its code loads lazily) with a text alternative.
    expect(page.get_by_role("img", name="Daily active people by day")).to_be_visible()
    expect(page.locator(".trend svg path").first).to_be_attached()

    # Another period: the figures follow.
    page.get_by_role("button", name="Last 7 days").click()
    expect(page.get_by_role("button", name="Last 7 days")).to_have_attribute("aria-pressed", "true")
    api = plaza.api("comms")
    today = date.fromisoformat(
        api.get("/api/analytics/summary", params={"from": "2026-01-01", "to": "2026-01-01"}).json()[
            "rolled_until"
        ]
    )
    week = {"from": str(today - timedelta(days=6)), "to": str(today)}
    expected = api.get("/api/analytics/summary", params=week).json()["current"]["values"]["active"]
    expect(active).to_have_text(f"{expected:g}".replace(".0", ""))
    assert thirty  # the 30-day figure was shown before

    # The breakdown by store: a row per store with enough people, and its CSV says the same.
    table = page.get_by_role("region", name="Breakdown").get_by_role("table")
    expect(table.get_by_role("row").nth(1)).to_be_visible()
    shown = [r.inner_text().split("\t")[0] for r in table.locator("tbody tr").all()]
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    data = download.value.path().read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    names = [r[0] for r in rows[1:]]
    assert sorted(n if n != "~others" else "Others (small groups merged)" for n in names) == sorted(
        s.strip() for s in shown
    )

    # Rewards of the week: kudos given, by how many people a day, and to how many.
    rewards = api.get("/api/analytics/rewards", params=week).json()["totals"]
    section = page.locator('section[aria-labelledby="rewards-title"]')
    for metric in ("kudos", "kudos_givers", "kudos_receivers", "earners"):
        expect(section.locator(f'[data-reward="{metric}"] .figure-value')).to_have_text(
            f"{rewards.get(metric, 0):,}"
        )
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(SCREENSHOTS / "analytics-rewards-desktop-en.png"))

    # The most read posts: sorted by a click on a column, and downloaded as CSV with the
    # same posts.
    posts = page.get_by_role("region", name="Most read posts").get_by_role("table")
    expect(posts.locator("tbody tr").first).to_be_visible()
    by_viewers = posts.get_by_role("columnheader", name="Saw it")
    expect(by_viewers).to_have_attribute("aria-sort", "descending")

    def column(index: int) -> list[str]:
        return [
            r.locator("th, td").nth(index).inner_text() for r in posts.locator("tbody tr").all()
        ]

    posts.get_by_role("button", name="Sort by Reactions").click()
    expect(posts.get_by_role("columnheader", name="Reactions")).to_have_attribute(
        "aria-sort", "descending"
    )
    reactions = [int(v.replace(",", "")) for v in column(4)]
    assert reactions == sorted(reactions, reverse=True)
    content = page.locator('section[aria-labelledby="content-title"]')
    content.scroll_into_view_if_needed()
    content.screenshot(path=str(SCREENSHOTS / "analytics-content-desktop-en.png"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Most read posts” as CSV").click()
    data = download.value.path().read_bytes()
    assert data.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0][:2] == ["id", "excerpt"]
    assert sorted(r[1] or "—" for r in lines[1:]) == sorted(
        t.split("·")[0].strip() for t in column(0)
    )

    # A goal: set, shown with its progress, removed.
    page.get_by_label("Figure", exact=True).select_option("views")
    page.get_by_label("Per", exact=True).select_option("month")
    page.get_by_label("Target").fill("1000")
    page.get_by_role("button", name="Set the goal").click()
    expect(page.get_by_text("Goal saved.")).to_be_visible()
    goal = page.get_by_test_id("goal").filter(has_text="Post views · month")
    expect(goal).to_contain_text("of 1,000")
    expect(goal.locator("progress")).to_have_attribute("max", "1000")
    screenshot(page, "analytics-goal-desktop-en")
    goal.get_by_role("button", name="Remove the goal for Post views per month").click()
    expect(page.get_by_text("Goal removed.")).to_be_visible()
    expect(goal).to_have_count(0)

    # The monthly report prints the month against the one before.
    page.get_by_role("link", name="Monthly report").click()
    expect(page.get_by_role("heading", name="Community report for", level=1)).to_be_visible()
    expect(page.get_by_role("row", name="Daily active people").first).to_contain_text(
        "Daily active people"
    )
    expect(page.get_by_role("heading", name="By store")).to_be_visible()
    context.close()


def test_an_employee_is_refused_everywhere(browser: Browser, plaza: Plaza) -> None:
    api = plaza.api("employee")
    period = {"from": "2026-11-01", "to": "2026-11-30"}
    for path in ("summary", "series", "breakdown", "breakdown.csv", "goals"):
        assert api.get(f"/api/analytics/{path}", params=period).status_code == 403, path
    goal = {"metric": "views", "period": "month", "target": 5}
    assert api.put("/api/analytics/goals", json=goal).status_code == 403
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/feed")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Workspace")
    ).to_have_count(0)
    page.goto("/admin/analytics")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    context.close()


def test_the_dashboard_passes_axe_fits_a_phone_and_speaks_russian(
    browser: Browser, plaza: Plaza
) -> None:
    screens = {"analytics": "/admin/analytics", "analytics-report": "/admin/analytics/report"}

    def ready(page: Page, name: str) -> None:
        expect(page.locator("table").first).to_be_visible()

    problems = check_screens(browser, plaza, "comms", screens, ready=ready)
    assert problems == {}
