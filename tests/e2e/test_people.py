"""People as colleagues use them: find an expert by a skill, a profile with badges and
posts, editing my skills and seeing them on my profile, a new photo shown at once, the
server's field errors by their field with what was typed kept, and search over posts and
people from the top bar."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Browser, expect

from tests.e2e.support import (
    PHONE,
    Plaza,
    new_context,
    png,
    serious_axe_violations,
    sideways_overflow,
)


def test_find_an_expert_by_a_skill_from_the_demo_data(browser: Browser, plaza: Plaza) -> None:
    api = plaza.api("employee")
    hits = api.get("/api/search", params={"q": "forklift", "kind": "people", "limit": 50}).json()
    expected = {h["person"]["name"] for h in hits["people"] if "forklift" in h["skills"]}
    assert expected, "the demo data gives some people the forklift skill"

    context = new_context(browser, plaza, "employee", viewport=PHONE)
    page = context.new_page()
    page.goto("/people")
    page.get_by_role("link", name="Find an expert").click()
    page.get_by_label("Skill").fill("Forklift")
    page.get_by_role("button", name="Find").click()
    expect(page).to_have_url(re.compile(r"/people/experts\?skill=forklift$"))
    found = page.get_by_role("list", name="Experts in forklift")
    expect(found.locator("li").first).to_be_visible()
    names = {
        n.strip() for n in found.locator("a[href^='/people/'][class*='name']").all_inner_texts()
    }
    assert names == expected
    assert sideways_overflow(page) == 0

    # A skill on a card is a link to everyone with that skill.
    other = next(s for s in hits["people"][0]["skills"] if s != "forklift")
    found.get_by_role("link", name=f"Experts in {other}").first.click()
    expect(page).to_have_url(re.compile(r"skill=" + re.escape(other.replace(" ", "%20"))))
    expect(page.get_by_role("list", name=f"Experts in {other}")).to_be_visible()
    context.close()


def test_a_badge_with_its_tier_shows_on_the_profile(browser: Browser, plaza: Plaza) -> None:
    moderator = plaza.api("moderator").get("/api/me").json()
    title = f"Saved the inventory {uuid.uuid4().hex[:6]}"
    given = plaza.api("director").post(
        f"/api/employees/{moderator['id']}/badges",
        json={
            "title": {"en": title, "ru": title},
            "tier": "gold",
            "idempotency_key": uuid.uuid4().hex,
        },
    )
    assert given.status_code == 201, given.text
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto(f"/people/{moderator['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mikhail Moderator")
    badges = page.get_by_role("region", name="Badges")
    badge = badges.locator("li", has_text=title)
    expect(badge).to_contain_text("Gold")
    expect(page.get_by_role("region", name="Recent posts")).to_be_visible()
    context.close()


def test_edit_my_skills_and_see_them_on_my_profile(browser: Browser, plaza: Plaza) -> None:
    skill = f"cold chain {uuid.uuid4().hex[:4]}"
    context = new_context(browser, plaza, "moderator")
    page = context.new_page()
    me = plaza.api("moderator").get("/api/me").json()
    page.goto(f"/people/{me['id']}")
    page.get_by_role("link", name="Edit profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit my profile")

    page.get_by_role("textbox", name="Skills").fill(skill)
    page.keyboard.press("Enter")
    chips = page.get_by_role("list", name="Skills")
    expect(chips).to_contain_text(skill)  # as a person sees the chip before typing on
    page.get_by_role("textbox", name="Skills").fill("First Aid, excel")
    page.get_by_role("button", name="Add").first.click()
    expect(chips).to_contain_text(skill)
    expect(chips).to_contain_text("first aid")
    chips.get_by_role("button", name="Remove excel").click()
    expect(chips).not_to_contain_text("excel")
    page.get_by_label("Position").fill("Community moderator and first aider")
    assert serious_axe_violations(page) == []
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(rf"/people/{me['id']}$"))
    skills = page.get_by_role("list", name="Skills")
    expect(skills.get_by_role("link", name=f"Experts in {skill}")).to_be_visible()
    expect(skills.get_by_role("link", name="Experts in first aid")).to_be_visible()
    expect(page.get_by_text("Community moderator and first aider")).to_be_visible()
    saved = plaza.api("moderator").get("/api/me").json()
    assert skill in saved["skills"] and "first aid" in saved["skills"]
    assert "excel" not in saved["skills"]

    # Others find me by the new skill.
    skills.get_by_role("link", name=f"Experts in {skill}").click()
    expect(page.get_by_role("list", name=f"Experts in {skill}")).to_contain_text(
        "Mikhail Moderator"
    )
    context.close()


def test_a_refused_save_shows_the_reason_by_the_field_and_keeps_what_was_typed(
    browser: Browser, plaza: Plaza
) -> None:
    context = new_context(browser, plaza, "admin")
    page = context.new_page()
    page.goto("/people/me")
    page.route(
        "**/api/me",
        lambda route: (
            route.fulfill(
                status=422,
                json={
                    "error": "validation_failed",
                    "detail": "skills: too many",
                    "fields": [{"field": "skills", "reason": "too many"}],
                },
            )
            if route.request.method == "PATCH"
            else route.continue_()
        ),
    )
    page.get_by_label("Position").fill("Keeps this text")
    page.get_by_role("textbox", name="Skills").fill("backup restore")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("skills: too many")).to_be_visible()
    expect(page.get_by_role("textbox", name="Skills")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Position")).to_have_value("Keeps this text")
    expect(page.get_by_role("list", name="Skills")).to_contain_text("backup restore")
    expect(page).to_have_url(re.compile(r"/people/me$"))
    context.close()


def test_a_new_photo_shows_at_once(browser: Browser, plaza: Plaza) -> None:
    context = new_context(browser, plaza, "moderator")
    page = context.new_page()
    me = plaza.api("moderator").get("/api/me").json()
    page.goto("/people/me")
    page.locator("#profile-avatar").set_input_files(
        {"name": "me.png", "mimeType": "image/png", "buffer": png(8, 8)}
    )
    expect(page.get_by_text("Your new photo is saved.")).to_be_visible()
    preview = page.get_by_test_id("avatar-preview").locator("img")
    expect(preview).to_have_attribute("src", re.compile(rf"/api/employees/{me['id']}/avatar\?v="))
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=avatar-preview] img');"
        " return i && i.complete && i.naturalWidth === 8; }"
    )
    # The top bar shows it too, and so does my profile.
    expect(page.get_by_role("button", name="Account menu").locator("img")).to_be_visible()
    page.get_by_role("link", name="Back to my profile").click()
    expect(page.locator("section.head img")).to_have_attribute("src", re.compile(r"/avatar\?v="))

    # Not an image: refused before sending, and said by the field.
    page.goto("/people/me")
    page.locator("#profile-avatar").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}
    )
    expect(page.get_by_text("Choose a PNG, JPEG, GIF or WebP image.")).to_be_visible()
    context.close()


def test_search_finds_a_demo_post_and_a_person(browser: Browser, plaza: Plaza) -> None:
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/feed")
    box = page.get_by_role("search").get_by_label("Search")
    box.fill("dentistry")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=dentistry$"))
    posts = page.get_by_role("region", name=re.compile("posts and comments|post or comment"))
    hit = posts.get_by_role("link", name=re.compile("Health insurance now covers dentistry"))
    expect(hit).to_be_visible()
    expect(hit.locator("mark")).to_have_text("dentistry")

    page.get_by_label("Search Plaza").fill("Marina")
    page.get_by_role("button", name="Search", exact=True).click()
    people = page.get_by_role("region", name=re.compile(r"\d+ (person|people)"))
    expect(people.get_by_role("link", name="Marina Director")).to_be_visible()
    page.get_by_role("link", name="People", exact=True).last.click()
    expect(page).to_have_url(re.compile(r"kind=people"))
    people.get_by_role("link", name="Marina Director").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Marina Director")

    page.goto("/search?q=zzqxwv")
    expect(page.get_by_text("Nothing found for “zzqxwv”")).to_be_visible()
    context.close()


def test_follow_a_leaders_blog_from_the_profile(browser: Browser, plaza: Plaza) -> None:
    follower = plaza.api("moderator")
    director = plaza.api("director").get("/api/me").json()
    blogs = {b["author"]["id"]: b for b in follower.get("/api/blogs").json()["items"]}
    assert director["id"] in blogs, "a store director has a leader's blog"
    if blogs[director["id"]]["following"]:
        follower.delete(f"/api/people/{director['id']}/follow")
    context = new_context(browser, plaza, "moderator")
    page = context.new_page()
    page.goto(f"/people/{director['id']}")
    follow = page.get_by_role("button", name="Follow blog")
    path = f"/api/people/{director['id']}/follow"
    # The button turns at once (optimistic); the server's answer comes a moment later.
    with page.expect_response(lambda r: r.url.endswith(path)) as followed:
        follow.click()
    following = page.get_by_role("button", name="Following")
    expect(following).to_have_attribute("aria-pressed", "true")
    assert followed.value.ok
    mine = {b["author"]["id"]: b for b in follower.get("/api/blogs").json()["items"]}
    assert mine[director["id"]]["following"] is True

    # Unfollowing is refused by the server: the button goes back and says why.
    page.route(
        f"**/api/people/{director['id']}/follow",
        lambda route: route.fulfill(
            status=403, json={"error": "forbidden", "detail": "Not now, please."}
        ),
    )
    following.click()
    expect(page.get_by_text("Not now, please.")).to_be_visible()
    expect(following).to_have_attribute("aria-pressed", "true")
    page.unroute(f"**/api/people/{director['id']}/follow")
    with page.expect_response(lambda r: r.url.endswith(path)) as unfollowed:
        following.click()
    expect(page.get_by_role("button", name="Follow blog")).to_have_attribute(
        "aria-pressed", "false"
    )
    assert unfollowed.value.ok
    mine = {b["author"]["id"]: b for b in follower.get("/api/blogs").json()["items"]}
    assert mine[director["id"]]["following"] is False
    context.close()
