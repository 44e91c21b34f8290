"""Moderation as people meet it: an employee reports a post from its menu, the moderator
hides it and warns the author from the queue, and the author is told; a comment with a
blocked word is refused with the rule named and the typed text kept; the watched-words
screen refuses a catastrophic regex (keeping what was typed) and its "test this text" box
shows what matches and why. Employees have no moderation screens."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.support import (
    PHONE,
    Plaza,
    new_context,
    screenshot,
    serious_axe_violations,
    sideways_overflow,
)


def _post(api: httpx.Client, body: str) -> dict[str, object]:
    response = api.post("/api/posts", json={"body": body})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _case_of(moderator: httpx.Client, post_id: object) -> dict[str, object] | None:
    for case in moderator.get("/api/moderation/queue").json()["items"]:
        if case["kind"] == "post" and case["target_id"] == post_id:
            return dict(case)
    return None


@pytest.fixture
def blocked_word(plaza: Plaza) -> Iterator[str]:
    """A watched word of this test's own (a made-up one: the server is shared)."""
    # Ends in a consonant the stemmer keeps ("…e" would stem to "…"): the test box names it.
    word = "glorpax" + uuid.uuid4().hex[:4] + "q"
    moderator = plaza.api("moderator")
    added = moderator.post(
        "/api/moderation/words", json={"pattern": word, "kind": "word", "action": "block"}
    )
    assert added.status_code == 201, added.text
    yield word
    moderator.delete(f"/api/moderation/words/{added.json()['id']}")


def test_a_report_is_handled_from_the_queue_and_the_author_sees_it(
    browser: Browser, plaza: Plaza
) -> None:
    author_api = plaza.api("director")
    moderator_api = plaza.api("moderator")
    marker = f"Unkind words about the night shift {uuid.uuid4().hex[:6]}"
    post = _post(author_api, marker)

    # An employee reports it from the post's menu.
    reporter = new_context(browser, plaza, "employee")
    page = reporter.new_page()
    page.goto(f"/posts/{post['id']}")
    page.get_by_role("button", name="Post actions").click()
    page.get_by_role("menuitem", name="Report").click()
    dialog = page.get_by_role("dialog", name="Report to the moderators")
    dialog.get_by_role("radio", name="Insulting or harassing").check()
    dialog.get_by_role("textbox", name="Details (optional)").fill("Mocks colleagues by name")
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="the moderators will look")).to_be_visible()
    case = _case_of(moderator_api, post["id"])
    assert case is not None and case["reports"][0]["reason"].endswith("Mocks colleagues by name")  # type: ignore[index]
    reporter.close()

    # The moderator hides it and warns the author from the queue.
    moderation = new_context(browser, plaza, "moderator")
    page = moderation.new_page()
    page.goto("/admin/moderation")
    expect(page.get_by_role("heading", name="Moderation queue", level=1)).to_be_visible()
    item = page.locator(f"[data-case-id='{case['id']}']")
    expect(item).to_contain_text(marker)
    expect(item).to_contain_text("Insulting or harassing: Mocks colleagues by name")
    item.get_by_role("textbox", name="Note to the author (optional)").fill("Please keep it kind")
    item.get_by_role("button", name="Warn the author").click()
    expect(item).to_contain_text("Warned")
    item.get_by_role("textbox", name="Note to the author (optional)").fill("Hidden: see the rules")
    item.get_by_role("button", name="Hide").click()
    expect(item).to_have_count(0)  # handled: out of the "to review" list
    page.get_by_role("button", name="Handled").click()
    expect(item.get_by_test_id("case-status")).to_have_text("Hidden")
    item.get_by_role("button", name="Earlier versions").click()
    expect(item).to_contain_text("No earlier versions")
    moderation.close()

    # Nobody else sees the post any more; the author is told, with the note.
    assert plaza.api("employee").get(f"/api/posts/{post['id']}").status_code == 404
    author = new_context(browser, plaza, "director")
    page = author.new_page()
    page.goto("/notifications")
    told = page.get_by_role("link", name=re.compile("A moderator hid your text"))
    expect(told.first).to_contain_text("Hidden: see the rules")
    expect(
        page.get_by_role("link", name=re.compile("A moderator warned you")).first
    ).to_contain_text("Please keep it kind")
    author.close()


