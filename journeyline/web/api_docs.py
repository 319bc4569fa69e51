"""The interactive API docs (`/docs`): Swagger UI from our own static files.

FastAPI's default page loads Swagger UI from a CDN, unpinned, on the chat's own origin,
and starts it with an inline script, so it could only be served without the
Content-Security-Policy. This page loads the vendored copy (``docs_assets/``, see its
README) and our starter script, both from ``/docs/assets``, under the same policy as
every other page.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_DIR = Path(__file__).resolve().parent / "docs_assets"
DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} API</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body data-openapi-url="{openapi}">
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/docs.js"></script>
</body>
</html>
"""


def mount_api_docs(app: FastAPI) -> None:
    """Serve `/docs` and its assets (the app must be made with ``docs_url=None``)."""
    page = PAGE.format(title=app.title, assets=ASSETS_PATH, openapi=app.openapi_url)
    app.mount(ASSETS_PATH, StaticFiles(directory=str(ASSETS_DIR)), name="docs-assets")

    @app.get(DOCS_PATH, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)
