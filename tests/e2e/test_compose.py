"""The composer and stories as people use them: a post with bold text and a mention picked
with the keyboard, previewed and posted; a poll (and the server's refusal of a bad one, with
the text kept); images, one removed before posting; a comms post in a channel for an
audience with the live count; kudos with points from a director's allowance; a story with a
photo that another browser sees live as an unseen ring, opens and walks through with the
arrow keys, and whose author then sees who has seen it."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.support import (
    PHONE,
    Plaza,
    new_context,
    png,
    screenshot,
    serious_axe_violations,
    sideways_overflow,
)

COMPANY_NEWS = 1  # a mandatory channel of the demo company


def _image(name: str, seed: int = 0) -> dict[str, object]:
    return {"name": name, "mimeType": "image/png", "buffer": png(seed=seed)}


def _composer(page: Page) -> Locator:
    return page.locator("form[data-composer]").first


def _open_feed(page: Page) -> Locator:
    page.goto("/feed")
    expect(page.get_by_role("feed")).to_be_visible()
    expect(page.locator(".shell[data-live=online]")).to_be_attached()
    composer = _composer(page)
    expect(composer).to_be_visible()
    return composer


def _card(page: Page, text: str) -> Locator:
    return page.locator("article[data-post-id]", has_text=text).first


def _colleague(api: httpx.Client, me_id: int) -> dict[str, object]:
    """A person of the demo company other than me, as the autocomplete offers them."""
    for letter in "aeiou":
        items = api.get("/api/mentions", params={"q": letter, "limit": 20}).json()["items"]
        for item in items:
            if item["kind"] == "person" and item["id"] != me_id and len(item["name"]) > 4:
                return dict(item)
    raise AssertionError("the demo company has no colleague to mention")


def _my_post(api: httpx.Client, marker: str) -> dict[str, object]:
    me = api.get("/api/me").json()["id"]
    for post in api.get("/api/feed").json()["items"]:
        if marker in post["body"] and post["author"]["id"] == me:
            return dict(post)
    raise AssertionError(f"no post of mine with {marker!r}")


def test_a_post_with_bold_text_and_a_keyboard_picked_mention(
    browser: Browser, plaza: Plaza
) -> None:
    api = plaza.api("employee")
    me = api.get("/api/me").json()
    colleague = _colleague(api, me["id"])
    name = str(colleague["name"])
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    composer = _open_feed(page)
    field = composer.get_by_role("textbox", name="Post text")

    marker = f"Mention {uuid.uuid4().hex[:8]}"
    field.click()
    field.press_sequentially(f"{marker}: **great** work, @{name[:3]}")
    listbox = page.get_by_role("listbox", name=re.compile("to mention"))
    expect(listbox).to_be_visible()
    option = listbox.get_by_role("option", name=re.compile(re.escape(name)))
    expect(option).to_be_visible()
    screenshot(page, "compose-mention-desktop-en")
    assert serious_axe_violations(page) == []
    # Arrows move the highlighted option (wrapping), Enter inserts the one highlighted.
    count = listbox.get_by_role("option").count()
    field.press("ArrowUp")  # from the first to the last: the list wraps
    expect(listbox.get_by_role("option").nth(count - 1)).to_have_attribute("aria-selected", "true")
    for _ in range(count):
        if option.get_attribute("aria-selected") == "true":
            break
        field.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", re.compile(r"-mentions-\d+$"))
    field.press("Enter")
    expect(listbox).to_have_count(0)
    mention = f"@[{name}]({colleague['kind']}:{colleague['id']})"
    expect(field).to_have_value(f"{marker}: **great** work, {mention} ")
    field.press_sequentially("thanks!")

    # The draft survives a reload.
    page.reload()
    field = _composer(page).get_by_role("textbox", name="Post text")
    expect(field).to_have_value(f"{marker}: **great** work, {mention} thanks!")

    # The preview is the server's rendering: bold text and the mention as a link.
    composer = _composer(page)
    composer.get_by_role("button", name="Preview").click()
    preview = composer.locator(".preview")
    expect(preview.locator("strong")).to_have_text("great")
    expect(preview.get_by_role("link", name=f"@{name}")).to_have_attribute(
        "href", f"/people/{colleague['id']}"
    )
    screenshot(page, "compose-preview-desktop-en")
    composer.get_by_role("button", name="Write").click()

    # Ctrl+Enter posts; the post is at the top of the feed at once, with the mention linked.
    field.press("Control+Enter")
    expect(field).to_have_value("")
    card = page.locator("article[data-post-id]:not(.pinned)", has_text=marker).first
    expect(card).to_be_visible()
    expect(card.locator("strong")).to_have_text("great")
    expect(card.get_by_role("link", name=f"@{name}")).to_have_attribute(
        "href", f"/people/{colleague['id']}"
    )
    post = _my_post(api, marker)
    assert mention in str(post["body"])
    # Nothing is left in the draft after it was accepted.
    page.reload()
    expect(_composer(page).get_by_role("textbox", name="Post text")).to_have_value("")
    context.close()


def test_a_poll_post_and_a_refused_poll_keeps_the_text(browser: Browser, plaza: Plaza) -> None:
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    composer = _open_feed(page)
    marker = f"Poll {uuid.uuid4().hex[:8]}"
    composer.get_by_role("textbox", name="Post text").fill(f"{marker}: lunch?")
    composer.get_by_role("button", name="Poll", exact=True).click()
    expect(composer.get_by_role("button", name="Poll", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    composer.get_by_label("Question").fill("Where do we eat?")
    composer.get_by_role("textbox", name="Option 1").fill("Canteen")
    composer.get_by_role("textbox", name="Option 2").fill("Canteen")
    composer.get_by_role("button", name="Add an option").click()
    expect(composer.get_by_role("textbox", name="Option 3")).to_be_focused()
    composer.get_by_role("textbox", name="Option 3").fill("Pizza")
    # Enter in the last option adds one (and never posts by surprise).
    composer.get_by_role("textbox", name="Option 3").press("Enter")
    expect(composer.get_by_role("textbox", name="Option 4")).to_be_focused()
    composer.get_by_role("button", name="Remove option 4").click()
    expect(composer.get_by_role("textbox", name="Option 4")).to_have_count(0)
    screenshot(page, "compose-poll-desktop-en")

    # Two equal options: the server refuses, its reason shows and nothing typed is lost.
    refused = plaza.api("employee").post(
        "/api/posts",
        json={"body": "x", "poll": {"question": "q", "options": ["Canteen", "Canteen", "Pizza"]}},
    )
    assert refused.status_code == 422
    composer.get_by_role("button", name="Post", exact=True).click()
    expect(composer.get_by_role("alert")).to_have_text(refused.json()["detail"])
    expect(composer.get_by_role("textbox", name="Post text")).to_have_value(f"{marker}: lunch?")
    expect(composer.get_by_label("Question")).to_have_value("Where do we eat?")

    composer.get_by_role("textbox", name="Option 2").fill("Café")
    composer.get_by_role("button", name="Post", exact=True).click()
    card = _card(page, marker)
    expect(card).to_be_visible()
    expect(card).to_contain_text("Where do we eat?")
    expect(card).to_contain_text("Pizza")
    expect(composer.get_by_label("Question")).to_have_count(0)
    post = _my_post(plaza.api("employee"), marker)
    assert post["poll_id"]
    context.close()


def test_an_image_post_with_one_image_removed_before_posting(
    browser: Browser, plaza: Plaza
) -> None:
    context = new_context(browser, plaza, "employee", viewport=PHONE)
    page = context.new_page()
    composer = _open_feed(page)
    marker = f"Images {uuid.uuid4().hex[:8]}"
    composer.get_by_role("textbox", name="Post text").fill(marker)
    composer.locator("input[type=file]").set_input_files(
        [_image("first.png", 1), _image("second.png", 60)]  # type: ignore[list-item]
    )
    thumbs = composer.get_by_role("list", name="Images").get_by_role("listitem")
    expect(thumbs).to_have_count(2)
    expect(composer.get_by_role("img", name="Image 2: second.png")).to_be_visible()
    # Both are on the server before posting (no spinner left).
    expect(composer.locator(".thumb .state")).to_have_count(0)
    screenshot(page, "compose-images-phone-en")
    assert sideways_overflow(page) == 0
    composer.get_by_role("button", name="Remove image first.png").click()
    expect(thumbs).to_have_count(1)
    composer.get_by_role("button", name="Post", exact=True).click()
    card = _card(page, marker)
    expect(card.locator(".images img")).to_have_count(1)
    post = _my_post(plaza.api("employee"), marker)
    attachments = post["attachments"]
    assert isinstance(attachments, list) and len(attachments) == 1
    assert attachments[0]["name"] == "second.png"
    context.close()


def test_comms_targets_an_audience_and_sees_how_many_it_reaches(
    browser: Browser, plaza: Plaza
) -> None:
    comms = plaza.api("comms")
    places = comms.get("/api/audience/places").json()
    region = places["regions"][0]
    expected = comms.post("/api/audience/count", json={"tokens": [f"region:{region['id']}"]}).json()
    channel = next(c for c in comms.get("/api/channels").json()["items"] if c["id"] == COMPANY_NEWS)

    # An employee has no audience to choose (the server would refuse it anyway).
    employee = new_context(browser, plaza, "employee")
    page = employee.new_page()
    composer = _open_feed(page)
    expect(composer.get_by_role("button", name="Kudos")).to_be_visible()
    expect(composer.get_by_role("button", name="Audience")).to_have_count(0)
    expect(composer.get_by_role("combobox", name="Where to post")).to_have_count(0)
    employee.close()

    context = new_context(browser, plaza, "comms")
    page = context.new_page()
    composer = _open_feed(page)
    composer.get_by_role("combobox", name="Where to post").select_option(
        label=f"Channel: {channel['name']}"
    )
    composer.get_by_role("button", name="Audience").click()
    audience = composer.get_by_role("group", name="Audience")
    expect(audience.get_by_text("Everyone who reads the channel.")).to_be_visible()
    audience.get_by_text("Regions").click()
    audience.get_by_role("checkbox", name=region["name"]).check()
    count = expected["count"]
    expect(audience.get_by_role("status")).to_have_text(
        re.compile(rf"Reaches {count:,} (person|people)".replace(",", "[,  ]?"))
    )
    expect(
        audience.get_by_role("button", name=f"Remove {region['name']} from the audience")
    ).to_be_visible()
    screenshot(page, "compose-audience-desktop-en")
    assert serious_axe_violations(page) == []

    marker = f"Audience {uuid.uuid4().hex[:8]}"
    composer.get_by_role("textbox", name="Post text").fill(marker)
    composer.get_by_role("button", name="Post", exact=True).click()
    expect(composer.get_by_role("textbox", name="Post text")).to_have_value("")
    posts = comms.get(f"/api/channels/{COMPANY_NEWS}/posts").json()["items"]
    post = next(p for p in posts if p["body"] == marker)
    assert f"region:{region['id']}" in post["audience"]
    context.close()


def test_kudos_with_points_from_a_directors_allowance(browser: Browser, plaza: Plaza) -> None:
    director = plaza.api("director")
    me = director.get("/api/me").json()
    colleague = _colleague(director, me["id"])
    before = director.get("/api/me/allowance").json()

    context = new_context(browser, plaza, "director", locale="ru")
    page = context.new_page()
    composer = _open_feed(page)
    composer.get_by_role("button", name="Спасибо").click()
    picker = composer.get_by_role("combobox", name="Кого вы благодарите?")
    expect(picker).to_be_focused()
    picker.press_sequentially(str(colleague["name"])[:4])
    option = page.get_by_role("option", name=re.compile(re.escape(str(colleague["name"]))))
    expect(option).to_be_visible()
    while option.get_attribute("aria-selected") != "true":
        picker.press("ArrowDown")
    picker.press("Enter")
    expect(composer.get_by_text(str(colleague["name"]), exact=True)).to_be_visible()
    expect(composer.get_by_text(re.compile(r"Осталось .* в этом месяце"))).to_be_visible()
    composer.get_by_label("Баллы из вашего лимита (необязательно)").fill("5")
    marker = f"Kudos {uuid.uuid4().hex[:8]}"
    composer.get_by_role("textbox", name="За что вы благодарите").fill(
        f"{marker}: спасибо за помощь"
    )
    screenshot(page, "compose-kudos-desktop-ru")
    assert serious_axe_violations(page) == []
    composer.get_by_role("button", name="Поблагодарить").click()
    card = _card(page, marker)
    expect(card).to_be_visible()
    expect(
        card.get_by_role("link", name=re.compile(re.escape(str(colleague["name"]))))
    ).to_be_visible()
    post = _my_post(director, marker)
    assert post["kind"] == "kudos"
    assert post["kudos_to"]["id"] == colleague["id"]  # type: ignore[index]
    after = director.get("/api/me/allowance").json()
    assert after["left"] == before["left"] - 5
    context.close()


def test_a_story_with_a_photo_seen_live_walked_through_and_its_viewer_shown(
    browser: Browser, plaza: Plaza
) -> None:
    author_api = plaza.api("moderator")
    author = author_api.get("/api/me").json()
    reader = new_context(browser, plaza, "employee", viewport=PHONE)
    reader_page = reader.new_page()
    _open_feed(reader_page)
    stories = reader_page.get_by_role("region", name="Stories")
    expect(stories.get_by_role("button", name="Add a story")).to_be_visible()

    # The author shares a photo with a caption from the composer dialog.
    context = new_context(browser, plaza, "moderator")
    page = context.new_page()
    _open_feed(page)
    page.get_by_role("region", name="Stories").get_by_role("button", name="Add a story").click()
    dialog = page.get_by_role("dialog", name="New story")
    expect(dialog).to_be_visible()
    dialog.locator("input[type=file]").set_input_files(_image("story.png", 30))  # type: ignore[arg-type]
    expect(dialog.get_by_role("img", name="The chosen photo")).to_be_visible()
    caption = f"Morning at the store {uuid.uuid4().hex[:6]}"
    dialog.get_by_label("Caption (optional)").fill(caption)
    screenshot(page, "story-new-desktop-en")
    assert serious_axe_violations(page) == []
    dialog.get_by_role("button", name="Share the story").click()
    expect(dialog).to_have_count(0)
    second = author_api.post(
        "/api/stories", json={"text": "And a second one", "background": "#0f766e"}
    )
    assert second.status_code == 201, second.text

    # The reader's bar shows the new ring, unseen, without a reload.
    ring = stories.locator(f"button[data-ring='{author['id']}']")
    expect(ring).to_have_attribute("data-unseen", "true", timeout=5_000)
    expect(ring).to_have_accessible_name(re.compile("not all seen"))
    ring.click()
    viewer = reader_page.get_by_role("dialog", name=author["name"])
    expect(viewer).to_be_visible()
    expect(viewer.get_by_role("img", name=caption)).to_be_visible()
    expect(viewer).to_contain_text("1 of 2")
    screenshot(reader_page, "story-viewer-phone-en")
    assert serious_axe_violations(reader_page) == []
    reader_page.keyboard.press("ArrowRight")
    expect(viewer).to_contain_text("2 of 2")
    expect(viewer).to_contain_text("And a second one")
    reader_page.keyboard.press("ArrowLeft")
    expect(viewer).to_contain_text("1 of 2")
    viewer.get_by_role("button", name="Next story").click()
    expect(viewer).to_contain_text("2 of 2")
    reader_page.keyboard.press("Escape")
    expect(viewer).to_have_count(0)
    expect(ring).to_have_attribute("data-unseen", "false")

    # The author opens their own story and sees who has seen it.
    page.reload()
    page.get_by_role("region", name="Stories").get_by_role(
        "button", name=re.compile("Your stories")
    ).click()
    own = page.get_by_role("dialog", name=author["name"])
    expect(own).to_be_visible()
    own.get_by_role("button", name="Who has seen it").click()
    reader_name = plaza.api("employee").get("/api/me").json()["name"]
    expect(
        own.get_by_role("list", name="Who has seen it").get_by_role("link", name=reader_name)
    ).to_be_visible()
    expect(own.get_by_role("button", name=re.compile(r"Seen by \d+"))).to_be_visible()
    screenshot(page, "story-viewers-desktop-en")

    # The author deletes the second story after confirming; the first stays.
    page.keyboard.press("ArrowRight")
    expect(own).to_contain_text("And a second one")
    own.get_by_role("button", name="Delete this story").click()
    own.get_by_role("group", name="Delete this story?").get_by_role("button", name="Delete").click()
    expect(own).to_have_count(0)
    rings = author_api.get("/api/stories").json()["rings"]
    mine = next(r for r in rings if r["author"]["id"] == author["id"])
    assert [s["text"] for s in mine["stories"]] == [caption]
    context.close()
    reader.close()


def test_stories_move_on_by_themselves_unless_paused(browser: Browser, plaza: Plaza) -> None:
    """Without a reduced-motion preference the viewer advances on its own; Pause stops it."""
    admin = plaza.api("admin")
    author = admin.get("/api/me").json()
    for text in ("First of two", "Second of two"):
        response = admin.post("/api/stories", json={"text": text, "background": "#7c3aed"})
        assert response.status_code == 201, response.text
    context = new_context(browser, plaza, "director")
    page = context.new_page()
    page.emulate_media(reduced_motion="no-preference")
    _open_feed(page)
    ring = page.get_by_role("region", name="Stories").locator(f"button[data-ring='{author['id']}']")
    ring.click()
    viewer = page.get_by_role("dialog", name=author["name"])
    expect(viewer).to_contain_text("First of two")
    expect(viewer).to_contain_text("Second of two", timeout=12_000)
    viewer.get_by_role("button", name="Pause").click()
    expect(viewer.get_by_role("button", name="Play")).to_be_visible()
    page.wait_for_timeout(7_000)
    expect(viewer).to_contain_text("Second of two")
    page.keyboard.press("Escape")
    expect(viewer).to_have_count(0)
    context.close()


def _bar_layout(composer: Locator) -> dict[str, float]:
    """Where the composer's Post button sits against its tool icons and its bar."""
    return dict(
        composer.evaluate(
            """form => {
                const bar = form.querySelector('.bar').getBoundingClientRect();
                const tools = form.querySelector('.tools').getBoundingClientRect();
                const send = form.querySelector('button[type=submit]').getBoundingClientRect();
                return {barLeft: bar.left, barRight: bar.right, toolsTop: tools.top,
                        toolsBottom: tools.bottom, toolsRight: tools.right,
                        sendTop: send.top, sendLeft: send.left, sendRight: send.right,
                        sendHeight: send.height};
            }"""
        )
    )