def test_a_blocked_comment_keeps_the_draft_and_names_the_rule(
    browser: Browser, plaza: Plaza, blocked_word: str
) -> None:
    post = _post(plaza.api("director"), f"Weekend rota {uuid.uuid4().hex[:6]}")
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto(f"/posts/{post['id']}")
    field = page.get_by_role("textbox", name="Write a comment")
    typed = f"Honestly, these {blocked_word}s again? I worked two nights."
    field.fill(typed)
    page.get_by_role("button", name="Comment", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"watched word “{blocked_word}”")
    expect(alert).to_contain_text(f"“{blocked_word}s”")
    expect(field).to_have_value(typed)
    page.reload()
    expect(page.get_by_role("textbox", name="Write a comment")).to_have_value(typed)
    assert plaza.api("director").get(f"/api/posts/{post['id']}/comments").json()["items"] == []
    context.close()


def test_watched_words_refuse_a_dangerous_regex_and_test_a_text(
    browser: Browser, plaza: Plaza, blocked_word: str
) -> None:
    context = new_context(browser, plaza, "moderator", viewport=PHONE)
    page = context.new_page()
    page.goto("/admin/moderation/words")
    expect(page.get_by_role("heading", name="Watched words", level=1)).to_be_visible()
    expect(page.get_by_test_id("watched-words")).to_contain_text(blocked_word)

    pattern = page.get_by_role("textbox", name="Word, phrase, wildcard or expression")
    pattern.fill("(a+)+$")
    page.get_by_role("combobox", name="Type", exact=True).select_option("regex")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("alert")).to_contain_text("catastrophic backtracking")
    expect(pattern).to_have_value("(a+)+$")

    pattern.fill("night shift")
    page.get_by_role("combobox", name="Type", exact=True).select_option("phrase")
    page.get_by_role("combobox", name="Action", exact=True).select_option("censor")
    page.get_by_role("textbox", name="Text to test").fill(
        f"Three {blocked_word}s on the night shifts, again."
    )
    page.get_by_role("checkbox", name=re.compile("Include the entry typed above")).check()
    page.get_by_role("button", name="Test", exact=True).click()
    result = page.get_by_test_id("test-result")
    expect(result).to_contain_text("What would happen: Block")
    expect(result.locator("mark")).to_have_text([f"{blocked_word}s", "night shifts"])
    expect(result).to_contain_text(f"matches “{blocked_word}” (Word, same stem “{blocked_word}”)")
    expect(result).to_contain_text("Readers would see")
    screenshot(page, "moderation-words-test-phone-en")
    assert serious_axe_violations(page) == []
    assert sideways_overflow(page) == 0

    # Nothing was saved by testing.
    words = plaza.api("moderator").get("/api/moderation/words").json()["items"]
    assert "night shift" not in [w["pattern"] for w in words]
    context.close()


def test_employees_have_no_moderation_screens(browser: Browser, plaza: Plaza) -> None:
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/admin/moderation")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Moderation queue")
    expect(page.get_by_role("link", name="Moderation", exact=True)).to_have_count(0)
    context.close()


def _earned_by(api: httpx.Client, post_id: object) -> int:
    transfers = api.get("/api/me/transfers").json()["transfers"]
    return sum(
        int(t["amount"]) for t in transfers if (t.get("source") or {}).get("post_id") == post_id
    )


