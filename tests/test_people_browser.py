"""A researcher's campaign in a real browser (Debian's Chromium driven by Playwright):
sign in, upload 20 participants from a CSV with 2 bad rows (the report names them),
schedule a wave with a reminder, move the scheduler's clock so the invitations and then
the reminders go to the .eml outbox, let simulated customers answer over the web JSON
API, and watch the progress page's funnel move without a reload. Every page at laptop
and phone width, screenshotted (JOURNEYLINE_SCREENSHOT_DIR keeps them).

The server is `journeyline serve` with its scheduler off; the test runs the server's own
worker (``build_worker``, same settings, same database) in its process under
time-machine, the clock pattern of the scheduler tests.
"""

from __future__ import annotations

import email
import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import time_machine

from bot.conversation.messages import Choice, Reply
from journeyline.demo.personas import PERSONAS
from journeyline.demo.simulator import SimulatedCustomer
from journeyline.runtime import open_runtime
from journeyline.scheduler_wiring import build_worker
from journeyline.settings import Settings
from tests.browser_support import (
    LAPTOP,
    PHONE,
    Shots,
    Watched,
    WebServer,
    require_browser,
    run_server,
    watch_console_page,
)

require_browser()

from playwright.sync_api import Browser, Locator, Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

CAMPAIGN = "support-q4"
RESEARCHER = "rita@example.com"
PASSWORD = "rita's own password"
SECRET = "browser-test-link-secret"
ZONE = "Europe/Berlin"
GOOD = 20
# The elements that stick out past the right edge of the screen (a page that scrolls
# sideways on a phone).
WIDER_THAN_THE_SCREEN = """
[...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map((e) => e.tagName.toLowerCase() + "." + e.className + " " + e.textContent.slice(0, 30))
"""


def people_csv() -> str:
    rows = [
        f"person{n}@example.com,Person {n},en,{ZONE},{'pro' if n % 3 else 'free'}"
        for n in range(GOOD)
    ]
    # Two bad rows among them: lines 5 and 12 of the file.
    rows.insert(3, "not-an-email,Bad Address,en,,pro")
    rows.insert(10, "late@example.com,Late Zone,en,Moon/Base,free")
    return "email,name,language,time_zone,plan\n" + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("people-data")


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[WebServer]:
    env = {
        "JOURNEYLINE_RATE_LIMIT_PER_CLIENT": "0",
        "JOURNEYLINE_SCHEDULER_IN_SERVE": "false",
        "JOURNEYLINE_LINK_SECRET": SECRET,
    }
    with run_server(data_dir, extra_env=env) as running:
        running.cli("campaigns", "create", "--slug", CAMPAIGN, "--name", "Support Q4",
                    "--company", "Northwind")  # fmt: skip
        running.cli(
            *("users", "create", "--email", RESEARCHER, "--role", "researcher"),
            *("--name", "Rita Researcher", "--password-stdin"),
            stdin=PASSWORD + "\n",
        )
        yield running


