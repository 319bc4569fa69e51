"""The review workspace in a real browser (Debian's Chromium driven by Playwright):
open a map, follow a quote to its transcript, rename a stage, move a step, two reviewers
at once, re-synthesize with 20 new interviews and see every edit kept and the new
evidence marked, compare the two versions; every page at laptop and phone width,
screenshotted.

One `journeyline serve` for the module, its data made with the CLI as an operator would
(`campaigns create`, `import`, `synthesize`, `users create`). Screenshots go to the
test's temporary folder, and to JOURNEYLINE_SCREENSHOT_DIR when that is set. Skipped when
Chromium or playwright is missing, except under CI=true.
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
    Watched,
    WebServer,
    require_browser,
    run_server,
    watch_console_page,
)
from tests.review_data import EVIL_EMAIL, import_records

require_browser()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

CAMPAIGN = "support-q4"
PASSWORD = "a reviewer's own password"
REVIEWER = "rae@example.com"
SECOND = "sam@example.com"
VIEWER = "vic@example.com"


def _import(server: WebServer, folder: Path, *, count: int, start: int, evil: bool) -> None:
    lines = import_records(count=count, start=start, evil=evil)
    path = folder / f"interviews-{start}.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    server.cli("import", str(path), "--campaign", CAMPAIGN)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    data_dir = tmp_path_factory.mktemp("review-data")
    with run_server(data_dir, extra_env={"JOURNEYLINE_RATE_LIMIT_PER_CLIENT": "0"}) as running:
        running.cli("campaigns", "create", "--slug", CAMPAIGN, "--name", "Support Q4")
        _import(running, data_dir, count=12, start=0, evil=True)
        running.cli("synthesize", "--campaign", CAMPAIGN, "--out", str(data_dir / "map1"))
        for email, role in ((REVIEWER, "reviewer"), (SECOND, "reviewer"), (VIEWER, "viewer")):
            running.cli(
                *("users", "create", "--email", email, "--role", role, "--password-stdin"),
                stdin=PASSWORD + "\n",
            )
        yield running


def _sign_in(page: Page, email: str) -> None:
    page.goto("/app/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Campaigns", exact=True)).to_be_visible()


def _open_map(page: Page) -> None:
    page.get_by_role("link", name="Maps", exact=True).click()
    expect(page.get_by_role("heading", name="Journey maps")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Open map")).first.click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Journey map: Support Q4"))
    ).to_be_visible()


def test_open_a_map_follow_a_quote_to_its_transcript(
    watched: Watched, server: WebServer, tmp_path: Path
) -> None:
    page, shots = watched.page, Shots(tmp_path, "review")
    _sign_in(page, REVIEWER)
    shots.take(page.context.pages[0], "home")
    page.get_by_role("link", name="Maps", exact=True).click()
    shots.take(page, "maps")
    _open_map(page)
    expect(page.get_by_role("columnheader", name=re.compile("Waiting"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Feeling per stage"))).to_be_visible()
    # Customer markup shows as text; the script never ran (no dialog, no CSP report).
    expect(page.get_by_text("<script>alert('x')</script>", exact=False).first).to_be_attached()
    shots.take(page, "map")
    # The quote in the "Doing" lane of the third stage.
    quote = page.locator("table.lanes tbody tr").first.locator("blockquote a").nth(2)
    message = quote.get_attribute("href") or ""
    assert re.search(r"/interviews/[^#]+#m\d+$", message)
    quote.click()
    expect(page).to_have_url(re.compile(r"/interviews/.+#m\d+$"))
    anchor = message.split("#")[1]
    target = page.locator(f"li#{anchor}")
    expect(target).to_be_in_viewport()
    expect(target).to_have_class(re.compile("msg--in"))
    highlighted = target.evaluate("el => getComputedStyle(el).boxShadow")
    assert highlighted != "none"  # the :target message stands out
    shots.take(page, "transcript")
    page.go_back()
    page.get_by_role("link", name=re.compile(r"^The \d+ steps in ")).first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Stage 1"))).to_be_visible()
    shots.take(page, "evidence")
    page.get_by_role("link", name=re.compile("^Review this stage")).click()
    expect(page.get_by_role("heading", name="Rename and describe")).to_be_visible()
    shots.take(page, "cell")
    page.goto(page.url.split("/cells/")[0] + "/history")
    expect(page.get_by_role("heading", name="Versions")).to_be_visible()
    shots.take(page, "history-empty")
    assert watched.problems == []


def test_a_viewer_reads_the_map_with_personal_data_masked(
    watched: Watched, server: WebServer, tmp_path: Path
) -> None:
    page = watched.page
    _sign_in(page, VIEWER)
    _open_map(page)
    expect(page.get_by_text("masked for your role")).to_be_visible()
    assert EVIL_EMAIL not in page.content()
    expect(page.get_by_role("link", name=re.compile("^Review stage"))).to_have_count(6)
    Shots(tmp_path, "review").take(page, "map-viewer")
    assert watched.problems == []


def test_rename_move_two_reviewers_resynthesize_and_compare(
    browser: Browser, server: WebServer, tmp_path: Path
) -> None:
    shots = Shots(tmp_path, "review")
    rae, sam = (
        watch_console_page(browser, server, LAPTOP),
        watch_console_page(browser, server, LAPTOP),
    )
    page = rae.page
    _sign_in(page, REVIEWER)
    _open_map(page)
    first_run = page.url.rstrip("/").split("/")[-1]

    # Rename a stage.
    page.get_by_role("link", name="Review stage Waiting").click()
    page.get_by_label("Name", exact=True).fill("On hold")
    page.get_by_label("Why").first.fill("customers call it being on hold")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Your edit is saved")
    expect(page.get_by_role("heading", name="Stage “On hold”")).to_be_visible()

    # Move a step from "Reaching out" to "On hold".
    page.goto(f"/app/maps/{first_run}/evidence/stage/reach_out")
    item = page.locator("li.evidence-item").first
    moved = item.locator("a").first.inner_text()  # "Interview 1a2b3c4d, step 1"
    item.locator("summary").click()
    item.get_by_label("Move to stage").select_option(label="On hold")
    item.get_by_label("Why").first.fill("they were already waiting here")
    item.get_by_role("button", name="Move the step").click()
    expect(page.get_by_role("status")).to_contain_text("Your edit is saved")
    page.goto(f"/app/maps/{first_run}/evidence/stage/wait")
    expect(page.locator("li.evidence-item").filter(has_text=moved)).to_have_count(1)

    # Two reviewers at once: Sam's page is older than Rae's next change.
    _sign_in(sam.page, SECOND)
    sam.page.goto(f"/app/maps/{first_run}/cells/stage/wait")
    page.goto(f"/app/maps/{first_run}/cells/stage/wait")
    page.get_by_label("Description").fill("Nothing moves: on hold, waiting for a call back.")
    page.get_by_label("Why").first.fill("clearer for the team")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Your edit is saved")
    sam.page.get_by_label("Name", exact=True).fill("Stuck waiting")
    sam.page.get_by_label("Why").first.fill("stronger words")
    sam.page.get_by_role("button", name="Save", exact=True).click()
    expect(
        sam.page.get_by_role("heading", name="Someone else changed this map meanwhile")
    ).to_be_visible()
    expect(sam.page.get_by_label("Name")).to_have_value("Stuck waiting")  # nothing lost
    shots.take(sam.page, "conflict")
    sam.page.get_by_role("button", name="Save my edit now").click()
    expect(sam.page.get_by_role("status")).to_contain_text("Your edit is saved")
    # Both changes hold: Sam's name and Rae's description (Sam did not touch it).
    expect(sam.page.get_by_label("Name", exact=True)).to_have_value("Stuck waiting")
    expect(sam.page.get_by_label("Description")).to_have_value(
        "Nothing moves: on hold, waiting for a call back."
    )

    # Re-synthesize with 20 new interviews, as an operator would.
    _import(server, tmp_path, count=20, start=12, evil=False)
    out = server.cli("synthesize", "--campaign", CAMPAIGN, "--out", str(tmp_path / "map2"))
    assert "re-applied: 4 hold, 0 no longer hold" in out
    page.goto("/app/maps")
    page.get_by_role("link", name=re.compile(r"^Open map")).first.click()
    second_run = page.url.rstrip("/").split("/")[-1]
    assert second_run != first_run
    expect(page.get_by_role("columnheader", name=re.compile("Stuck waiting"))).to_be_visible()
    expect(page.get_by_role("note").filter(has_text="20 new interviews")).to_be_visible()
    expect(page.locator(".review-panel")).to_contain_text("4 held, 0 no longer held")
    expect(page.locator("#stage-wait .badge--new")).to_be_visible()
    shots.take(page, "map-after-resynthesis")
    page.goto(f"/app/maps/{second_run}/evidence/stage/wait")
    expect(page.locator("li.evidence-item").filter(has_text=moved)).to_have_count(1)
    page.goto(f"/app/maps/{second_run}/evidence/stage/wait?new=1")
    expect(page.locator("li.evidence-item .badge--new").first).to_be_visible()
    shots.take(page, "evidence-new")

    # Compare the two versions, cell by cell.
    page.goto(f"/app/maps/{second_run}/history")
    shots.take(page, "history")
    page.get_by_role("button", name="Compare").click()
    expect(
        page.get_by_role("heading", name=f"Run {first_run} and run {second_run}")
    ).to_be_visible()
    expect(page.locator(".diff-cell").filter(has_text="Stuck waiting").first).to_contain_text(
        "grew"
    )
    shots.take(page, "diff")
    for problems in (rae.problems, sam.problems):
        assert problems == []
    for seen in (rae, sam):
        seen.page.context.close()

    # The same pages on a phone.
    phone = watch_console_page(browser, server, PHONE)
    _sign_in(phone.page, REVIEWER)
    for path, name in (
        (f"/app/maps/{second_run}", "map-after-resynthesis"),
        (f"/app/maps/{second_run}/cells/stage/wait", "cell-edited"),
        (f"/app/maps/{second_run}/history", "history"),
        (f"/app/maps/diff?before={first_run}&after={second_run}", "diff"),
        (f"/app/maps/{second_run}/evidence/stage/wait", "evidence-moved"),
    ):
        phone.page.goto(path)
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a phone"
        shots.take(phone.page, name)
    assert phone.problems == []
    phone.page.context.close()


def test_merge_stages_reject_a_pain_and_compare_two_waves(
    browser: Browser, server: WebServer, tmp_path: Path
) -> None:
    """The rest of the reviewing flow: merge one stage into another, reject a pain point,
    and set this campaign beside an earlier wave (another campaign on the same frame)."""
    shots = Shots(tmp_path, "review")
    seen = watch_console_page(browser, server, LAPTOP)
    page = seen.page
    _sign_in(page, REVIEWER)
    _open_map(page)
    run = page.url.rstrip("/").split("/")[-1]

    # Merge the map's last stage into another.
    reviews = page.get_by_role("link", name=re.compile(r"^Review stage "))
    merged_name = reviews.last.inner_text().removeprefix("Review").strip()
    reviews.last.click()
    into = page.locator("#into option").nth(1)
    into_label = into.inner_text()
    page.locator("#into").select_option(value=into.get_attribute("value"))
    page.locator("#merge-reason").fill("the same moment for customers")
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Your edit is saved")
    page.goto(f"/app/maps/{run}")
    expect(page.get_by_role("link", name=f"Review {merged_name}")).to_have_count(0)
    assert into_label.split(": ", 1)[1] in page.locator("table").first.inner_text()

    # Reject the top pain point: it leaves the ranking and is listed as rejected.
    pain = page.get_by_role("link", name=re.compile(r"on pain point ")).first
    pain_label = pain.inner_text().split("on pain point", 1)[1].strip()
    pain.click()
    page.locator("#decide-reason").fill("a duplicate of another pain point")
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("status").filter(has_text="Your edit is saved")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Rejected")).to_be_visible()
    page.goto(f"/app/maps/{run}")
    expect(page.get_by_role("link", name=f"on pain point {pain_label}")).to_have_count(0)
    shots.take(page, "map-merged-rejected")

    # An earlier wave: another campaign on the same frame, then the two side by side.
    server.cli("campaigns", "create", "--slug", "support-q3", "--name", "Support Q3")
    lines = import_records(count=12, start=200, evil=False)
    earlier = tmp_path / "q3.jsonl"
    earlier.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    server.cli("import", str(earlier), "--campaign", "support-q3")
    server.cli("synthesize", "--campaign", "support-q3", "--out", str(tmp_path / "q3"))
    page.goto("/app/maps/diff")
    before = page.locator("#before option").filter(has_text="Support Q3").first
    page.locator("#before").select_option(value=before.get_attribute("value"))
    page.locator("#after").select_option(value=run)
    page.get_by_role("button", name="Compare").click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Two waves: Support Q3 and Support Q4"))
    ).to_be_visible()
    expect(page.locator(".diff-cell").first).to_be_visible()
    shots.take(page, "waves")
    assert seen.problems == []
    page.context.close()
