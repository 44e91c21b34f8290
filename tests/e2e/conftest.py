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
