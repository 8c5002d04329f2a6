"""The web UI as the server serves it: the built app with its caching rules, client routes,
JSON 404s under /api, one CSP, the API docs with local assets, and a clear page when the
UI was not built."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from kleio_server import web
from kleio_server.app import create_app
from kleio_server.settings import Settings

ASSET = "index-AbC123.js"


@pytest.fixture
def built(tmp_path: Path) -> Path:
    root = tmp_path / "webui"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text('<!doctype html><div id="root"></div>')
    (root / "assets" / ASSET).write_text("console.log('kleio')")
    return root


async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
            yield c


@pytest.fixture
async def site(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setattr(web, "WEBUI", built)
    app = create_app(Settings(data_dir=tmp_path / "data", auth_mode="local"))
    async for client in _client(app):
        yield client


@pytest.fixture
async def unbuilt_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setattr(web, "WEBUI", tmp_path / "no-build-here")
    app = create_app(Settings(data_dir=tmp_path / "data", auth_mode="local"))
    async for client in _client(app):
        yield client


@pytest.mark.parametrize("path", ["/", "/login", "/history", "/record/123", "/a/b/c"])
async def test_client_routes_get_the_app_never_cached(site: httpx.AsyncClient, path: str) -> None:
    response = await site.get(path)
    assert response.status_code == 200
    assert response.text.startswith("<!doctype html>") and 'id="root"' in response.text
    assert response.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_cached_for_good(site: httpx.AsyncClient) -> None:
    response = await site.get(f"/assets/{ASSET}")
    assert response.status_code == 200 and "kleio" in response.text
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    missing = await site.get("/assets/gone-123.js")
    assert missing.status_code == 404 and "root" not in missing.text


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/nope"), ("GET", "/api"), ("POST", "/api/v1/nope"), ("GET", "/api/v2/x")],
)
async def test_unknown_api_paths_stay_json_404s(
    site: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await site.request(method, path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_api_routes_still_answer_405_for_a_wrong_method(site: httpx.AsyncClient) -> None:
    response = await site.put("/api/v1/plays")
    assert response.status_code == 405


async def test_one_csp_allowing_only_discogs_images_from_elsewhere(
    site: httpx.AsyncClient,
) -> None:
    csp = (await site.get("/")).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    images = directives["img-src"].split()
    assert "https:" not in images and "'self'" in images
    assert {"https://i.discogs.com", "https://i.img.discogs.com", "https://st.discogs.com"} <= set(
        images
    )
    assert "script-src" not in directives  # scripts fall back to 'self': no inline, no CDN


async def test_api_docs_load_everything_from_this_server(site: httpx.AsyncClient) -> None:
    page = await site.get("/api/v1/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "<script>" not in page.text
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js"):
        assert f'"/api/v1/docs/{asset}"' in page.text
        response = await site.get(f"/api/v1/docs/{asset}")
        assert response.status_code == 200 and len(response.content) > 10_000
    assert (await site.get("/static/docs.js")).status_code == 200
    assert (await site.get("/api/v1/docs/secret.py")).status_code == 404


async def test_without_a_build_the_server_says_how_to_build_it(
    unbuilt_site: httpx.AsyncClient,
) -> None:
    response = await unbuilt_site.get("/")
    assert response.status_code == 503 and "text/html" in response.headers["content-type"]
    assert "make run" in response.text and "not been built" in response.text
    assert (await unbuilt_site.get("/health")).status_code == 200
    assert (await unbuilt_site.get("/api/v1/docs")).status_code == 200


async def test_the_socket_messages_are_published_as_json_schema(site: httpx.AsyncClient) -> None:
    schema = (await site.get("/api/v1/ws/schema.json")).json()
    assert {"Welcome", "ChangesMessage", "Poke", "ImportProgressMessage", "Hello"} <= set(
        schema["$defs"]
    )
    assert "Hello" in schema["client"] and "ChangesMessage" in schema["server"]
    hello = schema["$defs"]["Hello"]
    assert "cursor" not in hello.get("required", [])  # a browser says hello without one
