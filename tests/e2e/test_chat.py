"""Chat as two people use it: a message sent in one browser appears in the other live, the
typing indicator shows, "seen" appears once the other opens the chat, the presence dot goes
offline when the other closes their page; a refused send keeps the text; editing,
deleting, stickers by keyboard, a group chat started from the dialog, a 360 px phone."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import (
    PHONE,
    Plaza,
    eventually,
    new_context,
    png,
    screenshot,
    serious_axe_violations,
    sideways_overflow,
)


def _me(api: httpx.Client) -> dict[str, object]:
    return dict(api.get("/api/me").json())


def _direct(api: httpx.Client, other_id: object) -> int:
    response = api.post("/api/chats/direct", json={"employee_id": other_id})
    assert response.status_code == 200, response.text
    return int(response.json()["id"])


def _read_all(api: httpx.Client, chat_id: int) -> None:
    last = api.get(f"/api/chats/{chat_id}/messages", params={"limit": 1}).json()["messages"][0]
    read = api.post(f"/api/chats/{chat_id}/read", json={"message_id": last["message_id"]})
    assert read.status_code == 200, read.text


def _unread_total(api: httpx.Client) -> int:
    return sum(int(chat["unread"]) for chat in api.get("/api/chats").json()["chats"])


def _group_chat(api: httpx.Client, title: str, member_ids: list[object]) -> int:
    response = api.post("/api/chats/group", json={"title": title, "member_ids": member_ids})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _online(page: Page) -> None:
    expect(page.locator(".shell[data-live=online]")).to_be_attached()


def _open_chat(page: Page, chat_id: int) -> None:
    page.goto(f"/chat/{chat_id}")
    _online(page)
    expect(
        page.get_by_test_id("chat-history").or_(page.get_by_test_id("chat-empty"))
    ).to_be_visible()


def test_two_people_chat_live_with_typing_seen_and_presence(browser: Browser, plaza: Plaza) -> None:
    employee_api, director_api = plaza.api("employee"), plaza.api("director")
    employee, director = _me(employee_api), _me(director_api)
    chat_id = _direct(employee_api, director["id"])

    anna = new_context(browser, plaza, "employee")
    boss = new_context(browser, plaza, "director")
    mine, theirs = anna.new_page(), boss.new_page()
    theirs.goto("/chat")
    _online(theirs)
    _open_chat(mine, chat_id)
    expect(mine.get_by_role("heading", level=1)).to_have_text(str(director["name"]))
    # The director has Plaza open: online, live.
    expect(mine.locator(".talk-head [data-presence]")).to_have_attribute("data-presence", "online")

    text = f"Hello from the shop floor {uuid.uuid4().hex[:6]}"
    box = mine.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")
    mine_bubble = mine.get_by_test_id("chat-message").filter(has_text=text)
    expect(mine_bubble).to_be_visible()

    # The director's list shows it live, moved to the top, unread.
    row = theirs.locator(f'a[data-chat-id="{chat_id}"]')
    expect(row).to_contain_text(text)
    expect(row.get_by_test_id("chat-unread")).to_be_visible()
    expect(theirs.get_by_test_id("chat-list").locator("a").first).to_have_attribute(
        "data-chat-id", str(chat_id)
    )
    # Not opened yet: not seen.
    expect(mine.get_by_test_id("chat-seen")).to_have_count(0)

    row.click()
    expect(theirs.get_by_test_id("chat-message").filter(has_text=text)).to_be_visible()
    expect(theirs.get_by_test_id("new-marker")).to_be_visible()
    # Opening it read it: the sender sees "Seen", the director's count is gone.
    expect(mine.get_by_test_id("chat-seen")).to_have_text(re.compile("Seen"))
    expect(row.get_by_test_id("chat-unread")).to_have_count(0)

    # The director types: the employee sees it; then the reply arrives live.
    reply_box = theirs.get_by_role("textbox", name="Message")
    reply_box.press_sequentially("On my w", delay=20)
    expect(mine.get_by_test_id("chat-typing")).to_have_text(f"{director['name']} is typing…")
    reply_box.press_sequentially("ay", delay=20)
    reply_box.press("Shift+Enter")
    reply_box.press_sequentially("see you", delay=10)
    reply_box.press("Enter")
    expect(
        mine.get_by_test_id("chat-message").filter(has_text="On my way\nsee you")
    ).to_be_visible()
    expect(mine.get_by_test_id("chat-typing")).to_have_text("")
    screenshot(mine, "chat-live-desktop-en")

    # The director closes Plaza: the dot goes grey and the header says so.
    boss.close()
    expect(mine.locator(".talk-head [data-presence]")).to_have_attribute("data-presence", "offline")
    expect(mine.get_by_test_id("chat-status")).to_have_text(re.compile("Last seen|Offline"))
    assert serious_axe_violations(mine) == []
    anna.close()
    assert employee["id"] != director["id"]


def test_a_refused_send_keeps_the_text_and_says_why(browser: Browser, plaza: Plaza) -> None:
    api = plaza.api("employee")
    chat_id = _direct(api, _me(plaza.api("moderator"))["id"])
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    _open_chat(page, chat_id)
    box = page.get_by_role("textbox", name="Message")
    text = f"Kept through a failure {uuid.uuid4().hex[:6]}"
    box.fill(text)
    context.set_offline(True)
    box.press("Enter")
    expect(page.get_by_test_id("chat-send-error")).to_contain_text("The message was not sent")
    expect(box).to_have_value(text)
    context.set_offline(False)
    _online(page)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("chat-message").filter(has_text=text)).to_be_visible()
    expect(page.get_by_test_id("chat-send-error")).to_have_count(0)
    expect(box).to_have_value("")

    # A chat one is not in looks like one that does not exist: the not-found page.
    outsider = _me(plaza.api("admin"))["id"]
    others = _direct(plaza.api("director"), outsider)
    page.goto(f"/chat/{others}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    context.close()


def test_edit_delete_and_a_sticker_by_keyboard(browser: Browser, plaza: Plaza) -> None:
    api = plaza.api("employee")
    chat_id = _direct(api, _me(plaza.api("comms"))["id"])
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    _open_chat(page, chat_id)
    box = page.get_by_role("textbox", name="Message")
    original = f"Typo here {uuid.uuid4().hex[:6]}"
    box.fill(original)
    box.press("Enter")
    bubble = page.locator(".msg-row").filter(has_text=original)
    expect(bubble).to_be_visible()

    bubble.hover()
    bubble.get_by_role("button", name="Message actions").click()
    page.get_by_role("menuitem", name="Edit").click()
    expect(page.get_by_text("Editing a message")).to_be_visible()
    expect(box).to_have_value(original)
    box.fill(original.replace("Typo", "Fixed"))
    box.press("Enter")
    fixed = page.locator(".msg-row").filter(has_text=original.replace("Typo", "Fixed"))
    expect(fixed).to_contain_text("edited")
    assert (
        api.get(f"/api/chats/{chat_id}/messages").json()["messages"][0]["body"].startswith("Fixed")
    )

    fixed.hover()
    fixed.get_by_role("button", name="Message actions").click()
    page.get_by_role("menuitem", name="Delete").click()
    page.get_by_test_id("confirm-delete").click()
    expect(page.get_by_text("Message deleted").last).to_be_visible()
    # The page shows the deletion at once; the server's answer may come a moment later.
    assert eventually(
        lambda: api.get(f"/api/chats/{chat_id}/messages").json()["messages"][0]["deleted"]
    )

    # A file: an image shows in the conversation, with the text typed as its caption.
    box.fill("The new shelf layout")
    page.get_by_test_id("chat-file").set_input_files(
        files=[{"name": "shelf.png", "mimeType": "image/png", "buffer": png(160, 90)}]
    )
    image = page.get_by_role("img", name="Image: shelf.png")
    expect(image).to_be_visible()
    expect(page.locator(".msg-row").filter(has=image)).to_contain_text("The new shelf layout")
    expect(box).to_have_value("")
    sent = api.get(f"/api/chats/{chat_id}/messages").json()["messages"][0]
    assert sent["attachment"]["name"] == "shelf.png" and sent["body"] == "The new shelf layout"

    # Stickers: the picker opens from the keyboard and a sticker is sent with Enter.
    page.get_by_role("button", name="Stickers").focus()
    page.keyboard.press("Enter")
    picker = page.locator(".sticker-picker")
    expect(picker).to_be_visible()
    picker.get_by_role("button", name="Thumbs up").focus()
    page.keyboard.press("ArrowRight")
    expect(picker.get_by_role("button", name="Thank you")).to_be_focused()
    screenshot(page, "chat-stickers-desktop-en")
    page.keyboard.press("Enter")
    expect(picker).to_be_hidden()
    expect(page.get_by_role("img", name="Thank you").last).to_be_visible()
    assert api.get(f"/api/chats/{chat_id}/messages").json()["messages"][0]["sticker"] == "thanks"
    context.close()


def test_a_group_chat_from_the_dialog_on_a_phone(browser: Browser, plaza: Plaza) -> None:
    director = _me(plaza.api("director"))
    moderator = _me(plaza.api("moderator"))
    context = new_context(browser, plaza, "employee", viewport=PHONE)
    page = context.new_page()
    page.goto("/chat")
    expect(page.get_by_role("heading", level=1, name="Chats")).to_be_visible()
    page.get_by_test_id("new-chat").click()
    dialog = page.get_by_role("dialog")
    search = dialog.get_by_role("searchbox", name="Find people")
    for person in (director, moderator):
        search.fill(str(person["name"]).split()[0])
        dialog.get_by_role("button", name=f"Add {person['name']}").click()
    # Two people make a group: it needs a name.
    dialog.get_by_test_id("start-chat").click()
    expect(dialog.get_by_role("alert")).to_have_text("Give the group chat a name.")
    title = f"Store opening {uuid.uuid4().hex[:4]}"
    dialog.get_by_label("Group name").fill(title)
    screenshot(page, "chat-new-phone-en")
    dialog.get_by_test_id("start-chat").click()
    expect(page).to_have_url(re.compile(r"/chat/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_test_id("chat-status")).to_have_text("3 members")
    # One pane at a time on a phone: the list is hidden, Back brings it.
    expect(page.get_by_test_id("chat-list")).to_be_hidden()
    assert sideways_overflow(page) == 0
    box = page.get_by_role("textbox", name="Message")
    box.fill("Welcome, everyone")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("chat-message").filter(has_text="Welcome, everyone")).to_be_visible()
    screenshot(page, "chat-group-phone-en")
    page.get_by_role("link", name="Back to chats").click()
    expect(page.get_by_test_id("chat-list")).to_contain_text(title)
    assert sideways_overflow(page) == 0
    context.close()


def test_history_scrolls_back_and_new_messages_wait_below(browser: Browser, plaza: Plaza) -> None:
    """Older pages load when scrolling up; while up, arrivals are counted on the "jump to
    newest" button instead of moving the view."""
    employee_api, admin_api = plaza.api("employee"), plaza.api("admin")
    admin = _me(admin_api)
    chat_id = _direct(employee_api, admin["id"])
    for n in range(120):
        sent = admin_api.post(f"/api/chats/{chat_id}/messages", json={"body": f"Line {n:03d}"})
        assert sent.status_code == 201
    # All read already: opening lands at the end (the first unread is another test's).
    _read_all(employee_api, chat_id)
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    _open_chat(page, chat_id)
    history = page.get_by_test_id("chat-history")
    expect(history.get_by_text("Line 119")).to_be_visible()
    # Virtualised: far fewer rows in the page than messages loaded.
    assert page.locator(".msg-row").count() < 50
    for _ in range(80):
        history.hover()
        page.mouse.wheel(0, -3000)
        if page.get_by_text("This is the beginning of the conversation.").is_visible():
            break
        page.wait_for_timeout(150)
    expect(history.get_by_text("Line 000")).to_be_visible()
    expect(page.get_by_test_id("new-marker")).to_have_count(0)
    admin_api.post(f"/api/chats/{chat_id}/messages", json={"body": "Are you there?"})
    jump = page.get_by_test_id("jump-newest")
    expect(jump).to_have_text(re.compile("1 new message"))
    jump.click()
    expect(history.get_by_text("Are you there?")).to_be_visible()
    expect(jump).to_have_count(0)
    context.close()


