"""Helpers for the browser tests of the web chat: the real server, links, a chat driver.

The server is `python -m journeyline serve` in a subprocess on a free port with its own
data directory; links come from the CLI, exactly as a researcher makes them. The driver
answers whatever question the page shows, by typing or by clicking quick replies, and
records what it sent so a test can compare that with what the API says was stored.

Playwright is imported lazily (and only for type checking at module level), so the test
module can decide to skip before anything needs it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fakes.deadlines import scaled, wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Playwright, ViewportSize

CHROMIUM_PATH = "/usr/bin/chromium"
# Debian's Chromium in a container: no sandbox, no GPU, nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Base seconds, scaled to the machine (fakes.deadlines): a server start, a CLI call, and
# the bot's answer to one message in the page.
SERVER_START_SECONDS = 30.0
BROWSER_START_SECONDS = 30.0  # Playwright's own default, made to scale
CLI_SECONDS = 60.0
REPLY_SECONDS = 15.0
MAX_TURNS = 80


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def browser_unavailable_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return (
            "the playwright package is not installed (pip install playwright; no browser download)"
        )
    if not (Path(CHROMIUM_PATH).is_file() and os.access(CHROMIUM_PATH, os.X_OK)):
        return f"Chromium is not installed at {CHROMIUM_PATH} (apt-get install -y chromium)"
    return None


def require_browser() -> None:
    """Skip the calling test module when the browser tests cannot run here (fail under
    CI, where they must). Call it before importing playwright."""
    import pytest

    reason = browser_unavailable_reason()
    if reason is not None:
        if running_in_ci():
            pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
        pytest.skip(reason, allow_module_level=True)


def open_chromium() -> Iterator[Browser]:
    """Debian's Chromium for a fixture (``yield from open_chromium()``): the test skips
    when it cannot run here, and fails under CI."""
    import pytest

    reason = browser_unavailable_reason()
    if reason is not None:
        if running_in_ci():
            pytest.fail(f"browser tests must run under CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


# Reports CSP violations on the console, where the console listener sees them. Playwright
# injects init scripts itself, so this needs no inline script in the page.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI);
});
"""
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}


@dataclass
class Watched:
    """A page and everything it complained about, asked the user, or fetched."""

    page: Page
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def watch(page: Page, *, error_pages_expected: bool = False) -> Watched:
    """Record the page's console errors and warnings (CSP refusals included), script
    errors, dialogs (dismissed) and requests. With ``error_pages_expected`` Chromium's
    "Failed to load resource" for a 4xx page is not a problem (the console answers 403 and
    400 on purpose); failed static files are then reported instead."""
    seen = Watched(page=page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type not in {"error", "warning"}:
            return
        if error_pages_expected and "Failed to load resource" in message.text:
            return
        seen.problems.append(f"console {message.type}: {message.text}")

    def on_dialog(dialog: Dialog) -> None:
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.problems.append(f"page error: {error}"))
    page.on("dialog", on_dialog)
    page.on("request", lambda request: seen.requests.append(request.url))
    if error_pages_expected:
        page.on(
            "response",
            lambda response: (
                seen.problems.append(f"{response.url}: {response.status}")
                if "/static/" in response.url and response.status >= 400
                else None
            ),
        )
    return seen


def watch_console_page(browser: Browser, server: WebServer, viewport: ViewportSize) -> Watched:
    """A fresh browser context on the console at ``viewport``, its page watched (4xx pages
    are expected there). Close it with ``watched.page.context.close()``."""
    context = browser.new_context(viewport=viewport, base_url=server.base_url)
    context.set_default_timeout(reply_timeout_ms())
    page = context.new_page()
    page.add_init_script(CSP_WATCH)
    return watch(page, error_pages_expected=True)