def test_a_held_post_stays_with_its_author_marked_and_earns_once_approved(
    browser: Browser, plaza: Plaza
) -> None:
    word = "blorvex" + uuid.uuid4().hex[:4]
    moderator_api = plaza.api("moderator")
    added = moderator_api.post(
        "/api/moderation/words", json={"pattern": word, "kind": "word", "action": "hold"}
    )
    assert added.status_code == 201, added.text
    employee_api = plaza.api("employee")
    before = employee_api.get("/api/me/wallet").json()["points"]
    marker = f"Held {uuid.uuid4().hex[:8]}"
    # Long enough for the demo rules' "post worth reading" points.
    body = f"{marker}: the {word} again at the loading dock. " + "We lost an hour today. " * 12
    try:
        context = new_context(browser, plaza, "employee")
        page = context.new_page()
        page.goto("/feed")
        expect(page.locator(".shell[data-live=online]")).to_be_attached()
        field = page.locator("form[data-composer]").first.get_by_role("textbox", name="Post text")
        field.fill(body)
        field.press("Control+Enter")
        expect(field).to_have_value("")
        card = page.locator("article[data-post-id]", has_text=marker).first
        expect(card).to_contain_text("Waiting for approval")

        # After a reload it is still there for its author, marked; nobody else sees it.
        page.reload()
        card = page.locator("article[data-post-id]", has_text=marker).first
        expect(card).to_contain_text("Waiting for approval")
        expect(card).to_contain_text("Only you can see it until a moderator approves it.")
        post_id = int(card.get_attribute("data-post-id") or 0)
        screenshot(page, "moderation-held-post-desktop-en")
        assert serious_axe_violations(page) == []
        page.goto(f"/posts/{post_id}")
        expect(page.locator("article[data-post-id]")).to_contain_text("Waiting for approval")
        director = plaza.api("director")
        assert director.get(f"/api/posts/{post_id}").status_code == 404
        # No points while it waits (settling takes about a second once events exist).
        page.wait_for_timeout(3000)
        assert employee_api.get("/api/me/wallet").json()["points"] == before
        assert _earned_by(employee_api, post_id) == 0

        # The moderator approves it from the queue.
        moderation = new_context(browser, plaza, "moderator")
        queue = moderation.new_page()
        queue.goto("/admin/moderation")
        case = _case_of(moderator_api, post_id)
        assert case is not None and case["status"] == "held"
        item = queue.locator(f"[data-case-id='{case['id']}']")
        expect(item).to_contain_text(marker)
        item.get_by_role("button", name="Approve").click()
        expect(item).to_have_count(0)
        moderation.close()

        # Others see it now, its author sees it unmarked, and the points arrive.
        assert director.get(f"/api/posts/{post_id}").status_code == 200
        page.reload()
        expect(page.locator("article[data-post-id]")).to_contain_text(marker)
        expect(page.locator("article[data-post-id]")).not_to_contain_text("Waiting for approval")
        for _ in range(40):
            if _earned_by(employee_api, post_id) > 0:
                break
            page.wait_for_timeout(500)
        earned = _earned_by(employee_api, post_id)
        assert earned > 0
        page.goto("/wallet")
        points = employee_api.get("/api/me/wallet").json()["points"]
        assert points >= before + earned
        expect(page.get_by_test_id("wallet-points")).to_contain_text(f"{points:,}")
        context.close()
    finally:
        moderator_api.delete(f"/api/moderation/words/{added.json()['id']}")


def _walk_to(page: Page, viewer: Locator, story_id: int) -> None:
    """In the story viewer, move on (arrow key) until the story `story_id` is on screen."""
    for _ in range(30):
        if viewer.locator(f"[data-story-id='{story_id}']").count():
            return
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(100)
    expect(viewer.locator(f"[data-story-id='{story_id}']")).to_be_visible()


