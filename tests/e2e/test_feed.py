"""The home feed and the post page as people use them: live arrivals wait in a pill,
reactions and comments show live in another browser, Back returns to the same place,
a private group's post is never shown to a non-member, comments and replies, polls,
read confirmations, edit and delete."""

from __future__ import annotations

import re
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

COMPANY_NEWS = 1  # a mandatory channel of the demo company: every employee reads it


def _post(api: httpx.Client, body: str, **fields: object) -> dict[str, object]:
    response = api.post("/api/posts", json={"body": body, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _card(page: Page, post_id: object):  # type: ignore[no-untyped-def]
    return page.locator(f'article[data-post-id="{post_id}"]')


def _open_feed(page: Page) -> None:
    page.goto("/feed")
    expect(page.get_by_role("feed")).to_be_visible()
    # The socket is connected (the shell shows no connection banner) before anything is posted.
    expect(page.locator(".shell[data-live=online]")).to_be_attached()


def test_a_new_post_waits_in_the_pill_and_counts_change_live(
    browser: Browser, plaza: Plaza
) -> None:
    reader = new_context(browser, plaza, "employee")
    page = reader.new_page()
    _open_feed(page)

    comms = plaza.api("comms")
    marker = f"Pill arrival {uuid.uuid4().hex[:8]}"
    post = _post(comms, marker, channel_id=COMPANY_NEWS)

    pill = page.get_by_role("button", name="1 new post")
    expect(pill).to_be_visible(timeout=3_000)
    # Nothing moved under the reader's eyes: the post is not in the list until asked for.
    expect(_card(page, post["id"])).to_have_count(0)
    screenshot(page, "feed-pill-desktop-en")
    pill.click()
    card = _card(page, post["id"])
    expect(card).to_contain_text(marker)
    expect(pill).to_have_count(0)

    # Another person reacts and comments: the reader's card follows without a reload.
    director = plaza.api("director")
    assert director.put(f"/api/posts/{post['id']}/reactions/party").status_code == 200
    expect(card.get_by_role("button", name=re.compile(r"Celebrate: 1 reaction"))).to_be_visible()
    assert (
        director.post(f"/api/posts/{post['id']}/comments", json={"body": "Great news"}).status_code
        == 201
    )
    expect(card.get_by_role("link", name=re.compile(r"^1 comment"))).to_be_visible()

    # The reader's own reaction shows at once and is saved.
    card.get_by_role("button", name="Add a reaction").click()
    page.get_by_role("menuitem", name="Fire").click()
    expect(card.get_by_role("button", name="Fire: 1 reaction")).to_have_attribute(
        "aria-pressed", "true"
    )
    mine = plaza.api("employee").get(f"/api/posts/{post['id']}").json()
    assert "fire" in mine["my_reactions"]
    reader.close()


def test_a_private_groups_post_is_never_shown_to_a_non_member(
    browser: Browser, plaza: Plaza
) -> None:
    admin = plaza.api("admin")
    group = admin.post(
        "/api/groups",
        json={"name": f"Secret {uuid.uuid4().hex[:6]}", "description": "", "visibility": "private"},
    )
    assert group.status_code == 201, group.text
    secret = f"Secret plan {uuid.uuid4().hex[:8]}"
    post = _post(admin, secret, group_id=group.json()["id"])

    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    _open_feed(page)
    expect(page.get_by_role("feed")).not_to_contain_text(secret)
    page.goto(f"/posts/{post['id']}")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(secret)
    page.goto(f"/search?q={secret.split()[-1]}")
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).not_to_contain_text(secret)
    context.close()


def test_back_returns_to_the_same_post(browser: Browser, plaza: Plaza) -> None:
    comms = plaza.api("comms")
    for i in range(12):
        _post(comms, f"Filler post {i} for scrolling", channel_id=COMPANY_NEWS)
    context = new_context(browser, plaza, "employee", viewport=PHONE)
    page = context.new_page()
    _open_feed(page)
    cards = page.locator("article[data-post-id]")
    expect(cards.nth(8)).to_be_visible()
    target = cards.nth(8)
    post_id = target.get_attribute("data-post-id")
    target.scroll_into_view_if_needed()
    target.get_by_role("link", name=re.compile("Open the post")).click()
    expect(page).to_have_url(re.compile(rf"/posts/{post_id}"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"/feed$"))
    back = _card(page, post_id)
    expect(back).to_be_in_viewport()
    context.close()


def test_comments_replies_edit_and_delete_on_the_post_page(browser: Browser, plaza: Plaza) -> None:
    employee = plaza.api("employee")
    group_id = 2  # Visual merchandising: the demo employee is a member
    post = _post(employee, f"Window display ideas {uuid.uuid4().hex[:6]}", group_id=group_id)
    plaza.api("director").post(
        f"/api/posts/{post['id']}/comments", json={"body": "Try the blue theme"}
    )

    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto(f"/posts/{post['id']}")
    comments = page.get_by_role("region", name=re.compile("Comments"))
    expect(comments).to_contain_text("Try the blue theme")

    # A reply hangs under the comment it answers.
    comments.get_by_role("button", name="Reply").first.click()
    reply_box = page.get_by_role("textbox", name=re.compile("Reply to"))
    reply_box.fill("Blue it is")
    reply_box.press("Control+Enter")
    replies = comments.get_by_role("list", name="Replies")
    expect(replies).to_contain_text("Blue it is")

    # A comment of my own, then edited.
    box = page.get_by_role("textbox", name="Write a comment")
    box.fill("I will bring the *posters*")
    page.get_by_role("button", name="Comment", exact=True).click()
    mine = comments.locator("article", has_text="I will bring the posters")
    expect(mine.locator("em")).to_have_text("posters")
    mine.get_by_role("button", name="Edit").click()
    edit = page.get_by_role("textbox", name="Edit the comment")
    edit.fill("I will bring the banners")
    page.get_by_role("button", name="Save").click()
    expect(comments).to_contain_text("I will bring the banners")
    expect(comments).to_contain_text("edited")
    screenshot(page, "post-desktop-en")
    assert serious_axe_violations(page) == []

    # Another person's comment arrives live.
    plaza.api("director").post(f"/api/posts/{post['id']}/comments", json={"body": "See you there"})
    expect(comments).to_contain_text("See you there")

    # Edit the post itself, then delete it after confirming.
    page.get_by_role("button", name="Post actions").click()
    page.get_by_role("menuitem", name="Edit").click()
    page.get_by_role("textbox", name="Edit the post").fill("Window display ideas, updated")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("article[data-post-id]")).to_contain_text("Window display ideas, updated")
    page.get_by_role("button", name="Post actions").click()
    page.get_by_role("menuitem", name="Delete").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Delete this post?")
    dialog.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile(r"/feed$"))
    assert employee.get(f"/api/posts/{post['id']}").status_code == 404
    context.close()


