"""The browser app is served from the API's origin: every app path gets index.html
(uncached), hashed assets a year-long cache, and API paths stay JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from server.settings import Settings
from tests.conftest import LiveServer, http_client

# Serving files is not about data: once, on SQLite.
pytestmark = pytest.mark.one_database

INDEX = b"<!doctype html><title>Plaza app</title>"


@pytest.fixture
def build(tmp_path: Path) -> Path:
    root = tmp_path / "build"
    (root / "_app" / "immutable" / "chunks").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "_app" / "immutable" / "chunks" / "app.abc123.js").write_text("console.log(1)")
    (root / "_app" / "version.json").write_text('{"version":"1"}')
    (root / "manifest.webmanifest").write_text('{"name":"Plaza"}')
    (tmp_path / "secret.txt").write_text("outside the build")
    return root


@pytest.fixture
async def app_client(db: Settings, build: Path) -> AsyncIterator[httpx.AsyncClient]:
    server = LiveServer(db.model_copy(update={"web_dir": build}))
    async with server, http_client(server.url) as client:
        yield client


@pytest.mark.parametrize("path", ["/", "/feed", "/groups/12", "/people/3/edit?x=1"])
async def test_every_app_path_is_the_app_uncached(app_client: httpx.AsyncClient, path: str) -> None:
    page = await app_client.get(path)
    assert page.status_code == 200
    assert page.content == INDEX
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_cached_for_a_year(app_client: httpx.AsyncClient) -> None:
    asset = await app_client.get("/_app/immutable/chunks/app.abc123.js")
    assert asset.status_code == 200 and asset.text == "console.log(1)"
    assert "immutable" in asset.headers["cache-control"]
    assert "max-age=31536000" in asset.headers["cache-control"]
    version = await app_client.get("/_app/version.json")
    assert version.headers["cache-control"] == "no-cache"
    manifest = await app_client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")


async def test_a_missing_asset_is_a_404_not_the_app(app_client: httpx.AsyncClient) -> None:
    missing = await app_client.get("/_app/immutable/chunks/gone.js")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"


@pytest.mark.parametrize("path", ["/api/no-such-thing", "/healthz/x", "/socket.io-nope/x"])
async def test_api_paths_stay_json(app_client: httpx.AsyncClient, path: str) -> None:
    response = await app_client.get(path)
    if path.startswith("/socket.io-nope"):
        # Not an API prefix: it is an app path like any other.
        assert response.content == INDEX
        return
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == "not_found"


async def test_nothing_outside_the_build_is_served(app_client: httpx.AsyncClient) -> None:
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/_app/../../secret.txt"):
        response = await app_client.get(path)
        assert b"outside the build" not in response.content


async def test_without_a_build_the_bare_page_still_signs_in(db: Settings, tmp_path: Path) -> None:
    server = LiveServer(db.model_copy(update={"web_dir": tmp_path / "none"}))
    async with server, http_client(server.url) as client:
        page = await client.get("/")
    assert page.status_code == 200
    assert 'fetch("/api/auth/login"' in page.text


async def test_text_files_go_gzipped_to_a_browser_that_accepts_it(
    app_client: httpx.AsyncClient, build: Path
) -> None:
    big = "export const words = " + repr("plaza " * 400) + ";\n"
    (build / "_app" / "immutable" / "chunks" / "big.def456.js").write_text(big)
    asked = {"accept-encoding": "gzip, deflate"}
    asset = await app_client.get("/_app/immutable/chunks/big.def456.js", headers=asked)
    assert asset.status_code == 200
    assert asset.headers["content-encoding"] == "gzip"
    assert asset.headers["vary"] == "accept-encoding"
    assert asset.headers["content-type"].startswith("text/javascript")
    assert "immutable" in asset.headers["cache-control"]
    assert asset.text == big  # httpx undid the gzip
    assert int(asset.headers["content-length"]) < len(big) / 5
    plain = await app_client.get(
        "/_app/immutable/chunks/big.def456.js", headers={"accept-encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers and plain.text == big
    # A file too small to gain anything goes as it is.
    small = await app_client.get("/_app/immutable/chunks/app.abc123.js", headers=asked)
    assert "content-encoding" not in small.headers and small.text == "console.log(1)"
