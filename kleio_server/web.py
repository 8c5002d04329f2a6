"""What the server serves to a browser besides the API: the built web UI (``frontend/``, built
into ``kleio_server/webui``), the API docs with their assets served locally, and a plain
page that says how to build the UI when it is absent.

- ``/assets/…``: content-hashed files, cached for a year and never revalidated;
- ``index.html`` (``/`` and every client route, ``/login`` included): never cached, so a
  new build is picked up on the next load;
- ``/api/…`` paths that no route serves stay JSON (problem+json) 404s.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui  # type: ignore[import-untyped]
from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.convertors import Convertor, register_url_convertor
from starlette.types import Scope

from kleio_server.kit.errors import NotFound
from kleio_server.routes import API_PREFIX

STATIC = Path(__file__).resolve().parent / "static"
WEBUI = Path(__file__).resolve().parent / "webui"
SWAGGER_UI = Path(swagger_ui.__file__).resolve().parent / "static"  # Swagger UI 5, from PyPI
SWAGGER_FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"})
DOCS_PATH = f"{API_PREFIX}/docs"
NO_CACHE = {"Cache-Control": "no-cache"}
IMMUTABLE = "public, max-age=31536000, immutable"


class HashedAssets(StaticFiles):
    """Vite's output under ``assets/``: each name carries its content hash, so it never
    changes and may be cached for good."""

    def file_response(self, *args: object, **kwargs: object) -> Response:
        response = super().file_response(*args, **kwargs)  # type: ignore[arg-type]
        response.headers["Cache-Control"] = IMMUTABLE
        return response

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except Exception as exc:  # a missing asset is a plain 404, never the app's page
            if getattr(exc, "status_code", None) == 404:
                return Response("not found", status_code=404, media_type="text/plain")
            raise


class ClientRoute(Convertor[str]):
    """A path the web app routes itself: anything but the API's, the assets' and static
    files' (so a wrong method or an unknown path there never becomes the app's page)."""

    regex = r"(?!(?:api|assets|static)(?:/|$)).*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("client_route", ClientRoute())


def mount_web(app: FastAPI, webui: Path | None = None) -> None:
    """Mount after every API route: the last route is the client-side routes' fallback."""
    webui = webui or WEBUI
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/assets", HashedAssets(directory=webui / "assets", check_dir=False), name="assets")
    index = webui / "index.html"

    @app.get(DOCS_PATH, include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_PAGE, headers=NO_CACHE)

    @app.get(DOCS_PATH + "/{name}", include_in_schema=False)
    async def api_docs_asset(name: str) -> FileResponse:
        if name not in SWAGGER_FILES:
            raise NotFound(f"no docs asset {name!r}")
        return FileResponse(SWAGGER_UI / name, headers={"Cache-Control": "public, max-age=86400"})

    @app.api_route("/{path:client_route}", methods=["GET", "HEAD"], include_in_schema=False)
    async def web_app(path: str) -> Response:
        if index.is_file():
            return FileResponse(index, media_type="text/html", headers=NO_CACHE)
        return FileResponse(
            STATIC / "unbuilt.html", status_code=503, media_type="text/html", headers=NO_CACHE
        )


_DOCS_PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Kleio sync server — API</title>
  <link rel="icon" href="{DOCS_PATH}/favicon-32x32.png">
  <link rel="stylesheet" href="{DOCS_PATH}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{API_PREFIX}/openapi.json"></div>
  <script src="{DOCS_PATH}/swagger-ui-bundle.js"></script>
  <script src="/static/docs.js"></script>
</body>
</html>
"""