def test_the_composer_bar_fits_a_russian_phone(browser: Browser, plaza: Plaza) -> None:
    """At 360 px in Russian, "Опубликовать" stays beside the three tools; with a fourth
    (a channel's audience) it takes a whole row of its own, never half a row below; the
    comms' "where to post" choice is not squeezed by the Text/Preview tabs."""
    context = new_context(browser, plaza, "employee", locale="ru", viewport=PHONE)
    page = context.new_page()
    composer = _open_feed(page)
    send = composer.get_by_role("button", name="Опубликовать")
    expect(send).to_be_visible()
    bar = _bar_layout(composer)
    assert bar["sendTop"] < bar["toolsBottom"], bar  # one row
    assert bar["sendLeft"] >= bar["toolsRight"], bar
    assert bar["sendRight"] <= bar["barRight"] + 0.5, bar
    assert bar["sendHeight"] >= 44, bar
    assert sideways_overflow(page) == 0
    context.close()

    comms = new_context(browser, plaza, "comms", locale="ru", viewport=PHONE)
    page = comms.new_page()
    composer = _open_feed(page)
    channels = plaza.api("comms").get("/api/channels").json()["items"]
    channel = next(c for c in channels if c["id"] == COMPANY_NEWS)
    where = composer.get_by_role("combobox", name="Где опубликовать")
    where.select_option(label=f"Канал: {channel['name']}")
    expect(composer.get_by_role("button", name="Аудитория")).to_be_visible()
    # The place's name is readable: the choice spans the composer, not squeezed by the tabs.
    box = where.bounding_box()
    assert box is not None and box["width"] > 250, box
    bar = _bar_layout(composer)
    assert bar["sendTop"] >= bar["toolsBottom"], bar  # a row of its own...
    assert abs(bar["sendLeft"] - bar["barLeft"]) < 1, bar  # ...the whole of it
    assert abs(bar["sendRight"] - bar["barRight"]) < 1, bar
    screenshot(page, "compose-bar-phone-ru")
    assert sideways_overflow(page) == 0
    comms.close()
