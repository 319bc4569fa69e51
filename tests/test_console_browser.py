"""The researcher console in a real browser (Debian's Chromium driven by Playwright):
sign in, see the campaigns with their counts, create a user as admin, sign out; the new
user chooses their own password; every page at laptop and phone width, screenshotted.

One `journeyline serve` per module, users made with the CLI as an operator would.
Screenshots go to the test's temporary folder, and to JOURNEYLINE_SCREENSHOT_DIR when
that is set (to look at them). Skipped when Chromium or playwright is missing, except
under CI=true.
"""

from __future__ import annotations

import json
import re
import urllib.request
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

ADMIN = "admin@example.com"
ADMIN_PASSWORD = "the admin's own password"
CAMPAIGN = "support-q3"


def _start_interview(base_url: str, *, answer: str | None) -> None:
    """An open-link interview over the JSON API, answered once (or not at all)."""
    request = urllib.request.Request(
        f"{base_url}/api/v1/interviews",
        data=json.dumps({"campaign": CAMPAIGN}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        started = json.load(response)
    if answer is None:
        return
    message = urllib.request.Request(
        f"{base_url}/api/v1/interviews/{started['interview_id']}/messages",
        data=json.dumps({"choice": answer, "client_message_id": "m1"}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {started['token']}",
        },
    )
    urllib.request.urlopen(message, timeout=10).close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    data_dir = tmp_path_factory.mktemp("console-data")
    with run_server(data_dir, extra_env={"JOURNEYLINE_RATE_LIMIT_PER_CLIENT": "0"}) as running:
        running.cli("campaigns", "create", "--slug", CAMPAIGN, "--name", "Support Q3",
                    "--company", "Northwind", "--open-link")  # fmt: skip
        running.cli("campaigns", "create", "--slug", "billing-pilot", "--name", "Billing pilot")
        running.cli(
            *("users", "create", "--email", ADMIN, "--role", "admin", "--name", "Ada Admin"),
            "--password-stdin",
            stdin=ADMIN_PASSWORD + "\n",
        )
        for answer in ("yes", "yes", "no", None):
            _start_interview(running.base_url, answer=answer)
        yield running


def _sign_in(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_sign_in_see_the_campaigns_create_a_user_and_sign_out(
    watched: Watched, server: WebServer, tmp_path: Path
) -> None:
    page = watched.page
    width = page.viewport_size["width"] if page.viewport_size else 0
    shots = Shots(tmp_path, "console")

    page.goto("/app")
    expect(page).to_have_url(re.compile(r"/app/sign-in\?next="))
    expect(page.get_by_role("heading", name="Sign in to the console")).to_be_visible()
    shots.take(page, "sign-in")
    _sign_in(page, ADMIN, "not my password")
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    expect(page.get_by_label("Email")).to_have_value(ADMIN)
    shots.take(page, "sign-in-error")
    _sign_in(page, ADMIN, ADMIN_PASSWORD)

    # The home: real campaigns with real counts.
    expect(page.get_by_role("heading", name="Campaigns", exact=True)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Support Q3")
    expect(row.locator('td[data-label="Interviews"]')).to_have_text("4")
    expect(row.locator('td[data-label="Declined"]')).to_have_text("1")
    expect(row.locator('td[data-label="In progress"]')).to_have_text("3")
    expect(page.get_by_role("row").filter(has_text="Billing pilot")).to_contain_text(
        "no interviews yet"
    )
    shots.take(page, "home")

    # Create a user as admin.
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    rita = f"rita-{width}@example.com"  # one module server for both widths
    page.get_by_label("Email").fill(rita)
    page.get_by_label("Name (optional)").fill("Rita Researcher")
    page.get_by_label("Role", exact=True).select_option("researcher")
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("status").filter(has_text=f"Created {rita}")).to_be_visible()
    temporary = page.locator("#revealed-value").inner_text().strip()
    assert re.fullmatch(r"(\w{4}-){3}\w{4}", temporary)
    expect(page.locator(f"tr[data-email='{rita}']")).to_contain_text("Researcher")
    shots.take(page, "users-created")

    # The account page, with a new API key shown once.
    page.get_by_role("link", name="Account").click()
    page.get_by_label("Name").fill("nightly export")
    page.get_by_role("button", name="Create key").click()
    expect(page.locator("#new-key-value")).to_contain_text("jl_")
    shots.take(page, "account-new-key")

    # Sign out.
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out")
    page.goto("/app/users")
    expect(page).to_have_url(re.compile(r"/app/sign-in"))

    # The new user signs in with the temporary password and must choose their own.
    _sign_in(page, rita, temporary)
    expect(page).to_have_url(re.compile(r"/app/account\?done=change-required"))
    expect(page.get_by_role("status")).to_contain_text("Choose your own password")
    shots.take(page, "account-change-required")
    own = f"rita's own password {width}"
    page.get_by_label("Current password").fill(temporary)
    page.get_by_label("New password", exact=True).fill(own)
    page.get_by_label("New password again").fill(own)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    page.get_by_role("link", name="Campaigns").click()
    expect(page.get_by_role("row").filter(has_text="Support Q3")).to_be_visible()
    expect(page.get_by_role("link", name="Users")).to_have_count(0)  # not an admin
    page.goto("/app/users")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    shots.take(page, "forbidden")
    assert watched.problems == []


def test_reset_link_page(watched: Watched, server: WebServer, tmp_path: Path) -> None:
    page = watched.page
    width = page.viewport_size["width"] if page.viewport_size else 0
    email = f"reset-{width}@example.com"
    server.cli("users", "create", "--email", email, "--role", "viewer")
    out = server.cli("users", "reset-password", email, "--link")
    link = re.search(r"https?://\S+/app/reset/\S+", out)
    assert link
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    Shots(tmp_path, "console").take(page, "reset")
    page.get_by_label("New password", exact=True).fill("a password for me 42")
    page.get_by_label("New password again").fill("a password for me 42")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("heading", name="Campaigns", exact=True)).to_be_visible()
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Link not valid")).to_be_visible()
    assert watched.problems == []
