"""Benchmark of the browser app's first load: prints figures, asserts nothing.

    python -m bench.web_bundle            # the signed-in home page (/feed)
    python -m bench.web_bundle --quick    # the same (it only reads files): a smoke run
    python -m bench.web_bundle --route /(app)/notifications

What a browser downloads to show `/feed` the first time, from the build the server serves
(`web/build`, made by `make web`): the modules `index.html` starts (`entry/start`,
`entry/app`) and every module they import statically, the root layout, the `(app)` layout
and the feed page's node with everything their `__vite__mapDeps` preload lists name, and
their CSS. Lazily imported chunks (charts, the rule editor, other pages) are not counted.
Each file is gzipped (level 6, what servers and CDNs use); prints JS and CSS totals
against the budget (150 KB gzip) and the largest chunks, named by their sources when the
Vite manifest of the build is there.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "web" / "build"
VITE_MANIFEST = ROOT / "web" / ".svelte-kit" / "output" / "client" / ".vite" / "manifest.json"
BUDGET = 150 * 1024  # bytes of gzip, JS and CSS together
IMMUTABLE = "_app/immutable"

STATIC_IMPORT = re.compile(
    r"""(?:\bimport|\bexport)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'](\.{1,2}/[^"']+)["']"""
)
ENTRY_IMPORT = re.compile(r"""import\(\s*["'](/_app/immutable/[^"']+)["']\s*\)""")
STYLESHEET = re.compile(r"""<link\s+href="(/_app/immutable/[^"]+\.css)"\s+rel="stylesheet\"""")
MAP_FILES = re.compile(r"m\.f=\[([^\]]*)\]")
NODE_LOADER = re.compile(
    r"""import\("\.\./nodes/(\d+)\.[^"]+"\)(?:,__vite__mapDeps\(\[([\d,]*)\]\))?"""
)
ROUTES = re.compile(r'"(/[^"]*)":\[(-?\d+),\[([-\d,]*)\]')


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def resolve(base: Path, relative: str) -> Path:
    return (base.parent / relative).resolve()


class Bundle:
    """The files one route's first load fetches, found from the build's own references."""

    def __init__(self, build: Path) -> None:
        self.build = build.resolve()
        self.files: set[Path] = set()

    def add_module(self, path: Path) -> None:
        if path in self.files or not path.exists():
            return
        self.files.add(path)
        if path.suffix != ".js":
            return
        text = path.read_text(errors="replace")
        for relative in STATIC_IMPORT.findall(text):
            self.add_module(resolve(path, relative))

    def url(self, href: str) -> Path:
        return (self.build / href.lstrip("/")).resolve()


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def first_load(build: Path, route: str) -> tuple[Bundle, list[int]]:
    index = (build / "index.html").read_text()
    bundle = Bundle(build)
    entries = [bundle.url(h) for h in ENTRY_IMPORT.findall(index)]
    if not entries:
        raise SystemExit("web/build/index.html starts no module: is it a SvelteKit build?")
    for entry in entries:
        bundle.add_module(entry)
    for href in STYLESHEET.findall(index):
        bundle.add_module(bundle.url(href))
    app = next((e for e in entries if e.name.startswith("app.")), None)
    if app is None:
        raise SystemExit("no entry/app module in web/build/index.html")
    text = app.read_text()
    deps = [d.strip().strip("\"'") for d in (MAP_FILES.search(text) or [None, ""])[1].split(",")]
    loaders = {int(n): _ints(ids) for n, ids in NODE_LOADER.findall(text)}
    routes = {r: (int(page), _ints(layouts)) for r, page, layouts in ROUTES.findall(text)}
    if route not in routes:
        raise SystemExit(f"no route {route!r} in the build; it has: {', '.join(sorted(routes))}")
    page, layouts = routes[route]
    nodes = [0, *(abs(n) for n in layouts), abs(page)]  # 0: the root layout, always loaded
    for node in nodes:
        for index_ in loaders.get(node, []):
            bundle.add_module(resolve(app, deps[index_]))
    return bundle, nodes


def sources() -> dict[str, str]:
    """Built file -> the source it comes from (Vite's manifest, when the build left it)."""
    if not VITE_MANIFEST.exists():
        return {}
    found: dict[str, str] = {}
    for key, item in json.loads(VITE_MANIFEST.read_text()).items():
        name = item.get("src") or item.get("name") or key
        found[item["file"]] = name.replace(".svelte-kit/generated/client-optimized/", "")
    return found


def kb(size: int) -> str:
    return f"{size / 1024:,.1f} KB"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="the same measure (it is quick)")
    parser.add_argument("--route", default="/(app)/feed", help="a route id of the build")
    parser.add_argument("--top", type=int, default=8, help="how many of the largest to list")
    args = parser.parse_args(argv)
    if not (BUILD / "index.html").exists():
        print("web/build is missing: run `make web` first", file=sys.stderr)
        raise SystemExit(1)

    bundle, nodes = first_load(BUILD, args.route)
    named = sources()
    rows = []
    for path in bundle.files:
        relative = path.relative_to(BUILD.resolve()).as_posix()
        rows.append((gz(path), path.stat().st_size, relative))
    js = sum(g for g, _, r in rows if r.endswith(".js"))
    css = sum(g for g, _, r in rows if r.endswith(".css"))
    raw = sum(s for _, s, _ in rows)
    total = js + css
    print(
        f"first load of {args.route} (nodes {nodes}): {len(rows)} files, "
        f"{sum(r.endswith('.js') for _, _, r in rows)} JS and "
        f"{sum(r.endswith('.css') for _, _, r in rows)} CSS, {kb(raw)} before gzip"
    )
    print(f"  JS  gzip: {kb(js)}")
    print(f"  CSS gzip: {kb(css)}")
    verdict = "within" if total <= BUDGET else "OVER"
    print(
        f"  total gzip {kb(total)} against the budget {kb(BUDGET)}: "
        f"{total / BUDGET:.2f} of the budget ({verdict})"
    )
    print(f"  largest {min(args.top, len(rows))}:")
    for size, plain, relative in sorted(rows, reverse=True)[: args.top]:
        source = named.get(relative, "")
        named_as = f"  ({source})" if source else ""
        print(f"    {kb(size):>10} gzip {kb(plain):>10} raw  {relative}{named_as}")


if __name__ == "__main__":
    main()
