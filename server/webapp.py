"""Serving the browser app (web/build) from the API's origin.

Same origin means the session cookie and CSRF work as they do for the API and no CORS is
opened. Hashed files under /_app/immutable/ never change, so they are cached for a year;
index.html is answered for every app path, uncached, so a new release takes effect on the
next navigation. Paths under /api, /socket.io and the operations routes are never the app:
an unknown one there stays a JSON 404. Text files (JS, CSS, HTML, JSON, SVG) go gzipped to
a browser that accepts it, compressed once per file version and kept in memory (the whole
build is a few hundred KB): the first-load budget is counted in gzip bytes.
"""

from __future__ import annotations

import gzip
import mimetypes
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
NOT_THE_APP = ("api/", "socket.io/", "healthz", "readyz", "metrics")

mimetypes.add_type("application/manifest+json", ".webmanifest")

COMPRESSIBLE = {".js", ".mjs", ".css", ".html", ".json", ".svg", ".webmanifest", ".txt"}
MIN_GZIP = 512  # bytes: smaller files gain nothing
_gzipped: dict[Path, tuple[float, int, bytes]] = {}


def _gzip_of(path: Path) -> bytes | None:
    """The file gzipped (cached by path, mtime and size), or None when not worth it."""
    if path.suffix not in COMPRESSIBLE:
        return None
    stat = path.stat()
    if stat.st_size < MIN_GZIP:
        return None
    kept = _gzipped.get(path)
    if kept and kept[0] == stat.st_mtime and kept[1] == stat.st_size:
        return kept[2]
    body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
    _gzipped[path] = (stat.st_mtime, stat.st_size, body)
    return body


def _accepts_gzip(request: Request) -> bool:
    return any(
        part.split(";")[0].strip() == "gzip"
        for part in request.headers.get("accept-encoding", "").split(",")
    )


def _file(request: Request, path: Path, cache: str, media_type: str | None = None) -> Response:
    if _accepts_gzip(request) and (body := _gzip_of(path)) is not None:
        kind = media_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith("javascript"):
            kind = kind if "charset" in kind else f"{kind}; charset=utf-8"
        headers = {"cache-control": cache, "content-encoding": "gzip", "vary": "accept-encoding"}
        return Response(body, media_type=kind, headers=headers)
    return FileResponse(path, media_type=media_type, headers={"cache-control": cache})


def default_web_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "web" / "build"


def web_routes(build: Path, fallback_html: bytes) -> list[BaseRoute]:
    """The app's routes; `fallback_html` is served while no build exists (a bare server)."""
    root = build.resolve()

    async def app_page(request: Request) -> Response:
        path: str = request.path_params.get("path", "")
        if path.startswith(NOT_THE_APP):
            raise HTTPException(404)
        index = root / "index.html"
        if not index.is_file():
            return Response(fallback_html, media_type="text/html; charset=utf-8")
        if path:
            candidate = (root / path).resolve()
            # A file of the build (icons, manifest, service worker), never outside it.
            if candidate.is_relative_to(root) and candidate.is_file():
                immutable = path.startswith("_app/immutable/")
                return _file(request, candidate, IMMUTABLE if immutable else NO_CACHE)
            if path.startswith("_app/"):
                raise HTTPException(404)
        return _file(request, index, NO_CACHE, "text/html; charset=utf-8")

    # GET only: an API route asked with a method it lacks must stay a 405 (a full match of
    # this catch-all would win over the API route's partial one).
    return [Route("/", app_page), Route("/{path:path}", app_page)]
