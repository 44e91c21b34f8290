"""The comms team's rule editor as they use it: a mistake typed into the rules shows as a
marker on its line and in the problems list, the fix clears it, the file's tests run, a
dry run reports per rule and per person (and downloads as CSV), publishing with a message
shows in the history, a diff compares versions and an earlier version goes live again.
An employee sees neither the entry nor the screen (the API refuses them)."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import (
    PHONE,
    Plaza,
    check_screens,
    english_on,
    new_context,
    screenshot,
    serious_axe_violations,
)


def _editor(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("textbox", name="Ruleset YAML")


def _open(page: Page) -> None:
    page.goto("/admin/rules")
    expect(page.get_by_role("heading", name="Gamification rules", level=1)).to_be_visible()
    expect(page.get_by_test_id("check-status")).to_contain_text("No problems found")


def test_comms_edits_checks_tests_dry_runs_publishes_and_rolls_back(
    browser: Browser, plaza: Plaza
) -> None:
    api = plaza.api("comms")
    before = api.get("/api/rulesets/live").json()
    # The cursor goes after the file's last line break: the mistake is on this line.
    mistake_line = before["text"].count("\n") + 1

    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    _open(page)
    # The entry is in the navigation for the comms team.
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Workspace")
    ).to_be_visible()

    editor = _editor(page)
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("bogus_key: 1")

    # The checker runs as they type: a marker on the word and the problem in the list.
    status = page.get_by_test_id("check-status")
    expect(status).to_contain_text("1 problem")
    expect(page.locator(".cm-lintRange-error")).to_have_text("bogus_key")
    problem = page.get_by_test_id("problems").get_by_role("button")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text(f"Line {mistake_line}, column 1")
    expect(problem).to_contain_text("unknown key 'bogus_key'")

    # Nothing typed is lost: a reload brings the text back.
    page.reload()
    expect(page.get_by_text("Your unsaved changes were restored.")).to_be_visible()
    expect(status).to_contain_text("1 problem")

    # Clicking the problem puts the cursor on its line; the fix replaces that line.
    page.get_by_test_id("problems").get_by_role("button").click()
    expect(page.locator(".cm-activeLine")).to_have_text("bogus_key: 1")
    marker = f"# checked by the e2e test {uuid.uuid4().hex[:8]}"
    page.keyboard.press("Shift+End")
    page.keyboard.type(marker)
    expect(status).to_contain_text("No problems found")
    expect(page.locator(".cm-lintRange-error")).to_have_count(0)

    # Tests: every case of the file with expected against actual.
    page.get_by_role("button", name="Run tests").click()
    report = page.get_by_test_id("test-report")
    expect(report).to_contain_text("All tests passed")
    expect(report.get_by_role("columnheader", name="Expected").first).to_be_visible()
    expect(report.get_by_role("cell", name="Passed").first).to_be_visible()

    # Dry run over the last week: per-rule table, people, stores, and a CSV of the same.
    page.get_by_role("spinbutton", name="Days").fill("7")
    page.get_by_role("button", name="Dry run").click()
    dry = page.get_by_test_id("dry-report")
    expect(dry).to_contain_text("Awards per rule")
    expect(dry.get_by_role("cell", name="quality_post")).to_be_visible()
    expect(dry).to_contain_text("People whose totals move most")
    dry.scroll_into_view_if_needed()
    screenshot(page, "rules-report-desktop-en")
    assert serious_axe_violations(page) == []
    with page.expect_download() as download_info:
        dry.get_by_role("button", name="Download CSV").click()
    csv = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert (
        "Awards per rule" in csv
        and "quality_post" in csv
        and "Stores whose totals move most" in csv
    )

    # Publish with a message: it goes live, and the history says who and why.
    message = f"e2e publish {uuid.uuid4().hex[:8]}"
    page.get_by_label("What changed").fill(message)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status").filter(has_text="is live")).to_be_visible()
    live = api.get("/api/rulesets/live").json()
    assert marker in live["text"] and live["id"] != before["id"]

    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="Rules history")).to_be_visible()
    newest = page.get_by_test_id("publications").get_by_role("listitem").first
    expect(newest).to_contain_text(message)
    expect(newest).to_contain_text(f"published version {live['id']}")
    expect(newest).to_contain_text("Konstantin Comms")

    # The diff of the previous version and the new one shows the added line.
    page.get_by_label("From").select_option(str(before["id"]))
    page.get_by_label("To").select_option(str(live["id"]))
    page.get_by_role("button", name="Show differences").click()
    expect(page.get_by_test_id("diff")).to_contain_text("+" + marker)
    screenshot(page, "rules-diff-desktop-en")

    # Roll back: the earlier version goes live again (and the demo's rules are as before).
    page.get_by_role("button", name=f"Publish again: Version {before['id']}").click()
    expect(page.get_by_text(f"Version {before['id']} is live again.")).to_be_visible()
    expect(page.get_by_test_id("publications").get_by_role("listitem").first).to_contain_text(
        f"rolled back to version {before['id']}"
    )
    assert api.get("/api/rulesets/live").json()["id"] == before["id"]
    context.close()


def test_problems_block_publishing_and_f8_moves_to_the_next(browser: Browser, plaza: Plaza) -> None:
    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    page.add_init_script("localStorage.removeItem('plaza.rules.unsaved')")
    _open(page)
    _editor(page).click()
    page.keyboard.press("Control+Home")
    page.keyboard.type("first_bad: 1\nsecond_bad: 2\n")
    expect(page.get_by_test_id("check-status")).to_contain_text("2 problems")
    page.keyboard.press("Control+End")
    page.keyboard.press("F8")
    expect(page.locator(".cm-activeLine")).to_have_text("first_bad: 1")
    page.keyboard.press("F8")
    expect(page.locator(".cm-activeLine")).to_have_text("second_bad: 2")

    live_before = plaza.api("comms").get("/api/rulesets/live").json()["id"]
    page.get_by_label("What changed").fill("should not go live")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert")).to_have_text("Fix the problems first.")
    assert plaza.api("comms").get("/api/rulesets/live").json()["id"] == live_before
    # What they typed is still there, message included.
    expect(page.get_by_label("What changed")).to_have_value("should not go live")

    # Shift+F8 goes back to the previous problem.
    page.locator(".cm-content").focus()
    expect(page.locator(".cm-activeLine")).to_have_text("second_bad: 2")
    page.keyboard.press("Shift+F8")
    expect(page.locator(".cm-activeLine")).to_have_text("first_bad: 1")
    context.close()


def _word_box(page: Page, word: str) -> dict[str, float]:
    """Where a word of the editor's text is on the screen (its first occurrence)."""
    box = page.evaluate(
        """(word) => {
            const walker = document.createTreeWalker(document.querySelector('.cm-content'), NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.textContent.indexOf(word);
                if (at === -1) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + word.length);
                const r = range.getBoundingClientRect();
                return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
            }
            return null;
        }""",
        word,
    )
    assert box is not None, word
    return box


def test_completion_and_hover_help_come_from_the_language(browser: Browser, plaza: Plaza) -> None:
    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    page.add_init_script("localStorage.removeItem('plaza.rules.unsaved')")
    _open(page)
    _editor(page).click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(
        "version: 1\nrules:\n  - id: thanks\n    event: kudos.given\n    when: "
    )
    # In a condition: the fields of the rule's own event type, not another's.
    page.keyboard.type("event.re")
    offers = page.get_by_role("listbox")
    expect(offers.get_by_role("option", name="recipient_id")).to_be_visible()
    expect(offers.get_by_role("option", name="body_length")).to_have_count(0)
    page.wait_for_timeout(300)  # a completion just opened ignores Enter for a moment
    page.keyboard.press("Enter")
    expect(page.locator(".cm-activeLine")).to_have_text("    when: event.recipient_id")
    page.keyboard.type(" != event.actor")
    # The keys of a rule on the next line (and never a top-level key there).
    page.keyboard.insert_text("\n    ")
    page.keyboard.type("aw")
    expect(offers.get_by_role("option", name="award")).to_be_visible()
    expect(offers.get_by_role("option", name="version")).to_have_count(0)
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    page.keyboard.type("{poi")
    expect(offers.get_by_role("option", name="points")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.type("nts: 2}")
    expect(page.get_by_test_id("check-status")).to_contain_text("No problems found")

    # Pointing at an event type explains its fields; at a key, what it is for.
    spot = _word_box(page, "kudos.given")
    page.mouse.move(spot["x"], spot["y"])
    help_box = page.locator(".cm-help")
    expect(help_box).to_contain_text("recipient_id str")
    page.mouse.move(0, 0)
    expect(help_box).to_have_count(0)
    spot = _word_box(page, "when")
    page.mouse.move(spot["x"], spot["y"])
    expect(help_box).to_contain_text("CEL condition")
    screenshot(page, "rules-hover-desktop-en")
    context.close()


def test_hover_help_is_in_russian_in_the_russian_ui(browser: Browser, plaza: Plaza) -> None:
    context = new_context(browser, plaza, "comms", locale="ru")
    page = context.new_page()
    page.add_init_script("localStorage.removeItem('plaza.rules.unsaved')")
    try:
        page.goto("/admin/rules")
        expect(page.get_by_test_id("check-status")).to_contain_text("Ошибок не найдено")
        editor = page.get_by_role("textbox", name="YAML правил")
        editor.click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(
            "version: 1\nrules:\n  - id: thanks\n    event: kudos.given\n"
            "    when: size(string(event.message_length)) > 1\n    award: {points: 2}\n"
        )
        help_box = page.locator(".cm-help")
        spot = _word_box(page, "when")
        page.mouse.move(spot["x"], spot["y"])
        expect(help_box).to_contain_text("условие CEL над event, actor и subject")
        assert english_on(page) == []
        page.mouse.move(0, 0)
        expect(help_box).to_have_count(0)
        spot = _word_box(page, "id")
        page.mouse.move(spot["x"], spot["y"])
        expect(help_box).to_contain_text("(обязательный)")
        expect(help_box).to_contain_text("уникальное имя")
        screenshot(page, "rules-hover-desktop-ru")
        page.mouse.move(0, 0)
        spot = _word_box(page, "size")
        page.mouse.move(spot["x"], spot["y"])
        expect(help_box).to_contain_text("длина строки или списка")
        assert "length of a string" not in help_box.inner_text()
    finally:
        context.close()


def test_a_typed_rule_goes_live_and_the_employee_earns_by_it(
    browser: Browser, plaza: Plaza
) -> None:
    """The issue's life cycle: a rule typed with a mistake, the marker on its line, the fix,
    the tests, a dry run's report, publishing; the employee's next post earns by the new rule
    and the wallet names the new version."""
    api = plaza.api("comms")
    before = api.get("/api/rulesets/live").json()
    tag = uuid.uuid4().hex[:6]
    rules_line = before["text"].split("\n").index("rules:") + 1
    rule = (
        f"\n  - id: e2e_bonus_{tag}"
        f"\n    title: {{en: E2E bonus {tag}, ru: Бонус {tag}}}"
        "\n    event: post.created"
        # Only real employees: the file's own tests (people without a profile) stay as they are.
        '\n    when: event.body_lenght >= 1 && actor.role == "employee"'
        "\n    award: {points: 3}"
    )
    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    page.add_init_script("localStorage.removeItem('plaza.rules.unsaved')")
    try:
        _open(page)
        # At the end of the `rules:` line (long lines wrap, so a click, not arrow keys).
        page.locator(".cm-line").filter(has_text=re.compile(r"^rules:$")).click()
        page.keyboard.press("End")
        expect(page.locator(".cm-activeLine")).to_have_text("rules:")
        page.keyboard.insert_text(rule)

        # The mistake is marked on its own line and column.
        status = page.get_by_test_id("check-status")
        expect(status).to_contain_text("1 problem")
        expect(page.locator(".cm-lintRange-error")).to_have_text("body_lenght")
        problem = page.get_by_test_id("problems").get_by_role("button")
        expect(problem).to_contain_text(f"Line {rules_line + 4}, column 17")
        expect(problem).to_contain_text("has no field 'body_lenght'")
        problem.click()
        page.keyboard.press("Shift+End")
        page.keyboard.type('body_length >= 1 && actor.role == "employee"')
        expect(status).to_contain_text("No problems found")

        page.get_by_role("button", name="Run tests").click()
        expect(page.get_by_test_id("test-report")).to_contain_text("All tests passed")

        page.get_by_role("spinbutton", name="Days").fill("7")
        page.get_by_role("button", name="Dry run").click()
        dry = page.get_by_test_id("dry-report")
        expect(dry.get_by_role("cell", name=f"e2e_bonus_{tag}")).to_be_visible(timeout=30_000)
        expect(dry.get_by_test_id("prize-cost")).to_contain_text("Prize cost of the spins")
        expect(dry).to_contain_text("Stores whose totals move most")
        expect(dry.get_by_test_id("dry-chart")).to_be_visible()
        expect(dry.get_by_test_id("dry-chart").locator("svg").first).to_be_visible()
        dry.get_by_test_id("dry-chart").scroll_into_view_if_needed()
        screenshot(page, "rules-chart-desktop-en")
        assert serious_axe_violations(page) == []

        page.get_by_label("What changed").fill(f"bonus {tag}")
        page.get_by_role("button", name="Publish").click()
        expect(page.get_by_role("status").filter(has_text="is live")).to_be_visible()
        live = api.get("/api/rulesets/live").json()
        assert f"e2e_bonus_{tag}" in live["text"]

        # The demo employee's next post earns by the new rule, and the wallet says which.
        posted = plaza.api("employee").post("/api/posts", json={"body": f"Bonus post {tag}"})
        assert posted.status_code == 201, posted.text
        employee = new_context(browser, plaza, "employee")
        wallet = employee.new_page()
        wallet.goto("/wallet")
        entry = (
            wallet.get_by_test_id("history")
            .get_by_role("listitem")
            .filter(has_text=f"E2E bonus {tag}")
        )
        for _ in range(20):
            if entry.count():
                break
            wallet.wait_for_timeout(1000)
            wallet.reload()
        expect(entry).to_contain_text(f"ruleset v{live['id']}")
        expect(entry).to_contain_text("+3")
        employee.close()
    finally:
        # Leave the shared demo with the rules it had.
        api.post(f"/api/rulesets/{before['id']}/publish", json={"message": "e2e: back"})
        context.close()


def test_the_wheel_editor_checks_publishes_and_brings_back(browser: Browser, plaza: Plaza) -> None:
    api = plaza.api("comms")
    before = api.get("/api/admin/wheel").json()
    tag = uuid.uuid4().hex[:6]
    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    try:
        page.goto("/admin")
        page.get_by_role("link", name="Wheel", exact=True).click()
        expect(page.get_by_role("heading", name="Wheel of fortune", level=1)).to_be_visible()
        status = page.get_by_test_id("check-status")
        expect(status).to_contain_text("No problems found")
        expect(page.get_by_test_id("spin-value")).to_contain_text("one spin costs")

        editor = page.get_by_role("textbox", name="Wheel file YAML")
        editor.click()
        page.keyboard.press("Control+End")
        page.keyboard.insert_text(f"\n  - {{id: e2e_{tag}, weight: 1, prize: cup}}")
        line = (
            page.locator(".cm-lineNumbers .cm-activeLineGutter").inner_text().strip()
        )  # where it went
        expect(status).to_contain_text("1 problem")
        problem = page.get_by_test_id("problems").get_by_role("button")
        expect(problem).to_contain_text(f"Line {line}")
        expect(problem).to_contain_text("undefined prize 'cup'")
        expect(page.get_by_test_id("spin-value")).to_have_count(0)

        page.keyboard.press("Control+z")
        page.keyboard.insert_text(f"\n  - {{id: e2e_{tag}, weight: 1, points: 7}}")
        expect(status).to_contain_text("No problems found")
        page.get_by_label("What changed").fill(f"wheel {tag}")
        page.get_by_role("button", name="Publish").click()
        expect(page.get_by_role("status").filter(has_text="is live")).to_be_visible()
        assert any(s["id"] == f"e2e_{tag}" for s in api.get("/api/wheel").json()["segments"])

        page.get_by_role("link", name="History").click()
        expect(page.get_by_role("heading", name="Wheel history")).to_be_visible()
        newest = page.get_by_test_id("publications").get_by_role("listitem").first
        expect(newest).to_contain_text(f"wheel {tag}")
        expect(newest).to_contain_text("Konstantin Comms")
        expect(newest).to_contain_text("Live")
        page.get_by_label("From").select_option(str(before["id"]))
        page.get_by_role("button", name="Show differences").click()
        expect(page.get_by_test_id("diff")).to_contain_text(f"+  - {{id: e2e_{tag}")
        screenshot(page, "admin-wheel-history-diff-desktop-en")

        page.get_by_role("button", name=f"Publish again: Version {before['id']}").click()
        expect(page.get_by_text(f"Wheel version {before['id']} is live again.")).to_be_visible()
        assert api.get("/api/admin/wheel").json()["id"] == before["id"]
    finally:
        if api.get("/api/admin/wheel").json()["id"] != before["id"]:
            api.post(f"/api/admin/wheel/versions/{before['id']}/publish", json={"message": ""})
        context.close()


def test_an_employee_has_no_entry_and_the_screen_is_not_found(
    browser: Browser, plaza: Plaza
) -> None:
    assert plaza.api("employee").get("/api/rulesets/live").status_code == 403
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/feed")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Feed")).to_be_visible()
    expect(nav.get_by_role("link", name="Workspace")).to_have_count(0)
    page.goto("/admin/rules")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_role("textbox", name="Ruleset YAML")).to_have_count(0)
    context.close()


