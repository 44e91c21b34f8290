"""Groups, channels and leaders' blogs as people use them: joining a public group and
reading it, a visitor seeing a public group's new post arrive live, asking to join a
private group and a moderator approving it in another browser, a private group's post
never shown to a non-member anywhere, inviting a colleague with the people picker,
subscribing to an optional channel (and a refusal rolled back with its reason), a
mandatory channel that cannot be left, following a blog."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

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


def _unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def _group(api: httpx.Client, name: str, visibility: str = "public") -> dict[str, object]:
    response = api.post(
        "/api/groups",
        json={"name": name, "description": "Made by a test", "visibility": visibility},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _post(api: httpx.Client, body: str, **fields: object) -> dict[str, object]:
    response = api.post("/api/posts", json={"body": body, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _online(page: Page) -> None:
    expect(page.locator(".shell[data-live=online]")).to_be_attached()


def _card(page: Page, post_id: object):  # type: ignore[no-untyped-def]
    return page.locator(f'article[data-post-id="{post_id}"]')


def _eventually(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    """The screen changes at once (optimistic); the server's answer may come a moment later."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _me(api: httpx.Client) -> int:
    return int(api.get("/api/me").json()["id"])


def test_join_a_public_group_from_the_list_and_read_its_posts(
    browser: Browser, plaza: Plaza
) -> None:
    director = plaza.api("director")
    name = _unique("Cycling club")
    group = _group(director, name)
    hello = _post(director, f"Saturday ride {uuid.uuid4().hex[:6]}", group_id=group["id"])

    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/groups")
    page.get_by_role("tab", name="All groups").click()
    page.get_by_role("searchbox", name="Search groups").fill(name.split()[-1])
    # The search has answered: only the group searched for is listed.
    expect(page.locator("li[data-group-id]")).to_have_count(1)
    item = page.locator(f'li[data-group-id="{group["id"]}"]')
    expect(item).to_contain_text(name)
    expect(item).to_contain_text("1 member")
    expect(item).to_contain_text("Public")
    item.get_by_role("button", name=f"Join {name}").click()
    expect(item.locator("[data-state=member]")).to_have_text("You are a member")
    expect(item).to_contain_text("2 members")
    assert plaza.api("employee").get(f"/api/groups/{group['id']}").json()["my_state"] == "member"

    # The group is among mine now, and its page shows its posts and members.
    page.get_by_role("tab", name="My groups").click()
    expect(page.locator(f'li[data-group-id="{group["id"]}"]')).to_be_visible()
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    expect(_card(page, hello["id"])).to_contain_text("Saturday ride")
    page.get_by_role("tab", name="Members").click()
    expect(page.locator("[data-member-id]")).to_have_count(2)
    moderator = page.locator(f'[data-member-id="{_me(director)}"]')
    expect(moderator.get_by_text("Moderator")).to_be_visible()

    # Leaving asks first, then the page offers to join again.
    page.get_by_role("button", name="More actions for the group").click()
    page.get_by_role("menuitem", name="Leave the group").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Leave the group").click()
    expect(page.get_by_role("button", name=f"Join {name}")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="You left")).to_be_visible()
    assert _eventually(
        lambda: plaza.api("employee").get(f"/api/groups/{group['id']}").json()["my_state"] is None
    )
    context.close()


def test_a_visitor_of_a_public_group_sees_a_new_post_arrive_live(
    browser: Browser, plaza: Plaza
) -> None:
    director = plaza.api("director")
    group = _group(director, _unique("Book club"))
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto(f"/groups/{group['id']}")
    # Not a member: the page offers to join, and still shows the posts.
    expect(page.get_by_role("button", name=re.compile("^Join"))).to_be_visible()
    expect(page.get_by_text("No posts in this group yet")).to_be_visible()
    _online(page)
    page.wait_for_timeout(800)  # the `watch` of the group reaches the server

    marker = _unique("Next book")
    post = _post(director, marker, group_id=group["id"])
    pill = page.get_by_role("button", name="1 new post")
    expect(pill).to_be_visible(timeout=5_000)
    expect(_card(page, post["id"])).to_have_count(0)
    pill.click()
    expect(_card(page, post["id"])).to_contain_text(marker)
    context.close()


def test_asking_to_join_a_private_group_and_a_moderator_approving(
    browser: Browser, plaza: Plaza
) -> None:
    director = plaza.api("director")
    name = _unique("Directors' circle")
    group = _group(director, name, "private")
    inside = _post(director, _unique("Quarter plan"), group_id=group["id"])

    asker = new_context(browser, plaza, "employee")
    page = asker.new_page()
    page.goto(f"/groups/{group['id']}")
    expect(page.get_by_role("heading", name="This group is private")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(str(inside["body"]))
    page.get_by_role("button", name=f"Ask to join {name}").click()
    expect(page.locator("[data-state=requested]")).to_have_text("Request sent")
    expect(page.get_by_text("Your request is waiting for a moderator")).to_be_visible()
    _online(page)

    owner = new_context(browser, plaza, "director")
    other = owner.new_page()
    other.goto(f"/groups/{group['id']}")
    requests = other.get_by_role("tab", name=re.compile("^Requests"))
    expect(requests).to_contain_text("1")
    requests.click()
    request = other.locator("[data-request-id]")
    expect(request).to_contain_text("Elena Employee")
    screenshot(other, "group-requests-desktop-en")
    assert serious_axe_violations(other) == []
    request.get_by_role("button", name="Approve Elena Employee").click()
    expect(other.get_by_text("No requests waiting")).to_be_visible()

    # The requester's open page follows the approval: the posts are there without a reload.
    expect(_card(page, inside["id"])).to_contain_text(str(inside["body"]), timeout=5_000)
    expect(page.locator("main")).not_to_contain_text("This group is private")
    owner.close()
    asker.close()


def test_a_private_groups_post_is_never_shown_to_a_non_member(
    browser: Browser, plaza: Plaza
) -> None:
    director = plaza.api("director")
    group = _group(director, _unique("Salaries review"), "private")
    word = uuid.uuid4().hex[:10]
    secret = _post(director, f"Confidential figures {word}", group_id=group["id"])
    hidden = _group(director, _unique("Hidden project"), "secret")

    employee = plaza.api("employee")
    assert word not in employee.get("/api/search", params={"q": word}).text
    assert word not in employee.get("/api/feed").text

    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/feed")
    expect(page.get_by_role("feed")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(word)
    page.goto(f"/search?q={word}")
    page.wait_for_load_state("networkidle")
    # The page repeats what was searched for; the post itself is not found.
    expect(page.locator("main")).to_contain_text(f"Nothing found for “{word}”")
    expect(page.locator("body")).not_to_contain_text("Confidential figures")
    page.goto(f"/groups/{group['id']}")
    expect(page.get_by_role("heading", name="This group is private")).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).not_to_contain_text(word)
    page.goto(f"/posts/{secret['id']}")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(word)
    # A secret group is not there at all for those outside it.
    page.goto(f"/groups/{hidden['id']}")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    page.goto("/groups?tab=all")
    expect(page.locator("li[data-group-id]").first).to_be_visible()
    expect(page.locator(f'li[data-group-id="{hidden["id"]}"]')).to_have_count(0)
    context.close()


def test_a_moderator_invites_a_colleague_who_accepts(browser: Browser, plaza: Plaza) -> None:
    director = plaza.api("director")
    name = _unique("Opening team")
    group = _group(director, name, "secret")

    owner = new_context(browser, plaza, "director")
    page = owner.new_page()
    page.goto(f"/groups/{group['id']}")
    page.get_by_role("button", name="Invite").click()
    picker = page.get_by_role("combobox", name="Colleagues to invite")
    # By keyboard: the first suggestion is active, Enter chooses it.
    picker.fill("Elena")
    expect(page.get_by_role("option", name=re.compile("Elena Employee"))).to_be_visible()
    picker.press("Enter")
    expect(page.get_by_role("list", name="Chosen colleagues")).to_contain_text("Elena Employee")
    page.get_by_role("button", name="Invite 1 person").click()
    expect(page.get_by_text("1 colleague invited.")).to_be_visible()

    guest = new_context(browser, plaza, "employee", viewport=PHONE)
    phone = guest.new_page()
    phone.goto("/groups")
    invitations = phone.get_by_role("tab", name=re.compile("^Invitations"))
    expect(invitations).to_contain_text("1")
    invitations.click()
    item = phone.locator(f'li[data-group-id="{group["id"]}"]')
    expect(item).to_contain_text("Secret")
    screenshot(phone, "group-invitations-phone-en")
    assert sideways_overflow(phone) == 0
    assert serious_axe_violations(phone) == []
    item.get_by_role("button", name=f"Accept the invitation to {name}").click()
    expect(item).to_have_count(0)
    assert plaza.api("employee").get(f"/api/groups/{group['id']}").json()["my_state"] == "member"
    guest.close()
    owner.close()


def test_subscribe_and_leave_an_optional_channel_and_a_refusal_rolls_back(
    browser: Browser, plaza: Plaza
) -> None:
    comms = plaza.api("comms")
    name = _unique("Photo contest")
    created = comms.post("/api/channels", json={"name": name, "description": "Your best shots"})
    assert created.status_code == 201, created.text
    channel = created.json()

    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/channels")
    item = page.locator(f'li[data-channel-id="{channel["id"]}"]')
    button = item.get_by_role("button", name=re.compile("^Subscribe"))
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_contain_text("Subscribed")
    employee = plaza.api("employee")

    def subscribed() -> bool:
        rows = employee.get("/api/channels").json()["items"]
        return bool(next(c for c in rows if c["id"] == channel["id"])["subscribed"])

    assert _eventually(subscribed)
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    assert _eventually(lambda: not subscribed())

    # Subscribed again, then the channel becomes mandatory under the open page: leaving it is
    # refused, and the button goes back with the server's reason.
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert (
        comms.patch(f"/api/channels/{channel['id']}", json={"mandatory": True}).status_code == 200
    )
    try:
        button.click()
        expect(page.get_by_role("alert")).to_be_visible()
        expect(button).to_have_attribute("aria-pressed", "true")
        assert subscribed()
    finally:
        comms.patch(f"/api/channels/{channel['id']}", json={"mandatory": False})
        employee.delete(f"/api/channels/{channel['id']}/subscription")
    context.close()


def test_a_mandatory_channel_cannot_be_left(browser: Browser, plaza: Plaza) -> None:
    employee = plaza.api("employee")
    mandatory = next(c for c in employee.get("/api/channels").json()["items"] if c["mandatory"])
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/channels")
    item = page.locator(f'li[data-channel-id="{mandatory["id"]}"]')
    expect(item.locator("[data-mandatory]")).to_have_text("Always on")
    expect(item.get_by_role("button")).to_have_count(0)
    expect(page.get_by_text("cannot be turned off").first).to_be_visible()
    left = employee.delete(f"/api/channels/{mandatory['id']}/subscription")
    assert left.status_code == 409
    # Its page shows its posts, and the same explanation instead of a button.
    item.get_by_role("link", name=mandatory["name"]).click()
    expect(page.get_by_role("heading", level=1, name=mandatory["name"])).to_be_visible()
    expect(page.get_by_role("feed")).to_be_visible()
    expect(page.locator("main").get_by_role("button", name=re.compile("^Subscribe"))).to_have_count(
        0
    )
    context.close()


def test_follow_a_leaders_blog(browser: Browser, plaza: Plaza) -> None:
    director = plaza.api("director")
    director_id = _me(director)
    employee = plaza.api("employee")
    employee.delete(f"/api/people/{director_id}/follow")
    before = employee.get(f"/api/people/{director_id}/blog").json()["followers"]

    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/blogs")
    item = page.locator(f'li[data-blog-id="{director_id}"]')
    expect(item).to_contain_text("Marina Director")
    follow = item.get_by_role("button", name=re.compile("^Follow"))
    follow.click()
    expect(follow).to_have_attribute("aria-pressed", "true")
    expect(follow).to_contain_text("Following")

    def blog() -> dict[str, object]:
        return dict(employee.get(f"/api/people/{director_id}/blog").json())

    assert _eventually(lambda: blog()["following"] is True)
    assert blog()["followers"] == before + 1

    # The blog page: the same state, the person's posts, and a new one arrives live.
    item.get_by_role("link", name="Marina Director").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Marina Director"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Following"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_role("feed")).to_be_visible()
    _online(page)
    page.wait_for_timeout(800)
    marker = _unique("Notes from the floor")
    post = _post(director, marker)
    page.get_by_role("button", name="1 new post").click()
    expect(_card(page, post["id"])).to_contain_text(marker)
    page.get_by_role("button", name=re.compile("^Following")).click()
    expect(page.get_by_role("button", name=re.compile(r"^Follow\s*:"))).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(page.locator("main")).to_contain_text(f"{before} follower")
    assert _eventually(lambda: blog()["following"] is False)
    context.close()