def test_the_unread_badge_and_landing_at_the_first_unread(browser: Browser, plaza: Plaza) -> None:
    """The Chat entry counts unread messages live, with the count in its name; opening the
    chat lands at the first unread message under the "new messages" line, with "jump to
    newest" below; reading to the end clears the count."""
    employee_api, director_api = plaza.api("employee"), plaza.api("director")
    employee = _me(employee_api)
    chat_id = _group_chat(director_api, f"Stocktake {uuid.uuid4().hex[:4]}", [employee["id"]])
    for n in range(30):
        director_api.post(f"/api/chats/{chat_id}/messages", json={"body": f"Earlier {n:02d}"})
    _read_all(employee_api, chat_id)
    for n in range(40):
        director_api.post(f"/api/chats/{chat_id}/messages", json={"body": f"Fresh {n:02d}"})

    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/feed")
    _online(page)
    nav = page.get_by_role("navigation", name="Main")
    total = _unread_total(employee_api)
    assert total >= 40
    entry = nav.get_by_role("link", name=f"Chat, {total} unread")
    expect(entry).to_be_visible()
    expect(entry.get_by_test_id("nav-unread")).to_have_text(str(total) if total < 100 else "99+")
    # A new message: the badge moves without a reload.
    director_api.post(f"/api/chats/{chat_id}/messages", json={"body": "Fresh 40"})
    expect(nav.get_by_role("link", name=f"Chat, {total + 1} unread")).to_be_visible()

    page.goto(f"/chat/{chat_id}")
    history = page.get_by_test_id("chat-history")
    marker = page.get_by_test_id("new-marker")
    expect(marker).to_be_in_viewport()
    expect(history.get_by_text("Fresh 00", exact=True)).to_be_in_viewport()
    expect(history.get_by_text("Earlier 29", exact=True)).to_be_attached()
    jump = page.get_by_test_id("jump-newest")
    expect(jump).to_be_visible()
    screenshot(page, "chat-first-unread-desktop-en")
    # Not read until seen: the count stays while the end is out of sight.
    page.wait_for_timeout(500)
    assert _unread_total(employee_api) == total + 1
    jump.click()
    expect(history.get_by_text("Fresh 40", exact=True)).to_be_in_viewport()
    expect(jump).to_have_count(0)
    left = total + 1 - 41
    if left:
        expect(nav.get_by_role("link", name=f"Chat, {left} unread")).to_be_visible()
    else:
        expect(nav.get_by_test_id("nav-unread")).to_have_count(0)
        expect(nav.get_by_role("link", name="Chat", exact=True)).to_be_visible()
    context.close()

    # On a phone the bottom bar's Chat carries the badge.
    director_api.post(f"/api/chats/{chat_id}/messages", json={"body": "One more"})
    phone = new_context(browser, plaza, "employee", viewport=PHONE)
    page = phone.new_page()
    page.goto("/feed")
    _online(page)
    total = _unread_total(employee_api)
    tab = page.locator(".tabbar").get_by_role("link", name=f"Chat, {total} unread")
    expect(tab).to_be_visible()
    assert sideways_overflow(page) == 0
    screenshot(page, "chat-badge-phone-en")
    phone.close()


