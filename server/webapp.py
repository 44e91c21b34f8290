"""Serving the browser app (web/build) from the API's origin.

Same origin means the session cookie and CSRF work as they do for the API and no CORS is
opened. Hashed files under /_app/immutable/ never change, so they are cached for a year;
index.html is answered for every app path, uncached, so a new release takes effect on the
next navigation. Paths under /api, /socket.io and the operations routes are never the app:
an unknown one there stays a JSON 404.
"""

from __future__ import annotations

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
                return FileResponse(
                    candidate, headers={"cache-control": IMMUTABLE if immutable else NO_CACHE}
                )
            if path.startswith("_app/"):
                raise HTTPException(404)
        return FileResponse(
            index, media_type="text/html; charset=utf-8", headers={"cache-control": NO_CACHE}
        )

    # GET only: an API route asked with a method it lacks must stay a 405 (a full match of
    # this catch-all would win over the API route's partial one).
    return [Route("/", app_page), Route("/{path:path}", app_page)]