def test_the_group_screens_pass_axe_and_fit_a_phone(browser: Browser, plaza: Plaza) -> None:
    director = plaza.api("director")
    group = _group(director, _unique("Phone check"), "private")
    context = new_context(browser, plaza, "director", locale="ru", viewport=PHONE)
    page = context.new_page()
    problems: dict[str, object] = {}
    for path in (f"/groups/{group['id']}", "/groups?tab=all"):
        page.goto(path)
        expect(page.locator("main h1").first).to_be_visible()
        page.wait_for_load_state("networkidle")
        if violations := serious_axe_violations(page):
            problems[f"{path}: axe"] = violations
        if overflow := sideways_overflow(page):
            problems[f"{path}: sideways"] = overflow
    page.goto(f"/groups/{group['id']}")
    page.get_by_role("button", name="Другие действия с группой").click()
    page.get_by_role("menuitem", name="Изменить группу").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Название")).to_have_value(str(group["name"]))
    if violations := serious_axe_violations(page):
        problems["edit dialog: axe"] = violations
    screenshot(page, "group-edit-phone-ru")
    dialog.get_by_label("Название").fill("")
    dialog.get_by_role("button", name="Сохранить").click()
    expect(dialog.get_by_text("Укажите название группы.")).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    # Saved: the page shows the new name at once.
    renamed = _unique("Renamed")
    page.get_by_role("button", name="Другие действия с группой").click()
    page.get_by_role("menuitem", name="Изменить группу").click()
    page.get_by_role("dialog").get_by_label("Название").fill(renamed)
    page.get_by_role("dialog").get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("heading", level=1, name=renamed)).to_be_visible()
    assert director.get(f"/api/groups/{group['id']}").json()["name"] == renamed
    context.close()
    assert problems == {}


