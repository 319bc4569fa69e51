"""`/docs` from our own static files, under the chat's Content-Security-Policy (issue 19,
item 6), or off by a setting. On main it loaded Swagger UI from a CDN, unpinned, with an
inline script and no CSP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from journeyline.runtime import Runtime, open_runtime
from journeyline.settings import Settings
from journeyline.web.app import create_app
from journeyline.web.middleware import CONTENT_SECURITY_POLICY
from tests.browser_support import (
    browser_unavailable_reason,
    launch_chromium,
    run_server,
    running_in_ci,
)


def _runtime(tmp_path: Path, **values: Any) -> Runtime:
    return open_runtime(Settings(data_dir=tmp_path / "data", database_url=None, **values))


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = _runtime(tmp_path)
    yield rt
    rt.close()


def _get(rt: Runtime, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app(rt))

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path)

    import asyncio

    return asyncio.run(fetch())


def test_docs_load_only_our_own_assets_under_the_csp(runtime: Runtime) -> None:
    page = _get(runtime, "/docs")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/docs/assets/") for s in sources), sources
    assert "<script>" not in page.text  # no inline script
    for source in sources:
        asset = _get(runtime, source)
        assert asset.status_code == 200, source
        assert asset.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert _get(runtime, "/openapi.json").json()["info"]["title"] == "journeyline"


def test_docs_and_schema_can_be_turned_off(tmp_path: Path) -> None:
    rt = _runtime(tmp_path, api_docs=False)
    try:
        assert _get(rt, "/docs").status_code == 404
        assert _get(rt, "/openapi.json").status_code == 404
        assert _get(rt, "/healthz").status_code == 200
    finally:
        rt.close()


@pytest.mark.browser
def test_docs_render_in_chromium_without_a_csp_violation(tmp_path: Path) -> None:
    reason = browser_unavailable_reason()
    if reason is not None:
        if running_in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    requested: list[str] = []
    with run_server(tmp_path / "data") as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("request", lambda r: requested.append(r.url))
            page.goto(server.base_url + "/docs")
            page.wait_for_selector(".opblock", timeout=30_000)
            operations = page.locator(".opblock-summary-path").all_inner_texts()
        finally:
            browser.close()
    assert any("/api/v1/interviews" in text for text in operations), operations
    assert not [p for p in problems if "Content Security Policy" in p], problems
    assert all(url.startswith(server.base_url) for url in requested), requested
