"""Sharing a map in a real browser (Debian's Chromium driven by Playwright): a reviewer
makes a share link from the map page, someone without an account opens it in a fresh
browser (redacted, no script, nothing refused by the CSP), downloads its PDF and finds
the map's words in it; the reviewer revokes the link and it stops working. At laptop and
phone width, screenshotted (the shared page, the share page, the PDF's first page drawn
as an image).

One `journeyline serve` for the module, its data made with the CLI. Screenshots go to
the test's temporary folder, and to JOURNEYLINE_SCREENSHOT_DIR when that is set. Skipped
when Chromium or playwright is missing, except under CI=true.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import (
    LAPTOP,
    PHONE,
    Shots,
    WebServer,
    require_browser,
    run_server,
    watch_console_page,
)
from tests.review_data import EVIL_EMAIL, EVIL_PHONE, import_records
from tests.test_map_documents import pdf_text

require_browser()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

CAMPAIGN = "support-q4"
PASSWORD = "a reviewer's own password"
REVIEWER = "rae@example.com"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    data_dir = tmp_path_factory.mktemp("share-data")
    with run_server(data_dir, extra_env={"JOURNEYLINE_RATE_LIMIT_PER_CLIENT": "0"}) as running:
        running.cli("campaigns", "create", "--slug", CAMPAIGN, "--name", "Support Q4")
        path = data_dir / "interviews.jsonl"
        lines = import_records(count=12, start=0, evil=True)
        path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
        running.cli("import", str(path), "--campaign", CAMPAIGN)
        running.cli("synthesize", "--campaign", CAMPAIGN, "--out", str(data_dir / "map"))
        running.cli(
            *("users", "create", "--email", REVIEWER, "--role", "reviewer", "--password-stdin"),
            stdin=PASSWORD + "\n",
        )
        yield running


def _sign_in_and_open_the_map(page: Page) -> None:
    page.goto("/app/sign-in")
    page.get_by_label("Email").fill(REVIEWER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Campaigns", exact=True)).to_be_visible()
    page.get_by_role("link", name="Maps", exact=True).click()
    page.get_by_role("link", name=re.compile(r"^Open map")).first.click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Journey map: Support Q4"))
    ).to_be_visible()


def _first_page_as_png(pdf: bytes, path: Path) -> None:
    """The PDF's first page drawn as an image, to look at."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        page.render(scale=1.5).to_pil().save(path)
        page.close()
    finally:
        document.close()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_share_a_map_open_it_signed_out_download_its_pdf_and_revoke_it(
    browser: Browser, server: WebServer, tmp_path: Path, viewport: dict[str, int]
) -> None:
    shots = Shots(tmp_path, "share")
    reviewer = watch_console_page(browser, server, viewport)  # type: ignore[arg-type]
    page = reviewer.page
    _sign_in_and_open_the_map(page)
    shots.take(page, "map-with-downloads")
    page.get_by_role("link", name="Share", exact=True).click()
    expect(page.get_by_role("heading", name="Share this map")).to_be_visible()
    page.get_by_label(re.compile("^Note")).fill("For the support leads' offsite")
    page.get_by_role("button", name="Make a share link").click()
    link = page.locator("#new-link-value").inner_text()
    assert re.fullmatch(rf"{re.escape(server.base_url)}/share/[A-Za-z0-9_-]{{43}}", link)
    shots.take(page, "shares-made")

    visitor = watch_console_page(browser, server, viewport)  # type: ignore[arg-type]
    shared = visitor.page
    response = shared.goto(link)
    assert response is not None and response.status == 200
    assert response.headers["x-robots-tag"].startswith("noindex")
    expect(shared.get_by_role("heading", name=re.compile(r"^Journey map: "))).to_be_visible()
    expect(shared.get_by_text("Shared read-only")).to_be_visible()
    expect(shared.get_by_text("For the support leads' offsite")).to_be_visible()
    content = shared.content()
    assert EVIL_EMAIL not in content and EVIL_PHONE not in content
    expect(shared.get_by_text("<script>alert('x')</script>", exact=False).first).to_be_attached()
    assert shared.evaluate("() => document.scripts.length") == 0
    shots.take(shared, "shared-page")
    with shared.expect_download() as download:
        shared.get_by_role("link", name="Download PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename.endswith(".pdf")
    text = " ".join(pdf_text(pdf).split())
    assert "Shared read-only by rae@example.com" in text
    assert "Pain points, ranked" in text and "Doing" in text
    assert EVIL_EMAIL not in text and "[email]" in text
    for folder in shots.folders:
        _first_page_as_png(pdf, folder / f"share-pdf-page1-{viewport['width']}.png")

    page.reload()
    page.get_by_role("button", name=re.compile("^Revoke")).first.click()
    expect(page.get_by_text("The share link is revoked")).to_be_visible()
    expect(page.get_by_text("revoked", exact=True).first).to_be_visible()
    shots.take(page, "shares-revoked")
    gone = shared.goto(link)
    assert gone is not None and gone.status == 404
    expect(shared.get_by_role("heading", name="This link does not work")).to_be_visible()
    shots.take(shared, "shared-revoked")
    assert reviewer.problems == [] and visitor.problems == []
    assert visitor.dialogs == [] and reviewer.dialogs == []
    page.context.close()
    shared.context.close()
