"""Browser tests: one Plaza with demo data for the whole run (tests that would disturb it
start their own), one Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, Plaza, running_plaza

# Two cores shared with the server, its worker and Redis: give the page time under load.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def plaza(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plaza]:
    with running_plaza(tmp_path_factory.mktemp("plaza-e2e")) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _close_what_a_test_left_open(browser: Browser) -> Iterator[None]:
    """A test that fails half-way leaves its browser profiles signed in, and the next test
    would find those people online (presence) or their pages still acting: close them."""
    yield
    for context in list(browser.contexts):
        context.close()