def test_a_refused_comment_keeps_its_text(browser: Browser, plaza: Plaza) -> None:
    post = _post(plaza.api("comms"), "Tell us about your week", channel_id=COMPANY_NEWS)
    context = new_context(browser, plaza, "employee", locale="ru")
    page = context.new_page()
    page.goto(f"/posts/{post['id']}")
    expect(page.locator(".shell[data-live=online]")).to_be_attached()
    box = page.get_by_role("textbox", name="Написать комментарий")
    box.fill("Очень насыщенная неделя")
    # The post is deleted while the reader is writing: the page says so but keeps the text,
    # and the refused comment keeps it too.
    plaza.api("comms").delete(f"/api/posts/{post['id']}")
    expect(page.get_by_role("status").filter(has_text="удал")).to_be_visible()
    expect(box).to_have_value("Очень насыщенная неделя")
    page.get_by_role("button", name="Отправить").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(box).to_have_value("Очень насыщенная неделя")
    page.reload()
    expect(page.get_by_role("heading", name="Не найдено")).to_be_visible()
    context.close()


def test_polls_and_read_confirmations(browser: Browser, plaza: Plaza) -> None:
    comms = plaza.api("comms")
    post = _post(
        comms,
        "Where shall we hold the summer party?",
        channel_id=COMPANY_NEWS,
        needs_confirmation=True,
        poll={"question": "Pick a place", "options": ["By the lake", "In the park"]},
    )
    context = new_context(browser, plaza, "employee", locale="ru", viewport=PHONE)
    page = context.new_page()
    page.goto(f"/posts/{post['id']}")
    card = _card(page, post["id"])
    poll = card.get_by_role("group", name=re.compile("Pick a place"))
    poll.get_by_label("In the park").check()
    poll.get_by_role("button", name="Голосовать").click()
    expect(poll).to_contain_text("100%")
    expect(poll).to_contain_text("1 голос")
    card.get_by_role("button", name="Подтверждаю прочтение").click()
    expect(card).to_contain_text("Вы подтвердили прочтение")
    screenshot(page, "post-phone-ru")
    assert serious_axe_violations(page) == []
    assert sideways_overflow(page) == 0
    context.close()

    # The author sees who has not confirmed yet.
    author = new_context(browser, plaza, "comms")
    page = author.new_page()
    page.goto(f"/posts/{post['id']}")
    confirmations = page.get_by_role("region", name="Read confirmations")
    expect(confirmations).to_contain_text("Confirmed by 1 person")
    expect(confirmations).to_contain_text("have not confirmed yet")
    author.close()