class Shots:
    """Full-page screenshots named by prefix, page and viewport width, kept in ``folder``
    and in ``JOURNEYLINE_SCREENSHOT_DIR`` when set (to look at them after a run)."""

    def __init__(self, folder: Path, prefix: str) -> None:
        self.folders = [folder]
        keep = os.environ.get("JOURNEYLINE_SCREENSHOT_DIR")
        if keep:
            self.folders.append(Path(keep))
        self.prefix = prefix

    def take(self, page: Page, name: str) -> None:
        width = page.viewport_size["width"] if page.viewport_size else 0
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{self.prefix}-{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, with a start-up deadline that scales with the machine."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM_PATH,
        args=CHROMIUM_ARGS,
        timeout=scaled(BROWSER_START_SECONDS) * 1000,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --------------------------------------------------------------------------- the server


@dataclass
class WebServer:
    """A running `journeyline serve` and the environment its CLI calls share."""

    base_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path

    def cli(self, *args: str, stdin: str = "") -> str:
        """Run `python -m journeyline ARGS` against the server's database (with ``stdin``
        typed in); return stdout."""
        result = subprocess.run(
            [sys.executable, "-m", "journeyline", *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=scaled(CLI_SECONDS),
            check=False,
        )
        assert result.returncode == 0, f"journeyline {' '.join(args)} failed:\n{result.stderr}"
        return result.stdout

    def invites(self, *, campaign: str, participants: list[str]) -> list[str]:
        """Fresh personal links (`http://127.0.0.1:PORT/i/TOKEN`) made with the CLI, one
        per participant, in one call (each CLI start costs about a second)."""
        args = [arg for p in participants for arg in ("--participant", p)]
        out = self.cli("invites", "create", "--campaign", campaign, *args)
        links = re.findall(r"https?://\S+/i/\S+", out)
        assert len(links) == len(participants), f"unexpected `invites create` output: {out!r}"
        return links

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def run_server(
    data_dir: Path, *, extra_env: Mapping[str, str] | None = None
) -> Iterator[WebServer]:
    """Start the real server on a free port, wait for /healthz, stop it afterwards."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("JOURNEYLINE_")  # the developer's own settings stay out
    }
    env.update(
        {
            "JOURNEYLINE_DATA_DIR": str(data_dir),
            "JOURNEYLINE_PUBLIC_URL": base_url,
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "server.log"
    command = [sys.executable, "-m", "journeyline", "serve", "--host", "127.0.0.1"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            env=env,
            cwd=data_dir,  # no stray .env from the checkout
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = WebServer(base_url=base_url, env=env, process=process, log_path=log_path)
    try:
        _wait_healthy(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_healthy(server: WebServer) -> None:
    """Poll /healthz until it answers 200; fail with the server's log if the server exits
    first or takes longer than SERVER_START_SECONDS (scaled)."""

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(server.base_url + "/healthz", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    wait_until(
        healthy,
        what=f"`journeyline serve` on {server.base_url}",
        base_seconds=SERVER_START_SECONDS,
        exit_code=server.process.poll,
        output=server.log_tail,
    )


def reply_timeout_ms() -> float:
    """How long the page may take to show the bot's answer (Playwright's milliseconds)."""
    return scaled(REPLY_SECONDS) * 1000


def api_get_interview(base_url: str, *, interview_id: str, token: str) -> dict[str, Any]:
    """`GET /api/v1/interviews/{id}` with the link's token, as the page itself would."""
    request = urllib.request.Request(
        f"{base_url}/api/v1/interviews/{interview_id}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body: dict[str, Any] = json.load(response)
        return body


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/i/", 1)[1].split("?")[0]


# --------------------------------------------------------------------------- the driver

# What a customer types for each question. Two answers for next_step: one more step, then
# the end. Everything here is understood by the offline engine without a re-ask.
TYPED_ANSWERS: dict[str, list[str]] = {
    "consent": ["yes"],
    "problem": ["I was charged twice for my broadband in March"],
    "step": ["I called them and waited on hold for 40 minutes"],
    "channel": ["phone"],
    "feeling": ["pretty bad", "2"],
    "thinking": ["why is this so hard"],
    "duration": ["about 20 minutes"],
    "people_tools": ["an agent called Sam"],
    "pain": ["the long wait"],
    "next_step": ["they emailed me a refund two days later", "that was the last step"],
    "playback": ["yes"],
    "moment_of_truth": ["when the refund email finally came"],
    "resolved": ["yes"],
    "effort": ["5"],
    "improvement": ["a callback instead of hold music"],
    "anything_else": ["no"],
}
FALLBACK_TYPED = "skip"
# Which quick reply to click, by slot; anything else clicks the first one offered.
PREFERRED_CHOICES: dict[str, str] = {
    "consent": "yes",
    "channel": "phone",
    "feeling": "2",
    "duration": "30",
    "people_tools": "none",
    "pain": "long_wait",
    "next_step": "last:partly",
    "playback": "yes",
    "moment_of_truth": "step:1",
    "resolved": "partly",
    "effort": "5",
    "anything_else": "no",
}


@dataclass
class Sent:
    text: str
    choice: str | None


@dataclass
class ChatDriver:
    """Answers the questions on a chat page like a customer would, recording each answer."""

    page: Page
    sent: list[Sent] = field(default_factory=list)
    asked: dict[str, int] = field(default_factory=dict)

    def status(self) -> str:
        return self.page.locator("#app").get_attribute("data-status") or ""

    def finished(self) -> bool:
        return self.status() in {"completed", "declined"}

    def active_slot(self) -> str | None:
        active = self.page.locator("#log .msg--active")
        if active.count() == 0:
            return None
        return active.last.get_attribute("data-slot")

    def bot_count(self) -> int:
        return self.page.locator("#log .msg--bot").count()

    def wait_for_reply(self, bots_before: int) -> None:
        """Wait until the bot answered (a new bot message) and nothing is left unsent."""
        from playwright.sync_api import expect

        self.page.locator("#log .msg--bot").nth(bots_before).wait_for(timeout=reply_timeout_ms())
        expect(self.page.locator('#log .msg--me:not([data-state="sent"])')).to_have_count(
            0, timeout=reply_timeout_ms()
        )

    def type_answer(self, text: str) -> None:
        """Type into the answer box and press Enter, as a keyboard user would."""
        before = self.bot_count()
        box = self.page.locator("#answer")
        box.click()
        box.fill(text)
        box.press("Enter")
        self.sent.append(Sent(text=text, choice=None))
        self.wait_for_reply(before)

    def click_choice(self, value: str) -> str:
        """Click the quick reply with `value` under the current question; return its label."""
        before = self.bot_count()
        button = self.page.locator(f'#log .msg--active button[data-choice="{value}"]')
        label = button.get_attribute("data-label") or ""
        button.click()
        self.sent.append(Sent(text=label, choice=value))
        self.wait_for_reply(before)
        return label

    def choices(self) -> list[str]:
        buttons = self.page.locator("#log .msg--active button[data-choice]")
        return [buttons.nth(i).get_attribute("data-choice") or "" for i in range(buttons.count())]

    def typed_answer_for(self, slot: str | None) -> str:
        key = slot or ""
        seen = self.asked.get(key, 0)
        self.asked[key] = seen + 1
        options = TYPED_ANSWERS.get(key)
        if not options:
            return FALLBACK_TYPED
        return options[min(seen, len(options) - 1)]

    def answer_until(self, slot: str, *, max_turns: int = 40) -> None:
        """Type answers until the question `slot` is the one asked."""
        for _ in range(max_turns):
            if self.active_slot() == slot:
                return
            self.answer_once(click=False)
        raise AssertionError(f"{slot!r} was not asked within {max_turns} answers")

    def answer_once(self, *, click: bool) -> None:
        slot = self.active_slot()
        offered = self.choices() if click else []
        if offered:
            wanted = PREFERRED_CHOICES.get(slot or "")
            self.click_choice(wanted if wanted in offered else offered[0])
        else:
            self.type_answer(self.typed_answer_for(slot))

    def complete(self, *, click: bool = False, max_turns: int = MAX_TURNS) -> None:
        """Answer until the interview is finished (typing only, or clicking where offered)."""
        for _ in range(max_turns):
            if self.finished():
                return
            self.answer_once(click=click)
        raise AssertionError(f"interview not finished after {max_turns} answers: {self.sent!r}")
