"""What the browser tests share: a real Plaza started as `plaza up` starts it, Debian's
Chromium driven by Playwright, and the checks every screen must pass (axe, 360 px)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PLAZA_BIN = str(Path(sys.executable).with_name("plaza"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DEMO_DOMAIN = "plaza.example.com"
DEMO_PASSWORD = "Plaza-demo-2026"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 860}


def demo_email(who: str) -> str:
    """employee, director, comms, moderator, admin."""
    return f"{who}@{DEMO_DOMAIN}"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Plaza:
    """One running Plaza (web + worker + private Redis) on a loopback port."""

    var_dir: Path
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    sessions: dict[str, tuple[dict[str, str], str]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def plaza(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [PLAZA_BIN, *args],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=180,
        )

    def start(self) -> None:
        log = (self.var_dir / "plaza.log").open("ab")
        self.process = subprocess.Popen(
            [PLAZA_BIN, "up", "--port", str(self.port)],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"plaza up exited: see {self.var_dir / 'plaza.log'}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("plaza up did not become ready in 60 s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def sign_in(self, who: str, *, fresh: bool = False) -> tuple[dict[str, str], str]:
        """A demo person's session cookies and CSRF token. One sign-in per person for the
        run (a password hash costs the server real CPU), shared by every client and browser
        context; `fresh` signs in again (the shared session was ended)."""
        if fresh or who not in self.sessions:
            with httpx.Client(base_url=self.url, timeout=20) as client:
                response = client.post(
                    "/api/auth/login", json={"email": demo_email(who), "password": DEMO_PASSWORD}
                )
                response.raise_for_status()
                self.sessions[who] = (dict(client.cookies), response.json()["csrf_token"])
        return self.sessions[who]

    def api(self, who: str) -> httpx.Client:
        """An HTTP client signed in as a demo person, with the CSRF header set."""
        cookies, csrf = self.sign_in(who)
        client = httpx.Client(base_url=self.url, timeout=20, cookies=cookies)
        client.headers["X-CSRF-Token"] = csrf
        if client.get("/api/me").status_code == 401:  # the shared session was ended
            cookies, csrf = self.sign_in(who, fresh=True)
            client.cookies.clear()
            client.cookies.update(cookies)
            client.headers["X-CSRF-Token"] = csrf
        return client


@contextlib.contextmanager
def running_plaza(var_dir: Path, **env: str) -> Iterator[Plaza]:
    environment = {
        **os.environ,
        "PLAZA_VAR_DIR": str(var_dir),
        "PLAZA_EMAIL_DOMAINS": DEMO_DOMAIN,
        "PLAZA_LOG_FORMAT": "text",
        "PLAZA_SECRET_KEY": "e2e-secret-" + "x" * 40,
        # Browser tests sign in often from one address, and write quickly.
        "PLAZA_LOGIN_FAILURES_PER_IP": "10000",
        "PLAZA_WRITES_PER_MINUTE": "10000",
        **env,
    }
    environment.pop("PLAZA_DATABASE_URL", None)
    environment.pop("PLAZA_REDIS_URL", None)
    plaza = Plaza(var_dir=var_dir, port=_free_port(), env=environment)
    plaza.plaza("migrate")
    plaza.plaza("demo")
    plaza.start()
    try:
        yield plaza
    finally:
        plaza.stop()


def new_context(
    browser: Browser,
    plaza: Plaza,
    who: str | None = "employee",
    *,
    locale: str = "en",
    viewport: dict[str, int] | None = None,
) -> BrowserContext:
    """A fresh browser profile, signed in as a demo person (None: signed out), in a language.

    The language is the one a real person would see: the browser's, then the profile's."""
    context = browser.new_context(
        base_url=plaza.url,
        locale="ru-RU" if locale == "ru" else "en-GB",
        viewport=viewport or DESKTOP,  # type: ignore[arg-type]
        reduced_motion="reduce",
    )
    context.set_default_timeout(10_000)
    context.add_init_script(f"localStorage.setItem('PARAGLIDE_LOCALE', '{locale}')")
    if who is not None:
        for fresh in (False, True):
            cookies, csrf = plaza.sign_in(who, fresh=fresh)
            context.clear_cookies()
            context.add_cookies(
                [
                    {
                        "name": k,
                        "value": v,
                        "url": plaza.url,
                        "sameSite": "Lax",
                        "httpOnly": k != "plaza_csrf",
                    }
                    for k, v in cookies.items()
                ]
            )
            response = context.request.patch(
                "/api/me", data={"locale": locale}, headers={"X-CSRF-Token": csrf}
            )
            if response.status != 401:  # 401: the shared session was ended; sign in again
                break
        assert response.ok, response.text()
    return context


def eventually(probe: Callable[[], bool], seconds: float = 15) -> bool:
    """Whether `probe()` comes true within `seconds`: for what the server does after the
    page already shows it (an optimistic update, a job), read back through the API."""
    deadline = time.monotonic() + seconds
    while not probe():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def screenshot(page: Page, name: str) -> Path:
    """Writes docs/screenshots/<name>.png (the README shows them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


_axe = Axe()


def serious_axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now."""
    results = _axe.run(page)
    violations = results.response.get("violations", [])
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in violations
        if v.get("impact") in ("serious", "critical")
    ]


def sideways_overflow(page: Page) -> int:
    """How many pixels the page scrolls sideways (0: it fits the width)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


# -- the checks every screen passes, in each language and on each device -------------------

MESSAGES = ROOT / "web" / "messages"


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item.get("match", {}) if isinstance(item, dict) else item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _catalogue(locale: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(MESSAGES.rglob(f"{locale}.json")):
        data = json.loads(path.read_text())
        for key, value in data.items():
            if key != "$schema":
                for index, text in enumerate(_strings(value)):
                    found[f"{path.parent.name}:{key}:{index}"] = text
    return found


def english_phrases() -> list[str]:
    """The app's English sentences that a Russian screen must not show: the fixed parts of
    each message (placeholders cut out), at least two words long, and not the same in
    Russian (names like "Plaza" or "English" are)."""
    russian = set(_catalogue("ru").values())
    phrases: set[str] = set()
    for text in _catalogue("en").values():
        if text in russian:
            continue
        for part in re.split(r"\{[^}]*\}", text):
            part = part.strip(" .,:;!?…·()")
            if len(part.split()) >= 2 and re.search("[A-Za-z]{3}", part):
                phrases.add(part)
    # The name an anonymised leaver gets is stored data in the company's language (like any
    # name), not a sentence of the app: the shared server has one since test_privacy.
    return sorted(phrases - {"Former employee"})


ENGLISH = english_phrases()


def english_on(page: Page) -> list[str]:
    text = page.evaluate("document.body.innerText")
    labels = page.evaluate(
        "[...document.querySelectorAll('[aria-label],[placeholder],[title]')]"
        ".map(e => [e.getAttribute('aria-label'), e.getAttribute('placeholder'),"
        " e.getAttribute('title')].filter(Boolean).join(' ')).join('\\n')"
    )
    seen = f"{text}\n{labels}"
    return [phrase for phrase in ENGLISH if phrase in seen]


LOCALES_AND_DEVICES = (("en", "desktop"), ("ru", "desktop"), ("en", "phone"), ("ru", "phone"))


def check_screens(
    browser: Browser,
    plaza: Plaza,
    who: str,
    screens: dict[str, str],
    *,
    combos: tuple[tuple[str, str], ...] = LOCALES_AND_DEVICES,
    ready: Callable[[Page, str], None] | None = None,
    not_busy: str | None = None,
    init_script: str | None = None,
) -> dict[str, object]:
    """Opens each screen (name -> path) as `who` in each (locale, device): writes
    docs/screenshots/<name>-<device>-<locale>.png and returns the problems found (axe's
    serious and critical violations, sideways scroll at 360 px, English in the Russian UI).
    `ready(page, name)` waits for what a screen must show before it is judged; `not_busy`
    is a selector that must match nothing (loading done)."""
    problems: dict[str, object] = {}
    for locale, device in combos:
        viewport = PHONE if device == "phone" else None
        with new_context(browser, plaza, who, locale=locale, viewport=viewport) as context:
            page = context.new_page()
            if init_script:
                page.add_init_script(init_script)
            for name, path in screens.items():
                page.goto(path)
                expect(page.locator("main h1").first).to_be_visible()
                if ready is not None:
                    ready(page, name)
                page.wait_for_load_state("networkidle")
                if not_busy:
                    expect(page.locator(not_busy)).to_have_count(0)
                screenshot(page, f"{name}-{device}-{locale}")
                if violations := serious_axe_violations(page):
                    problems[f"{name} {device} {locale}: axe"] = violations
                if overflow := sideways_overflow(page):
                    problems[f"{name} {device} {locale}: {overflow}px sideways"] = path
                if locale == "ru" and (english := english_on(page)):
                    problems[f"{name} {device}: English in the Russian UI"] = english
    return problems


def png(width: int = 48, height: int = 64, seed: int = 0) -> bytes:
    """A small real PNG (a colour gradient), as a phone's photo would be for the server."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            row += bytes([(x * 5 + seed) % 256, (y * 4) % 256, (120 + seed * 3) % 256])
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )
