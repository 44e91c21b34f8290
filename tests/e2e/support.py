"""What the browser tests share: a real Plaza started as `plaza up` starts it, Debian's
Chromium driven by Playwright, and the checks every screen must pass (axe, 360 px)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page

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

    def api(self, who: str) -> httpx.Client:
        """An HTTP client signed in as a demo person, with the CSRF header set."""
        client = httpx.Client(base_url=self.url, timeout=20)
        response = client.post(
            "/api/auth/login", json={"email": demo_email(who), "password": DEMO_PASSWORD}
        )
        response.raise_for_status()
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
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
        response = context.request.post(
            "/api/auth/login", data={"email": demo_email(who), "password": DEMO_PASSWORD}
        )
        assert response.ok, response.text()
        csrf = response.json()["csrf_token"]
        context.request.patch("/api/me", data={"locale": locale}, headers={"X-CSRF-Token": csrf})
    return context


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
