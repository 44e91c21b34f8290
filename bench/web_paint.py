"""Benchmark of the first paint of the home feed on a slow device: prints figures, asserts
nothing.

    python -m bench.web_paint            # 10 cold loads of /feed
    python -m bench.web_paint --quick    # 3 cold loads: a smoke run

Starts a Plaza with demo data as `plaza up` does (see tests/e2e/support.py), then opens
/feed in Debian's Chromium, signed in as an employee, with the CPU slowed down 4x through
the DevTools protocol (`Emulation.setCPUThrottlingRate`, as Lighthouse's mobile profile
does). Each load is cold (a new browser profile: no HTTP cache, no service worker); one
more is warm (a reload in the same profile). The time is from the navigation's start to
the frame after the first post (`article[data-post-id]`) entered the DOM, measured in the
page (performance.now() in a MutationObserver, then requestAnimationFrame). Prints the
median and the worst against the target of 1.5 s, and what the load fetched.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/web_paint.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, BrowserContext, sync_playwright

from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, Plaza, new_context, running_plaza

TARGET_MS = 1500.0
THROTTLE = 4

FIRST_POST = """
window.__firstPost = null;
new MutationObserver((records, observer) => {
    if (window.__firstPost !== null || !document.querySelector('article[data-post-id]')) return;
    observer.disconnect();
    const inDom = performance.now();
    requestAnimationFrame(() => { window.__firstPost = {inDom, painted: performance.now()}; });
}).observe(document, {subtree: true, childList: true});
"""

RESOURCES = """() => performance.getEntriesByType('resource').reduce((sum, r) => {
    const kind = r.name.endsWith('.css') ? 'css' : r.name.endsWith('.js') ? 'js' : 'other';
    sum[kind].count += 1; sum[kind].bytes += r.transferSize || r.encodedBodySize || 0;
    return sum;
}, {js: {count: 0, bytes: 0}, css: {count: 0, bytes: 0}, other: {count: 0, bytes: 0}})"""


def throttled(browser: Browser, plaza: Plaza) -> BrowserContext:
    context = new_context(browser, plaza, "employee")
    context.add_init_script(FIRST_POST)
    # No service worker: every cold load fetches the app as a first visit does.
    context.route("**/service-worker.js", lambda route: route.abort())
    return context


def load(context: BrowserContext, warm: bool = False) -> tuple[float, float, dict[str, dict]]:
    page = context.pages[0] if warm and context.pages else context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
    if warm:
        page.reload()
    else:
        page.goto("/feed")
    page.wait_for_function("() => window.__firstPost !== null", timeout=30_000)
    timing = page.evaluate("() => window.__firstPost")
    fetched = page.evaluate(RESOURCES)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    return float(timing["inDom"]), float(timing["painted"]), fetched


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 cold loads")
    parser.add_argument("--runs", type=int, default=None, help="cold loads to measure")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 10)
    with tempfile.TemporaryDirectory(prefix="plaza-bench-paint-") as folder:
        started = time.perf_counter()
        with running_plaza(Path(folder)) as plaza:
            print(f"Plaza with demo data up in {time.perf_counter() - started:.1f} s")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    measure(browser, plaza, runs)
                finally:
                    browser.close()


def measure(browser: Browser, plaza: Plaza, runs: int) -> None:
    # One load first, not counted: the server's own caches and Python's imports warm up.
    context = throttled(browser, plaza)
    load(context)
    context.close()
    painted: list[float] = []
    in_dom: list[float] = []
    fetched: dict[str, dict] = {}
    for _ in range(runs):
        context = throttled(browser, plaza)
        dom, paint, fetched = load(context)
        in_dom.append(dom)
        painted.append(paint)
        context.close()
    context = throttled(browser, plaza)
    load(context)
    _, warm, _ = load(context, warm=True)
    context.close()
    median, worst = statistics.median(painted), max(painted)
    verdict = "met" if median < TARGET_MS else "MISSED"
    print(
        f"first post painted on /feed, CPU {THROTTLE}x slower, {runs} cold loads: "
        f"median {median:.0f} ms, worst {worst:.0f} ms (in the DOM: median "
        f"{statistics.median(in_dom):.0f} ms); median / target {TARGET_MS:.0f} ms = "
        f"{median / TARGET_MS:.2f} ({verdict}); worst / target = {worst / TARGET_MS:.2f}"
    )
    print(f"  warm reload (HTTP cache): {warm:.0f} ms")
    parts = ", ".join(
        f"{kind} {v['count']} files {v['bytes'] / 1024:,.1f} KB" for kind, v in fetched.items()
    )
    print(f"  one cold load fetched (as transferred): {parts}")


if __name__ == "__main__":
    main()