def test_a_held_story_shows_to_its_author_marked_and_to_others_once_approved(
    browser: Browser, plaza: Plaza
) -> None:
    word = "snarvik" + uuid.uuid4().hex[:4]
    moderator_api = plaza.api("moderator")
    added = moderator_api.post(
        "/api/moderation/words", json={"pattern": word, "kind": "word", "action": "hold"}
    )
    assert added.status_code == 201, added.text
    employee_api, director_api = plaza.api("employee"), plaza.api("director")
    me = employee_api.get("/api/me").json()
    text = f"The {word} is back {uuid.uuid4().hex[:6]}"
    try:
        # The employee shares the story from the composer.
        context = new_context(browser, plaza, "employee")
        page = context.new_page()
        page.goto("/feed")
        expect(page.locator(".shell[data-live=online]")).to_be_attached()
        bar = page.get_by_role("region", name="Stories")
        bar.get_by_role("button", name="Add a story").click()
        dialog = page.get_by_role("dialog", name="New story")
        dialog.get_by_label("Text (without a photo)").fill(text)
        dialog.get_by_role("button", name="Share the story").click()
        expect(dialog).to_have_count(0)
        rings = employee_api.get("/api/stories").json()["rings"]
        story = next(s for r in rings for s in r["stories"] if s["text"] == text)
        assert story["held"] is True

        # After a reload it is in their own ring, marked; the director does not get it.
        page.reload()
        own = bar.get_by_role("button", name=re.compile("Your stor(y|ies)"))
        expect(own).to_have_attribute("data-held", "true")
        expect(own).to_have_accessible_name(re.compile("Waiting for approval"))
        own.click()
        viewer = page.get_by_role("dialog", name=me["name"])
        _walk_to(page, viewer, story["id"])
        expect(viewer).to_contain_text(text)
        expect(viewer.locator("[data-held]")).to_contain_text("Waiting for approval")
        expect(viewer).to_contain_text("Only you can see it until a moderator approves it.")
        expect(viewer.get_by_role("button", name="Delete this story")).to_have_count(0)
        screenshot(page, "moderation-held-story-desktop-en")
        assert serious_axe_violations(page) == []
        page.keyboard.press("Escape")
        ids = [
            s["id"] for r in director_api.get("/api/stories").json()["rings"] for s in r["stories"]
        ]
        assert story["id"] not in ids
        assert director_api.post(f"/api/stories/{story['id']}/view").status_code == 404

        # The director's feed is open when the moderator approves it in the queue.
        other = new_context(browser, plaza, "director", viewport=PHONE)
        other_page = other.new_page()
        other_page.goto("/feed")
        expect(other_page.locator(".shell[data-live=online]")).to_be_attached()
        moderation = new_context(browser, plaza, "moderator")
        queue = moderation.new_page()
        queue.goto("/admin/moderation")
        case = next(
            c
            for c in moderator_api.get("/api/moderation/queue").json()["items"]
            if c["kind"] == "story" and c["target_id"] == story["id"]
        )
        assert case["status"] == "held"
        item = queue.locator(f"[data-case-id='{case['id']}']")
        expect(item).to_contain_text(text)
        item.get_by_role("button", name="Approve").click()
        expect(item).to_have_count(0)
        moderation.close()

        # The director's bar gets the ring without a reload, and the story is in it.
        ring = other_page.get_by_role("region", name="Stories").locator(
            f"button[data-ring='{me['id']}']"
        )
        expect(ring).to_have_attribute("data-unseen", "true", timeout=10_000)
        ring.click()
        seen = other_page.get_by_role("dialog", name=me["name"])
        _walk_to(other_page, seen, story["id"])
        expect(seen).to_contain_text(text)
        expect(seen).not_to_contain_text("Waiting for approval")
        other.close()

        # Its author sees it unmarked now.
        page.reload()
        expect(
            bar.get_by_role("button", name=re.compile("Your stor(y|ies)"))
        ).not_to_have_attribute("data-held", "true")
        context.close()
    finally:
        moderator_api.delete(f"/api/moderation/words/{added.json()['id']}")
