"""The review workspace around a map in a real browser (Debian's Chromium driven by
Playwright): open a map, comment on a stage's lane with an @mention, reply, put the
version in review and approve it, create an action on a pain point, mark it done, and
close the loop: the message is drafted, edited and sent, and after the scheduler runs it
is in the .eml outbox once per customer who asked to hear back. Then every page at
laptop and phone width, screenshotted.

One `journeyline serve` for the module (its own scheduler off: the test runs `journeyline
worker --once`, twice, to see nothing goes out twice). Skipped when Chromium or
playwright is missing, except under CI=true.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from storage.engines import sqlite_url_for_dir
from storage.models import Interview
from tests.browser_support import (
    LAPTOP,
    PHONE,
    Shots,
    Watched,
    WebServer,
    api_get_interview,
    require_browser,
    run_server,
    token_of,
    watch_console_page,
)
from tests.review_data import import_records

require_browser()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

CAMPAIGN = "support-q4"
PASSWORD = "a reviewer's own password"
ADMIN = "ada@example.com"
REVIEWER = "rae@example.com"
COMMENT = "@rae is <b>this</b> the hold music again?"
SUBJECT = "We call you back now"
CHAT = "hear-back-chat"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    data_dir = tmp_path_factory.mktemp("workspace-data")
    env = {"JOURNEYLINE_RATE_LIMIT_PER_CLIENT": "0", "JOURNEYLINE_SCHEDULER_IN_SERVE": "false"}
    with run_server(data_dir, extra_env=env) as running:
        running.cli("campaigns", "create", "--slug", CAMPAIGN, "--name", "Support Q4")
        running.cli(*("campaigns", "create", "--slug", CHAT, "--name", "Chat"), "--open-link")
        records = import_records(count=12, start=0, evil=True)
        for n, record in enumerate(records):
            record["hear_back"] = n % 4 != 0  # three in four asked to hear back
        path = data_dir / "interviews.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
        running.cli("import", str(path), "--campaign", CAMPAIGN)
        running.cli("synthesize", "--campaign", CAMPAIGN, "--out", str(data_dir / "map1"))
        for email, role, name in ((ADMIN, "admin", "Ada"), (REVIEWER, "reviewer", "Rae")):
            running.cli(
                *("users", "create", "--email", email, "--role", role, "--name", name),
                "--password-stdin",
                stdin=PASSWORD + "\n",
            )
        yield running


def _sign_in(page: Page, email: str) -> None:
    page.goto("/app/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Campaigns", exact=True)).to_be_visible()


def _outbox(server: WebServer) -> list[Path]:
    folder = Path(server.env["JOURNEYLINE_DATA_DIR"]) / "outbox"
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def _create_action(page: Page) -> None:
    """From a map page: an action on its first pain point, owned by Rae."""
    page.get_by_role("link", name=re.compile(r"^Review, discuss, act")).first.click()
    page.get_by_label("What will be done", exact=True).fill(
        "Call customers back instead of hold music"
    )
    page.get_by_label("Owner", exact=True).select_option(label="Rae")
    page.get_by_label(re.compile(r"^Due")).fill("2027-01-31")
    page.get_by_role("button", name="Create the action").click()
    expect(
        page.get_by_role("heading", name="Call customers back instead of hold music")
    ).to_be_visible()


def test_discuss_approve_act_and_close_the_loop(
    browser: Browser, server: WebServer, tmp_path: Path
) -> None:
    watched = watch_console_page(browser, server, LAPTOP)
    page, shots = watched.page, Shots(tmp_path, "workspace-flow")
    _sign_in(page, ADMIN)
    page.get_by_role("link", name="Maps", exact=True).click()
    page.get_by_role("link", name=re.compile(r"^Open map")).first.click()
    expect(page.locator(".status")).to_have_text("Draft")

    # A comment on a stage's Feeling lane, mentioning Rae; then a reply.
    page.locator("a.cell-review").first.click()
    page.get_by_label("Which part", exact=True).select_option("feeling")
    page.get_by_label("Comment", exact=True).fill(COMMENT)
    page.get_by_role("button", name="Post").click()
    thread = page.locator("article.thread").first
    expect(thread).to_contain_text("Feeling lane")
    expect(thread.locator(".comment-body").first).to_have_text(COMMENT)  # as text
    expect(thread).to_contain_text("mentions Rae")
    thread.get_by_label("Reply").fill("Agreed: the wait is the pain.")
    thread.get_by_role("button", name="Reply").click()
    expect(page.locator("article.thread .comment")).to_have_count(2)
    shots.take(page, "thread")

    # Put the version in review and approve it.
    page.get_by_role("link", name=re.compile(r"Support Q4, run")).click()
    expect(page.get_by_text("1 open discussion", exact=False).first).to_be_visible()
    page.get_by_role("button", name="Put in review").click()
    expect(page.locator(".status")).to_have_text("In review")
    page.get_by_role("button", name="Approve this version").click()
    expect(page.locator(".status")).to_have_text("Approved")
    expect(page.get_by_role("button", name="Reopen as a draft")).to_be_visible()
    shots.take(page, "approved-map")

    # An action on the first pain point, owned by Rae, then done.
    _create_action(page)
    page.get_by_label("Status", exact=True).select_option("done")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".lead .badge")).to_have_text("Done")

    # Close the loop: draft, edit, send.
    page.get_by_role("button", name="Draft the message").click()
    page.get_by_label("Subject", exact=True).fill(SUBJECT)
    page.get_by_label("Message", exact=True).fill(
        "Hello,\n\nWhen the line is busy, we now call you back."
    )
    page.get_by_role("button", name="Save the message").click()
    send = page.get_by_role("button", name=re.compile(r"^Send to \d+ (people|person)$"))
    expected = int(re.findall(r"\d+", send.inner_text())[0])
    assert expected >= 1
    shots.take(page, "loop-ready")
    send.click()
    expect(page.get_by_text("Sent", exact=True).first).to_be_visible()
    assert _outbox(server) == []  # queued: the scheduler sends

    server.cli("worker", "--once")
    files = _outbox(server)
    assert len(files) == expected
    subjects = {message_from_bytes(f.read_bytes(), policy=default)["Subject"] for f in files}
    assert subjects == {SUBJECT}
    server.cli("worker", "--once")
    assert len(_outbox(server)) == expected  # exactly once
    page.reload()
    expect(page.locator(".recipients li")).to_have_count(expected)
    expect(page.locator(".recipients")).not_to_contain_text("not sent yet")
    shots.take(page, "loop-sent")

    # Rae finds the mention.
    rae = watch_console_page(browser, server, LAPTOP)
    _sign_in(rae.page, REVIEWER)
    rae.page.get_by_role("link", name="Mentions (1)", exact=True).click()
    expect(rae.page.get_by_role("link", name="Mentions", exact=True)).to_be_visible()
    expect(rae.page.locator(".comment-body").first).to_have_text(COMMENT)
    Shots(tmp_path, "workspace-flow").take(rae.page, "mentions-rae")
    rae.page.get_by_role("link", name=re.compile(r"reply$")).first.click()
    expect(rae.page.locator("article.thread").first).to_be_visible()
    assert watched.problems == [] and watched.dialogs == []
    assert rae.problems == [] and rae.dialogs == []
    rae.page.context.close()
    page.context.close()


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_every_workspace_page_at_laptop_and_phone_width(
    browser: Browser, server: WebServer, tmp_path: Path, viewport: str
) -> None:
    watched: Watched = watch_console_page(
        browser, server, LAPTOP if viewport == "laptop" else PHONE
    )
    page, shots = watched.page, Shots(tmp_path, "workspace")
    _sign_in(page, ADMIN)
    page.goto("/app/maps")
    page.get_by_role("link", name=re.compile(r"^Open map")).first.click()
    run = page.url.rstrip("/").rsplit("/", 1)[1]
    stage_cell = page.locator("a.cell-review").first.get_attribute("href")
    assert stage_cell is not None
    pages = {
        "map": f"/app/maps/{run}",
        "stage-cell": stage_cell,
        "actions": f"/app/maps/{run}/actions",
        "history": f"/app/maps/{run}/history",
        "mentions": "/app/mentions",
    }
    page.goto(pages["actions"])
    if page.locator("table a").count() == 0:
        # The flow test may have run on another worker's server: make one here.
        page.goto(pages["map"])
        _create_action(page)
        page.goto(pages["actions"])
    action = page.locator("table a").first.get_attribute("href")
    pages["action"] = action or pages["actions"]
    page.goto(pages["map"])
    pain = page.get_by_role("link", name=re.compile(r"^Review, discuss, act")).first
    pages["pain-cell"] = pain.get_attribute("href") or pages["map"]
    for name, path in pages.items():
        page.goto(path)
        expect(page.locator("main h1").first).to_be_visible()
        # Nothing wider than the screen but the map itself (which scrolls sideways).
        if name != "map":
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{name} scrolls sideways by {overflow}px at {viewport}"
        shots.take(page, name)
    assert watched.problems == [] and watched.dialogs == []
    page.context.close()


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_the_web_chat_offers_the_second_yes_and_stores_it(
    browser: Browser, server: WebServer, tmp_path: Path, viewport: str
) -> None:
    """Three consent buttons that fit the screen; the second keeps the wish to hear back
    and the interview goes on to the same next question."""
    watched = watch_console_page(browser, server, LAPTOP if viewport == "laptop" else PHONE)
    page, shots = watched.page, Shots(tmp_path, "workspace-chat")
    page.goto(f"/c/{CHAT}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/i/[^/]+$"))
    second = page.get_by_role("button", name="Yes, and tell me what you change")
    expect(second).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    shots.take(page, "consent")
    second.click()
    expect(page.locator("#log .msg--me").first).to_contain_text("Yes, and tell me what you change")
    # The customer's words show at once; the server's answer (the next question) shows
    # once the turn is stored.
    expect(page.locator("#log .msg--active")).to_contain_text("what did you need help with")
    interview_id = page.locator("#app").get_attribute("data-interview-id") or ""
    view = api_get_interview(server.base_url, interview_id=interview_id, token=token_of(page.url))
    assert view["status"] == "active"
    # Stored with the consent, in the server's own database.
    engine = create_engine(sqlite_url_for_dir(Path(server.env["JOURNEYLINE_DATA_DIR"])))
    with engine.connect() as connection:
        row = connection.execute(
            select(Interview.consent, Interview.hear_back).where(
                Interview.public_id == interview_id
            )
        ).one()
    engine.dispose()
    assert tuple(row) == (True, True)
    assert watched.problems == []
    page.context.close()