def test_the_editor_passes_axe_and_fits_a_phone(browser: Browser, plaza: Plaza) -> None:
    screens = {
        "rules": "/admin/rules",
        "rules-history": "/admin/rules/history",
        "admin-wheel": "/admin/wheel",
        "admin-wheel-history": "/admin/wheel/history",
    }

    def ready(page: Page, name: str) -> None:
        if name in ("rules", "admin-wheel"):
            expect(page.locator(".cm-content")).to_be_visible()

    problems = check_screens(
        browser, plaza, "comms", screens, ready=ready,
        init_script="localStorage.removeItem('plaza.rules.unsaved')",
    )  # fmt: skip
    # The editor's actions on a phone, scrolled to (the README shows them).
    with new_context(browser, plaza, "comms", locale="ru", viewport=PHONE) as context:
        page = context.new_page()
        page.add_init_script("localStorage.removeItem('plaza.rules.unsaved')")
        page.goto("/admin/rules")
        expect(page.locator(".cm-content")).to_be_visible()
        page.get_by_role("button", name="Опубликовать").scroll_into_view_if_needed()
        screenshot(page, "rules-actions-phone-ru")
    assert problems == {}


def test_text_begun_on_other_live_rules_comes_back_with_a_warning(
    browser: Browser, plaza: Plaza
) -> None:
    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    mine = "version: 1\nrules: []\n# my half-finished idea\n"
    unsaved = json.dumps({"base": "0" * 64, "text": mine})
    page.add_init_script(f"localStorage.setItem('plaza.rules.unsaved', {json.dumps(unsaved)})")
    page.goto("/admin/rules")
    expect(page.get_by_text("The live rules changed since you began")).to_be_visible()
    expect(_editor(page)).to_contain_text("# my half-finished idea")
    expect(page.get_by_test_id("check-status")).to_contain_text("No problems found")
    context.close()