def test_group_chat_members_presence_add_and_leave(browser: Browser, plaza: Plaza) -> None:
    employee_api, director_api = plaza.api("employee"), plaza.api("director")
    employee, director = _me(employee_api), _me(director_api)
    moderator = _me(plaza.api("moderator"))
    title = f"Window display {uuid.uuid4().hex[:4]}"
    chat_id = _group_chat(director_api, title, [employee["id"]])
    director_api.post(f"/api/chats/{chat_id}/messages", json={"body": "Ideas for the window?"})

    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    _open_chat(page, chat_id)
    page.get_by_test_id("chat-members").click()
    dialog = page.get_by_role("dialog")
    members = dialog.get_by_test_id("chat-member-list")
    boss_row = members.locator(f'[data-member-id="{director["id"]}"]')
    expect(boss_row).to_contain_text(str(director["name"]))
    expect(members.locator(f'[data-member-id="{employee["id"]}"]')).to_contain_text("(you)")
    # Presence, live: the director opens Plaza, their dot turns green, then grey again.
    boss = new_context(browser, plaza, "director")
    boss_page = boss.new_page()
    boss_page.goto("/feed")
    _online(boss_page)
    expect(boss_row.locator("[data-presence]")).to_have_attribute("data-presence", "online")
    boss.close()
    expect(boss_row.locator("[data-presence]")).to_have_attribute("data-presence", "offline")

    # Adding: nobody chosen says so; then a colleague by name.
    dialog.get_by_test_id("chat-add-member").click()
    expect(dialog.get_by_role("alert")).to_have_text("Choose someone to add first.")
    box = dialog.get_by_role("combobox", name="Add someone")
    box.fill(str(moderator["name"]).split()[0])
    dialog.get_by_role("option", name=re.compile(str(moderator["name"]))).click()
    dialog.get_by_test_id("chat-add-member").click()
    expect(members.locator(f'[data-member-id="{moderator["id"]}"]')).to_contain_text(
        str(moderator["name"])
    )
    expect(dialog.get_by_role("status")).to_have_text(f"{moderator['name']} was added to the chat.")
    expect(page.get_by_test_id("chat-status")).to_have_text("3 members")
    chats = plaza.api("moderator").get("/api/chats").json()["chats"]
    assert any(chat["id"] == chat_id for chat in chats)
    assert serious_axe_violations(page) == []
    screenshot(page, "chat-members-desktop-en")

    # Leaving, confirmed: back to the list, without the chat; the server agrees.
    dialog.get_by_role("button", name="Leave chat").click()
    expect(dialog).to_contain_text(f"Leave “{title}”?")
    dialog.get_by_test_id("confirm-leave").click()
    expect(page).to_have_url(re.compile(r"/chat$"))
    expect(page.get_by_test_id("chat-list")).not_to_contain_text(title)
    chats = employee_api.get("/api/chats").json()["chats"]
    assert all(chat["id"] != chat_id for chat in chats)
    context.close()


def test_presence_in_a_groups_member_list(browser: Browser, plaza: Plaza) -> None:
    director_api, employee_api = plaza.api("director"), plaza.api("employee")
    group = director_api.post(
        "/api/groups",
        json={"name": f"Night shift {uuid.uuid4().hex[:6]}", "description": "Made by a test"},
    ).json()
    assert employee_api.post(f"/api/groups/{group['id']}/join").status_code == 200
    employee = _me(employee_api)
    context = new_context(browser, plaza, "director")
    page = context.new_page()
    page.goto(f"/groups/{group['id']}")
    _online(page)
    page.get_by_role("tab", name="Members").click()
    row = page.locator(f'[data-member-id="{employee["id"]}"]')
    expect(row.locator("[data-presence]")).to_have_attribute("data-presence", "offline")
    other = new_context(browser, plaza, "employee")
    other_page = other.new_page()
    other_page.goto("/feed")
    _online(other_page)
    expect(row.locator("[data-presence]")).to_have_attribute("data-presence", "online")
    other.close()
    expect(row.locator("[data-presence]")).to_have_attribute("data-presence", "offline")
    context.close()