def test_create_a_group_from_the_dialog(browser: Browser, plaza: Plaza) -> None:
    name = _unique("Night shift")
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/groups")
    page.get_by_role("button", name="Create a group").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("What is it about").fill("Those who work at night")
    dialog.get_by_role("radio", name=re.compile("^Private")).check()
    dialog.get_by_role("button", name="Create a group").click()
    expect(page).to_have_url(re.compile(r"/groups/\d+$"))
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Private")
    expect(page.locator("main")).to_contain_text("You moderate it")
    mine = plaza.api("employee").get("/api/groups", params={"mine": True}).json()["items"]
    assert any(g["name"] == name and g["visibility"] == "private" for g in mine)
    context.close()


def test_a_moderator_manages_members(browser: Browser, plaza: Plaza) -> None:
    director = plaza.api("director")
    group = _group(director, _unique("Merchandisers"))
    employee = plaza.api("employee")
    assert employee.post(f"/api/groups/{group['id']}/join").status_code == 200
    employee_id = _me(employee)

    def member() -> dict[str, object] | None:
        rows = director.get(f"/api/groups/{group['id']}/members").json()["items"]
        return next((r for r in rows if r["person"]["id"] == employee_id), None)

    context = new_context(browser, plaza, "director")
    page = context.new_page()
    page.goto(f"/groups/{group['id']}")
    page.get_by_role("tab", name="Members").click()
    row = page.locator(f'[data-member-id="{employee_id}"]')
    expect(row).to_contain_text("Elena Employee")
    expect(row.locator("[data-moderator]")).to_have_count(0)
    row.get_by_role("button", name="Actions for Elena Employee").click()
    page.get_by_role("menuitem", name="Make a moderator").click()
    expect(row.locator("[data-moderator]")).to_have_text("Moderator")
    assert _eventually(lambda: bool((member() or {}).get("moderator")))

    row.get_by_role("button", name="Actions for Elena Employee").click()
    page.get_by_role("menuitem", name="Remove from the group").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Elena Employee")
    confirm.get_by_role("button", name="Remove from the group").click()
    expect(row).to_have_count(0)
    expect(page.locator("main header")).to_contain_text("1 member")
    assert member() is None
    assert employee.get(f"/api/groups/{group['id']}").json()["my_state"] is None
    context.close()


def test_a_missing_group_channel_or_blog_is_the_not_found_page(
    browser: Browser, plaza: Plaza
) -> None:
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    for path in ("/groups/999999", "/groups/abc", "/channels/999999", "/blogs/999999"):
        page.goto(path)
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        expect(page.get_by_role("link", name="Back to the feed")).to_be_visible()
    context.close()
