"""The customer's web chat in a real browser (Debian's Chromium driven by Playwright).

One `journeyline serve` and one browser per module; every test gets a fresh personal
link and a fresh browser context. Skipped when Chromium or playwright is missing, except
under CI=true, where that is a failure.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import (
    CSP_WATCH,
    PHONE,
    ChatDriver,
    Shots,
    Watched,
    WebServer,
    api_get_interview,
    reply_timeout_ms,
    require_browser,
    run_server,
    token_of,
    watch,
)

require_browser()

from playwright.sync_api import Browser, Page, Route, expect  # noqa: E402

pytestmark = pytest.mark.browser

CAMPAIGN = "web-test"
XSS = "<img src=x onerror=alert(1)>"
LINKS_PER_MODULE = 16


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    data_dir = tmp_path_factory.mktemp("web-data")
    # Every test talks from 127.0.0.1: no per-client limit, so tests cannot starve each other.
    with run_server(data_dir, extra_env={"JOURNEYLINE_RATE_LIMIT_PER_CLIENT": "0"}) as running:
        running.cli("campaigns", "create", "--slug", CAMPAIGN, "--name", "Web", "--open-link")
        yield running


@pytest.fixture(scope="module")
def link_pool(server: WebServer) -> list[str]:
    participants = [f"p{n}" for n in range(1, LINKS_PER_MODULE + 1)]
    return server.invites(campaign=CAMPAIGN, participants=participants)


@pytest.fixture
def link(link_pool: list[str]) -> str:
    """A personal link nobody has opened yet."""
    return link_pool.pop()


@pytest.fixture
def watched(browser: Browser, server: WebServer) -> Iterator[Watched]:
    context = browser.new_context(viewport=PHONE, base_url=server.base_url)
    context.set_default_timeout(reply_timeout_ms())
    page = context.new_page()
    page.add_init_script(CSP_WATCH)
    yield watch(page)
    context.close()


def open_link(watched: Watched, link: str) -> None:
    watched.page.goto(link)
    expect(watched.page.locator("#log .msg--active")).to_have_count(1)


def stored(server: WebServer, page: Page, link: str) -> dict[str, Any]:
    interview_id = page.locator("#app").get_attribute("data-interview-id") or ""
    return api_get_interview(server.base_url, interview_id=interview_id, token=token_of(link))


def inbound_texts(view: dict[str, Any]) -> list[str]:
    return [m["text"] for m in view["messages"] if m["direction"] == "in"]


def assert_finished_page(page: Page) -> None:
    expect(page.locator("#composer")).to_be_hidden()
    expect(page.locator("#banner")).to_be_visible()
    expect(page.locator("#banner")).to_contain_text("Thank you")
    expect(page.locator("#log button")).to_have_count(0)


# --------------------------------------------------------------------------- whole interviews


def test_complete_an_interview_by_typing_only(
    watched: Watched, server: WebServer, link: str
) -> None:
    page = watched.page
    open_link(watched, link)
    driver = ChatDriver(page)
    driver.complete(click=False)

    assert driver.status() == "completed"
    assert all(sent.choice is None for sent in driver.sent)
    assert_finished_page(page)
    expect(page.locator("#progress-bar")).to_have_attribute("value", "100")
    # Reloading a finished interview shows the transcript and the thank-you, no composer.
    page.reload()
    assert_finished_page(page)
    expect(page.locator("#log .msg--me")).to_have_count(len(driver.sent))
    view = stored(server, page, link)
    assert view["status"] == "completed"
    assert inbound_texts(view) == [sent.text for sent in driver.sent]
    assert watched.problems == [] and watched.dialogs == []


def test_complete_an_interview_with_quick_replies(
    watched: Watched, server: WebServer, link: str
) -> None:
    page = watched.page
    open_link(watched, link)
    driver = ChatDriver(page)
    driver.complete(click=True)

    assert driver.status() == "completed"
    clicked = {sent.choice for sent in driver.sent if sent.choice is not None}
    # Consent, the feeling scale, the end (and how it ended), the playback, the effort.
    assert {"yes", "2", "last:partly", "5"} <= clicked
    assert_finished_page(page)
    view = stored(server, page, link)
    assert view["status"] == "completed"
    # A click shows (and stores) the label the customer chose.
    assert inbound_texts(view) == [sent.text for sent in driver.sent]
    assert watched.problems == []


def test_no_console_errors_or_csp_violations_during_an_interview(
    watched: Watched, server: WebServer, link: str
) -> None:
    page = watched.page
    open_link(watched, link)
    driver = ChatDriver(page)
    for _ in range(6):
        driver.answer_once(click=True)
    page.reload()
    expect(page.locator("#log .msg--active")).to_have_count(1)
    driver.complete(click=False)
    assert driver.status() == "completed"
    assert watched.problems == []


def test_reload_midway_keeps_everything_and_stores_each_answer_once(
    watched: Watched, server: WebServer, link: str
) -> None:
    page = watched.page
    open_link(watched, link)
    driver = ChatDriver(page)
    for _ in range(5):
        driver.answer_once(click=False)
    slot_before = driver.active_slot()
    question_before = page.locator("#log .msg--active .msg-text").last.text_content()

    page.reload()

    mine = page.locator("#log .msg--me .msg-text")
    expect(mine).to_have_count(len(driver.sent))
    assert mine.all_text_contents() == [sent.text for sent in driver.sent]
    expect(page.locator("#log .msg--active")).to_have_count(1)
    assert driver.active_slot() == slot_before
    assert page.locator("#log .msg--active .msg-text").last.text_content() == question_before

    driver.complete(click=False)
    view = stored(server, page, link)
    assert view["status"] == "completed"
    assert Counter(inbound_texts(view)) == Counter(sent.text for sent in driver.sent)
    assert len(inbound_texts(view)) == len(driver.sent)


def test_a_resumed_transcript_is_shown_at_once_and_only_new_messages_slide_in(
    watched: Watched, link: str
) -> None:
    page = watched.page
    open_link(watched, link)
    driver = ChatDriver(page)
    for _ in range(3):
        driver.answer_once(click=False)
    # Messages that arrived while the page was open slide in.
    assert page.locator("#log .msg--new").count() >= 3

    page.reload()

    # The whole server-rendered transcript is fully visible from the first frame: on a
    # long interview, fading every old bubble in at once left the screen blank.
    restored = page.locator("#log .msg")
    expect(restored.first).to_be_visible()
    assert page.locator("#log .msg--new").count() == 0
    names = restored.evaluate_all("els => els.map(e => getComputedStyle(e).animationName)")
    assert set(names) == {"none"}

    driver.answer_once(click=False)
    expect(page.locator("#log .msg--me.msg--new")).to_have_count(1)
    assert page.locator("#log .msg--bot.msg--new").count() >= 1


def test_open_link_start_page_then_chat(watched: Watched, server: WebServer) -> None:
    page = watched.page
    page.goto("/c/" + CAMPAIGN)
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".consent-text")).not_to_be_empty()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/i/[^/]+$"))
    expect(page.locator("#log .msg--active")).to_have_count(1)
    driver = ChatDriver(page)
    driver.answer_once(click=True)  # consent
    driver.answer_once(click=False)  # the problem
    expect(page.locator("#log .msg--me")).to_have_count(2)
    assert driver.active_slot() == "step"
    assert watched.problems == []


# --------------------------------------------------------------------------- safety


def test_markup_in_an_answer_is_shown_as_text(
    watched: Watched, server: WebServer, link: str
) -> None:
    page = watched.page
    open_link(watched, link)
    driver = ChatDriver(page)
    driver.answer_once(click=True)  # consent
    driver.type_answer(XSS)  # the problem
    driver.type_answer(XSS)  # the first step: it comes back in the playback and choices
    mine = page.locator("#log .msg--me .msg-text")
    assert mine.nth(1).text_content() == XSS
    assert mine.nth(2).text_content() == XSS
    for _ in range(20):
        if driver.active_slot() in {"playback", "moment_of_truth"}:
            break
        driver.answer_once(click=True)
    expect(page.locator("#log .journey-text").first).to_contain_text(XSS)

    page.reload()  # the server-rendered transcript escapes it too
    expect(page.locator("#log .msg--me .msg-text").nth(1)).to_have_text(XSS)
    expect(page.locator("#log .journey-text").first).to_contain_text(XSS)
    assert page.locator("img").count() == 0
    assert watched.dialogs == []
    assert XSS in inbound_texts(stored(server, page, link))


def test_no_horizontal_scrolling_on_a_small_phone(
    watched: Watched, server: WebServer, link: str
) -> None:
    page = watched.page
    page.set_viewport_size({"width": 360, "height": 640})
    open_link(watched, link)
    driver = ChatDriver(page)
    driver.answer_once(click=True)
    long_word = "Supercalifragilistic" * 20
    driver.type_answer(long_word)
    driver.type_answer("https://support.example.com/tickets/" + "A1B2C3D4" * 30)

    def fits() -> bool:
        return bool(
            page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        )

    assert fits()
    page.reload()
    expect(page.locator("#log .msg--me")).to_have_count(3)
    assert fits()


# --------------------------------------------------------------------------- never lose an answer


def test_network_failure_keeps_the_answer_and_retries_with_the_same_id(
    watched: Watched, server: WebServer, link: str
) -> None:
    page = watched.page
    open_link(watched, link)
    driver = ChatDriver(page)
    driver.answer_once(click=True)  # consent

    bodies: list[dict[str, Any]] = []
    plan = ["drop-request", "drop-response"]

    def flaky(route: Route) -> None:
        bodies.append(json.loads(route.request.post_data or "{}"))
        step = plan.pop(0) if plan else "pass"
        if step == "drop-request":  # never reaches the server
            route.abort("internetdisconnected")
        elif step == "drop-response":  # stored by the server, the answer is lost on the way
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/interviews/*/messages", flaky)
    box = page.locator("#answer")
    box.fill("my internet was down for a week")
    box.press("Enter")

    failed = page.locator('#log .msg--me[data-state="failed"]')
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("my internet was down for a week")
    expect(failed.locator(".msg-meta")).to_contain_text("Not sent")
    failed.get_by_role("button", name=re.compile("Retry")).click()
    expect(failed).to_have_count(1)  # the second attempt lost its response
    failed.get_by_role("button", name=re.compile("Retry")).click()
    expect(page.locator('#log .msg--me[data-state="sent"]')).to_have_count(2)
    expect(page.locator("#log .msg--active")).to_have_count(1)

    assert len(bodies) == 3
    assert len({body["client_message_id"] for body in bodies}) == 1
    assert inbound_texts(stored(server, page, link)).count("my internet was down for a week") == 1
    # The reply to the answer is shown once, even though the server answered it twice.
    page.unroute("**/api/v1/interviews/*/messages")
    bots = page.locator("#log .msg--bot").count()
    page.reload()
    expect(page.locator("#log .msg--bot")).to_have_count(bots)


def test_rate_limited_answer_waits_for_retry_after(
    watched: Watched, server: WebServer, link: str
) -> None:
    page = watched.page
    open_link(watched, link)
    ids: list[str] = []

    def limited_once(route: Route) -> None:
        ids.append(json.loads(route.request.post_data or "{}")["client_message_id"])
        if len(ids) == 1:
            route.fulfill(
                status=429,
                headers={"Retry-After": "1", "Content-Type": "application/json"},
                body=json.dumps({"error": {"code": "rate_limited", "message": "Slow down."}}),
            )
        else:
            route.continue_()

    page.route("**/api/v1/interviews/*/messages", limited_once)
    driver = ChatDriver(page)
    driver.answer_once(click=True)
    assert len(ids) == 2 and ids[0] == ids[1]
    assert inbound_texts(stored(server, page, link)) == ["Yes, that's fine"]


def test_finished_on_the_server_shows_the_finished_state(
    watched: Watched, server: WebServer, link: str
) -> None:
    page = watched.page
    open_link(watched, link)

    def finished(route: Route) -> None:
        route.fulfill(
            status=409,
            headers={"Content-Type": "application/json"},
            body=json.dumps(
                {"error": {"code": "interview_finished", "message": "This interview is over."}}
            ),
        )

    page.route("**/api/v1/interviews/*/messages", finished)
    page.locator("#answer").fill("hello?")
    page.locator("#answer").press("Enter")
    expect(page.locator("#banner")).to_contain_text("This interview is over.")
    expect(page.locator("#composer")).to_be_hidden()
    expect(page.locator("#log .msg--me")).to_contain_text("hello?")


# --------------------------------------------------------------------------- accessibility

# Contrast of each element's text against the first opaque background behind it.
CONTRAST = """
(selectors) => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const bg = (el) => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = {};
  for (const s of selectors) {
    const el = document.querySelector(s);
    if (!el) continue;
    const a = lum(parse(getComputedStyle(el).color).slice(0, 3)), b = lum(bg(el));
    out[s] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }
  return out;
}
"""

UNNAMED_BUTTONS = """
() => Array.from(document.querySelectorAll("button")).filter((b) => {
  if (b.getAttribute("aria-label")) return false;
  const copy = b.cloneNode(true);
  copy.querySelectorAll("[aria-hidden=true]").forEach((n) => n.remove());
  return !copy.textContent.trim();
}).map((b) => b.outerHTML)
"""


def check_page_basics(page: Page) -> None:
    assert (page.locator("html").get_attribute("lang") or "").strip()
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main")).to_have_count(1)
    assert page.evaluate(UNNAMED_BUTTONS) == []
    assert page.locator("img:not([alt])").count() == 0


def test_basic_accessibility(watched: Watched, server: WebServer, link: str) -> None:
    page = watched.page
    open_link(watched, link)
    check_page_basics(page)
    log = page.get_by_role("log")
    expect(log).to_have_count(1)
    expect(log).to_have_attribute("aria-live", "polite")
    answer_box = page.get_by_role("textbox", name="Your answer")
    expect(answer_box).to_have_attribute("maxlength", re.compile(r"^\d+$"))
    expect(page.get_by_label("Your answer", exact=True)).to_have_id("answer")
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(page.get_by_role("button", name="Yes, that's fine")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_count(1)

    driver = ChatDriver(page)
    for _ in range(30):  # walk to the feeling scale, checking names on the way
        if driver.active_slot() == "feeling":
            break
        driver.answer_once(click=False)
        assert page.evaluate(UNNAMED_BUTTONS) == []
        # Focus comes back to the answer box after every reply.
        assert page.evaluate("() => document.activeElement?.id") == "answer"
    expect(page.get_by_role("button", name="Very bad")).to_be_visible()
    expect(page.get_by_role("button", name="Great")).to_be_visible()

    # Keyboard only: Tab moves between quick replies; Enter picks one.
    page.get_by_role("button", name="Bad", exact=True).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('data-choice')") == "3"
    bots = driver.bot_count()
    page.keyboard.press("Enter")
    driver.wait_for_reply(bots)
    expect(page.locator("#log .msg--me .msg-text").last).to_have_text("😐 Okay")

    for _ in range(30):
        if driver.active_slot() == "playback":
            break
        driver.answer_once(click=False)
    expect(page.get_by_role("button", name="Edit step 1")).to_be_visible()
    expect(page.locator("#log .msg--active ol.journey > li")).not_to_have_count(0)
    assert page.evaluate(UNNAMED_BUTTONS) == []

    ratios = page.evaluate(
        CONTRAST,
        [
            "#log .msg--bot .msg-text",
            "#log .msg--me .msg-text",
            "#log .msg--active .chip",
            ".topbar-sub",
            ".composer-hint",
            "#log .journey-text",
        ],
    )
    assert len(ratios) == 6
    assert all(ratio >= 4.5 for ratio in ratios.values()), ratios

    for path in ("/c/" + CAMPAIGN, "/i/not-a-real-token"):
        page.goto(path)
        check_page_basics(page)
    assert watched.problems == [] or all("404" in p for p in watched.problems)


def test_editing_a_step_from_the_playback_list(
    watched: Watched, server: WebServer, link: str, tmp_path: Path
) -> None:
    page = watched.page
    open_link(watched, link)
    driver = ChatDriver(page)
    driver.answer_until("playback")
    # The playback also asks for the make-or-break moment: a button per step.
    expect(page.locator("#log .msg--active")).to_contain_text("make-or-break moment")
    Shots(tmp_path, "chat").take(page, "playback")
    driver.click_choice("fix:1")  # the "Edit" button next to step 1
    driver.type_answer("I went into their shop with the receipt")
    assert driver.active_slot() == "playback"
    first_item = page.locator("#log .msg--active ol li").first
    expect(first_item).to_contain_text("I went into their shop with the receipt")
    expect(first_item).to_contain_text("in person")
    view = stored(server, page, link)
    assert view["pending"][-1]["items"][0].startswith("I went into their shop")
    assert watched.problems == []


def test_an_end_button_closes_the_story_and_says_how_it_ended(
    watched: Watched, server: WebServer, link: str, tmp_path: Path
) -> None:
    page = watched.page
    open_link(watched, link)
    driver = ChatDriver(page)
    driver.answer_until("next_step")
    for label in ("✅ Ended: sorted", "➖ Ended: partly sorted", "❌ Ended: not sorted"):
        expect(page.get_by_role("button", name=label)).to_be_visible()
    Shots(tmp_path, "chat").take(page, "end-buttons")
    driver.click_choice("last:no")
    slots = []
    for _ in range(20):
        if driver.finished():
            break
        slots.append(driver.active_slot())
        driver.answer_once(click=True)
    assert driver.finished()
    assert "playback" in slots and "resolved" not in slots  # the button answered it
    assert watched.problems == []
