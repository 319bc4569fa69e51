"""The campaign pages in a real browser (Debian's Chromium driven by Playwright), under
the console's strict Content-Security-Policy: a researcher signs in, creates a campaign
with a quota (after a mistake the form points out), edits it, tries its interview,
closes it (its open link now thanks visitors and says the study has closed) and reopens
it. Every page at laptop and phone width, screenshotted (JOURNEYLINE_SCREENSHOT_DIR
keeps them). Skipped when Chromium or playwright is missing, except under CI=true.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import (
    Shots,
    Watched,
    WebServer,
    require_browser,
    run_server,
)

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

RESEARCHER = "rita@example.com"
PASSWORD = "rita's own password 1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    data_dir = tmp_path_factory.mktemp("campaign-pages")
    with run_server(data_dir, extra_env={"JOURNEYLINE_RATE_LIMIT_PER_CLIENT": "0"}) as running:
        running.cli(
            *("users", "create", "--email", RESEARCHER, "--role", "researcher"),
            *("--name", "Rita Researcher", "--password-stdin"),
            stdin=PASSWORD + "\n",
        )
        yield running


def _sign_in(page: Page) -> None:
    page.goto("/app/campaigns")
    page.get_by_label("Email").fill(RESEARCHER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Campaigns", exact=True)).to_be_visible()


def test_create_edit_try_close_and_reopen_a_campaign(
    watched: Watched, server: WebServer, tmp_path: Path
) -> None:
    page = watched.page
    width = page.viewport_size["width"] if page.viewport_size else 0
    slug = f"support-q4-{width}"  # one module server for both widths
    shots = Shots(tmp_path, "campaigns")
    _sign_in(page)
    shots.take(page, "list-before")

    # A new campaign, with a mistake in its quotas first.
    page.get_by_role("link", name="New campaign").click()
    expect(page.get_by_role("heading", name="New campaign")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Support Q4")
    page.get_by_label("Slug", exact=True).fill(slug)
    page.get_by_label("Company (optional)").fill("Northwind")
    page.get_by_label("Guide and its customisations (YAML)").fill(
        "extends: support_journey\ntexts:\n  problem: What went wrong with your Northwind line?\n"
    )
    page.get_by_label("Open link").check()
    page.get_by_label("Ends (optional)").fill("2030-12-24T18:00")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_label("Target (optional)").fill("30")
    page.get_by_label("Quotas (optional)").fill("plan basic 20")
    page.get_by_role("button", name="Create campaign", exact=True).last.click()
    quotas = page.get_by_label("Quotas (optional)")
    expect(quotas).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#quotas-error")).to_contain_text("attribute=value: number")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Support Q4")  # kept
    shots.take(page, "new-with-error")
    quotas.fill("plan=basic: 20\nplan=pro: 10")
    page.get_by_role("button", name="Create campaign", exact=True).last.click()

    # The campaign's page.
    expect(page).to_have_url(re.compile(rf"/app/campaigns/{slug}\?done=campaign-created"))
    expect(page.get_by_role("heading", name="Support Q4")).to_contain_text("open")
    quota_rows = page.locator(".quota-table tbody tr")
    expect(quota_rows).to_have_count(2)
    expect(quota_rows.first).to_contain_text("0 of 20")
    expect(page.get_by_text("24 Dec 2030, 18:00 Europe/Berlin").first).to_be_visible()
    shots.take(page, "campaign")

    # Edit: a higher target, and a saturation rule.
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Quotas (optional)")).to_have_value("plan=basic: 20\nplan=pro: 10")
    page.get_by_label("Target (optional)").fill("40")
    page.get_by_label("Saturation (optional)").fill("10")
    shots.take(page, "edit")
    page.get_by_role("button", name="Save changes", exact=True).last.click()
    expect(page.get_by_role("status").first).to_contain_text("settings are saved")
    expect(page.locator(".stats")).to_contain_text("/ 40")

    # Try the interview: the real questions, nothing stored.
    page.get_by_role("button", name="Try the interview").click()
    expect(page.get_by_role("heading", name="Try the interview")).to_be_visible()
    page.get_by_role("button", name="Yes, that's fine").click()
    expect(page.locator(".bubble--bot").last).to_have_text(
        "The bot: What went wrong with your Northwind line?"  # "The bot:" for screen readers
    )
    page.get_by_label("Your answer").fill("My internet was down for two days")
    page.get_by_label("Your answer").press("Enter")
    expect(page.locator(".bubble--you").last).to_have_text("You: My internet was down for two days")
    expect(page.locator(".bubble--bot").last).to_contain_text("first thing you did")
    shots.take(page, "try")
    page.get_by_role("button", name="Back to the form").click()
    expect(page.get_by_label("Target (optional)")).to_have_value("40")
    page.get_by_role("link", name="Cancel").click()

    # Close it: its open link now thanks people and says the study has closed.
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_role("heading", name="Support Q4")).to_contain_text("closed")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    shots.take(page, "closed")
    page.goto(f"/c/{slug}")
    expect(page.get_by_role("heading", name="This study has closed")).to_be_visible()
    shots.take(page, "open-link-closed")
    page.goto(f"/app/campaigns/{slug}")
    page.get_by_role("button", name="Reopen").click()
    expect(page.get_by_role("status").first).to_contain_text("open again")
    page.goto(f"/c/{slug}")
    expect(page.get_by_role("button", name="Start")).to_be_visible()
    page.goto("/app/campaigns")
    expect(page.get_by_role("row").filter(has_text="Support Q4").first).to_contain_text("open")
    shots.take(page, "list")
    # The CSP refused nothing, no script failed, nothing was fetched from elsewhere.
    assert watched.problems == []
    assert all(url.startswith(server.base_url) for url in watched.requests)