class Scheduler:
    """The server's worker, run in this process on a clock the test moves."""

    def __init__(self, data_dir: Path, base_url: str) -> None:
        settings = Settings(data_dir=data_dir, link_secret=SECRET, public_url=base_url)
        self.runtime = open_runtime(settings, migrate=False)
        self.worker = build_worker(self.runtime)
        self.outbox = data_dir / "outbox"

    def run_at(self, moment: datetime) -> int:
        with time_machine.travel(moment, tick=False):
            return self.worker.run_until_idle()

    def messages(self, *, besides: int = 0) -> list[email.message.EmailMessage]:
        """The outbox's messages, oldest first (all but the first ``besides``)."""
        found = []
        paths = sorted(self.outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        for path in paths[besides:]:
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            assert isinstance(message, email.message.EmailMessage)
            found.append(message)
        return found

    def close(self) -> None:
        self.runtime.close()


def _link(message: email.message.EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"https?://\S+/i/(\S+)", body.get_content())
    assert found, "no interview link in the message"
    return found.group(1)


def _to(message: email.message.EmailMessage) -> str:
    address: str = message["To"].addresses[0].addr_spec
    return address


def _replies(raw: list[dict[str, Any]]) -> list[Reply]:
    return [
        Reply(
            text=str(r["text"]),
            slot=r.get("slot"),
            choices=tuple(Choice(value=c["value"], label=c["label"]) for c in r["choices"]),
            items=tuple(r.get("items") or ()),
        )
        for r in raw
    ]


def _customer(
    base_url: str, token: str, *, persona: int, answers: int | None, decline: bool = False
) -> str:
    """A simulated customer opens their personal link over the JSON API and answers
    (every question, or only ``answers`` messages; or says no to taking part); their
    interview's status."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        opened = client.post("/api/v1/interviews", json={"invite_token": token})
        assert opened.status_code == 201, opened.text
        body = opened.json()
        headers = {"Authorization": f"Bearer {body['token']}"}
        customer = SimulatedCustomer(PERSONAS[persona % len(PERSONAS)], rng=random.Random(persona))
        replies = _replies(body["pending"])
        status = "awaiting_consent"
        if decline:
            said = client.post(
                f"/api/v1/interviews/{body['interview_id']}/messages",
                json={"choice": "no", "client_message_id": "m0"},
                headers=headers,
            )
            assert said.status_code == 200, said.text
            return str(said.json()["status"])
        for n in range(200):
            if answers is not None and n >= answers:
                break
            message = customer.next_message(replies) or customer.resume()
            if message is None:
                break
            sent = client.post(
                f"/api/v1/interviews/{body['interview_id']}/messages",
                json={
                    "text": message.text or None,
                    "choice": message.choice,
                    "client_message_id": f"m{n}",
                },
                headers=headers,
            )
            assert sent.status_code == 200, sent.text
            turn = sent.json()
            status, replies = turn["status"], _replies(turn["replies"])
        return status


def _sign_in(page: Page) -> None:
    page.goto("/app")
    page.get_by_label("Email").fill(RESEARCHER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Campaigns", exact=True)).to_be_visible()


def _step(page: Page, step: str) -> Locator:
    return page.locator(f'#funnel-total [data-step="{step}"] [data-field="count"]')


def test_upload_schedule_send_remind_and_watch_the_funnel_move(
    browser: Browser, server: WebServer, data_dir: Path, tmp_path: Path
) -> None:
    shots = Shots(tmp_path, "people")
    watched: Watched = watch_console_page(browser, server, LAPTOP)
    page = watched.page
    scheduler = Scheduler(data_dir, server.base_url)
    try:
        _sign_in(page)
        page.get_by_role("row").filter(has_text="Support Q4").get_by_role(
            "link", name="Participants"
        ).click()
        expect(page.get_by_role("heading", name="Participants", exact=True)).to_be_visible()
        shots.take(page, "participants-empty")

        # Upload 22 rows, 2 of them bad: the report names each by line and column.
        csv_file = tmp_path / "people.csv"
        csv_file.write_text(people_csv(), encoding="utf-8")
        page.get_by_label("CSV file (UTF-8, at most 5 MB)").set_input_files(csv_file)
        page.get_by_role("button", name="Import").click()
        report = page.get_by_role("table").filter(has_text="Rows left out")
        expect(report.get_by_role("row")).to_have_count(3)  # the header and two rows
        expect(report).to_contain_text("line 5")
        expect(report).to_contain_text("not an email address: 'not-an-email'")
        expect(report).to_contain_text("line 12")
        expect(report).to_contain_text("unknown time zone 'Moon/Base'")
        expect(page.get_by_role("heading", name="20 participants")).to_be_visible()
        shots.take(page, "participants-report")

        # Schedule a wave with one reminder, Berlin time, at this minute (so the
        # customers below, on the server's real clock, answer after it was sent).
        page.get_by_role("link", name="Invitations").click()
        start = datetime.now(UTC).replace(second=0, microsecond=0)
        local = start.astimezone(ZoneInfo(ZONE))
        page.get_by_label("Email", exact=True).check()
        page.get_by_label("Starts at").fill(local.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("Time zone", exact=True).fill(ZONE)
        page.get_by_label("Sending rate").fill("50/s")
        page.get_by_label("Remind after (days)").fill("3")
        page.get_by_label("At most how many reminders").fill("1")
        page.get_by_label("Links expire after (days)").fill("14")
        shots.take(page, "invitations-form")
        page.get_by_role("button", name="Schedule the wave").click()
        expect(page.get_by_role("status")).to_contain_text("The wave is scheduled")
        wave_row = page.get_by_role("row").filter(has_text="Wave 1")
        expect(wave_row).to_contain_text("Scheduled")
        expect(wave_row).to_contain_text("1 after 3 days")
        expect(wave_row).to_contain_text(f"{local.day} {local:%b %Y, %H:%M} Europe/Berlin")

        # Nothing before the start; at the start, one invitation each into the outbox.
        assert scheduler.run_at(start - timedelta(minutes=1)) == 0
        assert scheduler.messages() == []
        # The start has passed (it is this minute): the worker runs on the real clock.
        scheduler.run_at(datetime.now(UTC))
        invitations = scheduler.messages()
        assert len(invitations) == GOOD
        assert {_to(m) for m in invitations} == {f"person{n}@example.com" for n in range(GOOD)}
        page.reload()
        expect(wave_row).to_contain_text("Started")
        expect(wave_row).to_contain_text("sent 20")
        shots.take(page, "invitations")

        # The progress page, then customers answer while it stays open.
        page.get_by_role("link", name="Progress").click()
        expect(_step(page, "invited")).to_have_text("20")
        expect(_step(page, "delivered")).to_have_text("20")
        expect(page.locator("#progress-state")).to_have_text("Live; counts as of")
        page.get_by_label("Split by").select_option("plan")
        page.get_by_role("button", name="Show").click()
        expect(page.locator("#table-values")).to_contain_text("free")
        shots.take(page, "progress-before")
        loaded_at = page.evaluate("performance.timeOrigin")

        by_address = {_to(m): _link(m) for m in invitations}
        finished = [
            _customer(
                server.base_url, by_address[f"person{n}@example.com"], persona=n, answers=None
            )
            for n in range(5)
        ]
        assert finished == ["completed"] * 5
        # One declines, two open the link and stop after agreeing, one only looks.
        declined = _customer(
            server.base_url, by_address["person5@example.com"], persona=5, answers=0, decline=True
        )
        assert declined == "declined"
        for n in (6, 7):
            _customer(server.base_url, by_address[f"person{n}@example.com"], persona=n, answers=2)
        with httpx.Client(base_url=server.base_url) as client:
            token = by_address["person8@example.com"]
            looked = client.post("/api/v1/interviews", json={"invite_token": token})
            assert looked.status_code == 201

        # The funnel moves without a reload (the page polls its JSON every 5 s).
        expect(_step(page, "completed")).to_have_text("5", timeout=30_000)
        expect(_step(page, "opened")).to_have_text("9")
        expect(_step(page, "consented")).to_have_text("7")
        assert page.evaluate("performance.timeOrigin") == loaded_at, "the page was reloaded"
        stopped = page.locator("#table-stopped")
        expect(stopped).not_to_contain_text("No unfinished interviews")
        expect(page.locator("#median")).to_have_text(re.compile(r"^\d+ (s|min)$"))
        shots.take(page, "progress-live")

        # Three days on: one reminder each to those who did not start, nobody else.
        scheduler.run_at(start + timedelta(days=3, minutes=1))
        reminders = scheduler.messages(besides=GOOD)
        reminded = {_to(m) for m in reminders}
        assert len(reminders) == len(reminded) == GOOD - 8
        assert not reminded & {f"person{n}@example.com" for n in range(8)}
        assert all("reminder" in m["Subject"].lower() for m in reminders)
        assert scheduler.run_at(start + timedelta(days=9)) == 0  # at most one

        # A participant's history: the invitation, the reminder, what they did.
        page.get_by_role("link", name="Participants").click()
        page.get_by_role("link", name="Completed 5").click()
        expect(page.get_by_role("heading", name="20 participants: 5 completed")).to_be_visible()
        page.get_by_role("link", name="Person 0", exact=True).click()
        history = page.get_by_role("list").filter(has_text="added to the campaign")
        expect(history).to_contain_text("invitation sent")
        expect(history).to_contain_text("completed the interview")
        shots.take(page, "participant")
        assert watched.problems == []
    finally:
        page.context.close()
        scheduler.close()

    # Every page at phone width.
    phone = watch_console_page(browser, server, PHONE)
    try:
        _sign_in(phone.page)
        for name, path in (
            ("participants", "participants"),
            ("invitations", "invitations"),
            ("progress-live", "progress?by=plan"),
            ("participant", "participants/1"),
        ):
            phone.page.goto(f"/app/campaigns/{CAMPAIGN}/{path}")
            expect(phone.page.get_by_role("navigation", name="This campaign")).to_be_visible()
            shots.take(phone.page, name)
            assert phone.page.evaluate(WIDER_THAN_THE_SCREEN) == [], f"{name} scrolls sideways"
        assert phone.problems == []
    finally:
        phone.page.context.close()
