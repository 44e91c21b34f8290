"""A Plaza restart under open pages: the banner says it is reconnecting, what the person was
typing stays, and once the server is back the page catches up without a reload (a post made
meanwhile waits in the pill). Runs its own Plaza: stopping the shared one would break the
other tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.support import Plaza, new_context, running_plaza, screenshot

COMPANY_NEWS = 1  # a mandatory channel of the demo company: every employee reads it


@pytest.fixture(scope="module")
def own_plaza(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plaza]:
    var_dir: Path = tmp_path_factory.mktemp("plaza-restart")
    with running_plaza(var_dir) as running:
        yield running


def test_a_restart_keeps_the_draft_and_the_feed_catches_up(
    browser: Browser, own_plaza: Plaza
) -> None:
    plaza = own_plaza
    post = plaza.api("employee").get("/api/feed").json()["items"][0]
    context = new_context(browser, plaza, "employee")
    feed = context.new_page()
    feed.goto("/feed")
    expect(feed.get_by_role("feed")).to_be_visible()
    expect(feed.locator(".shell[data-live=online]")).to_be_attached()

    reader = context.new_page()
    reader.goto(f"/posts/{post['id']}")
    expect(reader.locator(".shell[data-live=online]")).to_be_attached()
    draft = f"Half a thought about the schedule {uuid.uuid4().hex[:6]}"
    box = reader.get_by_role("textbox").last
    box.fill(draft)

    plaza.stop()
    for page in (feed, reader):
        expect(page.locator("[data-connection=reconnecting]")).to_be_visible(timeout=15_000)
        expect(page.locator(".shell[data-live=reconnecting]")).to_be_attached()
    screenshot(feed, "feed-reconnecting-desktop-en")
    # Sending while the server is away fails with a sentence, and the text stays.
    reader.get_by_role("button", name="Comment", exact=True).last.click()
    expect(reader.get_by_role("alert").last).to_be_visible(timeout=15_000)
    expect(box).to_have_value(draft)

    plaza.start()
    # Socket.IO's back-off is at most 30 s (with jitter) before it tries again.
    for page in (feed, reader):
        expect(page.locator(".shell[data-live=online]")).to_be_attached(timeout=45_000)

    marker = f"Posted while you were away {uuid.uuid4().hex[:8]}"
    made = plaza.api("comms").post("/api/posts", json={"body": marker, "channel_id": COMPANY_NEWS})
    assert made.status_code == 201, made.text
    pill = feed.get_by_role("button", name="1 new post")
    expect(pill).to_be_visible(timeout=5_000)
    pill.click()
    expect(feed.locator(f'article[data-post-id="{made.json()["id"]}"]')).to_contain_text(marker)

    # The draft is still there, in the field and after a reload of the page.
    expect(box).to_have_value(draft)
    reader.reload()
    expect(reader.get_by_role("textbox").last).to_have_value(draft)
    context.close()
