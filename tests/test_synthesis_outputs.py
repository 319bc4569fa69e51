"""Every output format: written, byte-identical run to run, quotes verbatim, customer text
escaped, the JSON schema shipped, and the HTML page clean in a real Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Message
from synthesis.map_schema import map_json_schema
from synthesis.model import SCHEMA_VERSION, JourneyMap
from synthesis.outputs import (
    DEFAULT_FORMATS,
    FORMATS,
    OUTPUTS,
    UnknownFormat,
    check_formats,
    write_outputs,
    write_segmented_outputs,
)
from synthesis.pipeline import analyse, synthesize
from synthesis.render_mermaid import LOOK_ALIKES, mermaid_text, render_mermaid
from synthesis.segments import split_by
from tests.browser_support import open_chromium, watch
from tests.synthesis_data import (
    StepSpec,
    add_journey,
    add_metric_journeys,
    add_standard_interviews,
    make_campaign,
)

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = [
    "<script>alert('x')</script> I called: they said #1; wait",
    '<img src=x onerror="alert(1)"> emailed them\nand waited',
    '=HYPERLINK("http://evil") chatted | with `them` & 100% sure',
]


def _seed(sessions: sessionmaker[Session], *, hostile: bool = False) -> None:
    with sessions.begin() as session:
        campaign = make_campaign(session)
        add_standard_interviews(session, campaign=campaign, count=12)
        if hostile:
            for n, text in enumerate(HOSTILE):
                add_journey(
                    session,
                    campaign=campaign,
                    participant=f"hostile{n}",
                    attributes={"plan": "<b>enterprise</b>"},
                    steps=[
                        StepSpec(text, "phone", 1, 30, ("agent",), ("long_wait",), text),
                        StepSpec(f"then {text}", "email", 2, 5),
                    ],
                )


def _stored(sessions: sessionmaker[Session]) -> dict[int, tuple[str, str]]:
    with sessions() as session:
        return {m.id: (m.text, m.interview.public_id) for m in session.scalars(select(Message))}


def _write_all(sessions: sessionmaker[Session], out: Path) -> JourneyMap:
    with sessions() as session:
        analysis = analyse(session, campaign_slug="synth")
    maps = split_by(analysis, "plan")
    write_segmented_outputs(maps, out)
    return maps.overall


def _quotes(journey_map: JourneyMap) -> list[tuple[str, str, int]]:
    found = [(q.text, q.interview_id, q.message_id) for s in journey_map.stages for q in s.quotes]
    found += [
        (q.text, q.interview_id, q.message_id) for p in journey_map.pain_points for q in p.quotes
    ]
    return found


@pytest.mark.slow
def test_every_format_is_written_and_identical_twice(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _seed(session_factory)
    first = _write_all(session_factory, tmp_path / "a")
    _write_all(session_factory, tmp_path / "b")
    files = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    expected = {name for f in OUTPUTS.values() if not f.on_request for name in f.files}
    assert {p.name for p in files if len(p.parts) == 1} == expected
    assert {p.parts[1] for p in files if len(p.parts) > 1} == {"plan=business", "plan=consumer"}
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    data = json.loads((tmp_path / "a" / "map.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION == "4"
    assert JourneyMap.model_validate(data) == first
    assert data["stages"][1]["steps"][0].keys() == {"interview_id", "ordinal"}
    assert data["comparison"]["key"] == "plan" and data["metrics"]["journeys"] == 12
    assert (tmp_path / "a" / "map.html").read_text(encoding="utf-8").count(
        'href="segments/plan=business/map.html"'
    ) == 1
    segment_page = tmp_path / "a" / "segments" / "plan=consumer" / "map.html"
    assert '<a href="../../map.html">' in segment_page.read_text(encoding="utf-8")


@pytest.mark.slow
def test_format_choice(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    _seed(session_factory)
    with session_factory() as session:
        journey_map = synthesize(session, campaign_slug="synth")
    written = write_outputs(journey_map, tmp_path, ["csv", "mermaid"])
    assert [p.name for p in written] == [
        "stages.csv",
        "pain_points.csv",
        "opportunities.csv",
        "step_assignments.csv",
        "map.mmd",
    ]
    assert check_formats(None) == list(DEFAULT_FORMATS)
    assert set(FORMATS) - set(DEFAULT_FORMATS) == {"pdf", "map-png", "whiteboard-csv"}
    assert check_formats(["HTML", "json"]) == ["json", "html"]
    assert check_formats(["whiteboard-csv", "pdf"]) == ["pdf", "whiteboard-csv"]
    with pytest.raises(UnknownFormat, match="'docx'"):
        check_formats(["docx"])


@pytest.mark.slow
def test_quotes_are_verbatim_in_every_output(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _seed(session_factory, hostile=True)
    journey_map = _write_all(session_factory, tmp_path)
    stored = _stored(session_factory)
    quotes = _quotes(journey_map)
    assert len(quotes) >= 9
    assert any("<script>" in text for text, _, _ in quotes)  # the hostile ones are quoted
    for text, interview_id, message_id in quotes:
        assert stored[message_id] == (text, interview_id)
    # JSON: the same quotes, with the same ids.
    data = JourneyMap.model_validate_json((tmp_path / "map.json").read_text(encoding="utf-8"))
    assert _quotes(data) == quotes
    # Markdown: whitespace runs become one space, markup characters are backslash-escaped.
    markdown = (tmp_path / "map.md").read_text(encoding="utf-8")
    markdown = re.sub(r"\\(.)", r"\1", markdown)
    for text, interview_id, _ in quotes:
        assert f"“{' '.join(text.split())}” — interview `{interview_id}`" in markdown
    # CSV: the quote cells hold the stored text (a formula-looking one behind an apostrophe).
    cells: list[tuple[str, str, str]] = []
    for name in ("stages.csv", "pain_points.csv"):
        with (tmp_path / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for n in (1, 2, 3):
                    if row[f"quote_{n}_text"]:
                        cells.append(
                            (
                                row[f"quote_{n}_text"],
                                row[f"quote_{n}_interview_id"],
                                row[f"quote_{n}_message_id"],
                            )
                        )
    assert len(cells) == len(quotes)
    for cell, owner_id, id_cell in cells:
        said, owner = stored[int(id_cell)]
        assert owner == owner_id
        assert cell == said or (said.startswith("=") and cell == "'" + said)
    # HTML: the escaped text, with its ids next to it.
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    for text, interview_id, message_id in quotes:
        assert f"<p>{escape(text)}</p><footer>interview <code>{interview_id}</code>" in page
        assert f"message {message_id}</footer>" in page


@pytest.mark.slow
def test_customer_text_cannot_become_markup(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _seed(session_factory, hostile=True)
    _write_all(session_factory, tmp_path)
    for path in [tmp_path / "map.html", *tmp_path.glob("segments/*/map.html")]:
        text = path.read_text(encoding="utf-8")
        assert "<script" not in text and "<img" not in text and "<b>enterprise" not in text
        assert "&lt;script&gt;" in text or "segments" in str(path)
        assert 'onerror="' not in text
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    assert "&lt;b&gt;enterprise&lt;/b&gt;" in page  # the segment value, too
    mermaid = (tmp_path / "map.mmd").read_text(encoding="utf-8")
    assert "<" not in mermaid and ">" not in mermaid
    _assert_valid_mermaid_journey(mermaid)
    assert "‹script›alert('x')‹/script› I called꞉" in mermaid
    with (tmp_path / "stages.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            assert not any(cell.startswith(("=", "+", "@")) for cell in row)
    # The Markdown report never carries a raw tag.
    markdown = (tmp_path / "map.md").read_text(encoding="utf-8")
    assert re.search(r"(?<!\\)<(script|img|b)\b", markdown) is None


# Mermaid's journey grammar (jison lexer of mermaid 11): a title runs to the end of the line
# without '#' or ';'; a section's name has no ':', '#' or ';'; a task is
# "name: score: actors" whose name has none of ':#;' and whose data none of '#;'. (The
# output was also parsed and drawn by mermaid 11.17.2 in Chromium when this was written.)
_TITLE = re.compile(r"^    title [^#;\n]+$")
_SECTION = re.compile(r"^    section [^#:;\n]+$")
_TASK = re.compile(r"^      [^#:;\n]+: [1-5]: [^#;:\n]+$")
_COMMENT = re.compile(r"^\s*%%[^{].*$")


def _assert_valid_mermaid_journey(source: str) -> None:
    lines = source.rstrip("\n").split("\n")
    assert lines[0] == "journey" and _TITLE.match(lines[1])
    sections = 0
    for line in lines[2:]:
        plain = line
        if _COMMENT.match(line):
            continue
        if _SECTION.match(plain):
            sections += 1
            continue
        assert _TASK.match(plain), line
    assert sections >= 1


def test_mermaid_journey_syntax_and_escaping(session_factory: sessionmaker[Session]) -> None:
    _seed(session_factory)
    with session_factory() as session:
        journey_map = synthesize(session, campaign_slug="synth")
    source = render_mermaid(journey_map)
    _assert_valid_mermaid_journey(source)
    assert source.count("\n    section ") == len(journey_map.stages)
    assert "\n      “rang " in source or "\n      “phoned " in source or "“called" in source
    assert ": 1: Customer, agent" in source  # the phone stage: feeling 1, with an agent
    assert mermaid_text("a: b;\nc #d <e> 5%") == "a꞉ b； c ＃d ‹e› 5％"
    assert mermaid_text("x" * 100).endswith("…") and len(mermaid_text("x" * 100)) == 60
    # Mermaid tasks quote customers in part: what is there is a stored message's start.
    stored = [t for t, _ in _stored(session_factory).values()]
    for line in source.splitlines():
        if line.startswith("      “"):
            said = line.split("”:")[0][7:].rstrip("…")
            for original, look_alike in LOOK_ALIKES.items():
                said = said.replace(look_alike, original)
            assert any(" ".join(t.split()).startswith(said) for t in stored), said


@pytest.mark.slow
def test_csv_tables(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    _seed(session_factory)
    with session_factory() as session:
        journey_map = synthesize(session, campaign_slug="synth")
    write_outputs(journey_map, tmp_path, ["csv"])
    raw = (tmp_path / "step_assignments.csv").read_bytes()
    assert raw.count(b"\r\n") == 12 * 3 + 1  # RFC 4180 line ends, one row per step
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert {r["stage_id"] for r in rows} == {"S1", "S2", "S3"}
    assert [r["step_ordinal"] for r in rows[:3]] == ["1", "2", "3"]
    assert rows[0]["interview_id"] == journey_map.interview_ids[0]
    phone = [r for r in rows if r["stage_id"] == "S2"]
    assert all("P1" in r["pain_points"].split("; ") for r in phone)  # long wait everywhere
    stages = list(csv.DictReader((tmp_path / "stages.csv").open(encoding="utf-8", newline="")))
    assert [s["stage_id"] for s in stages] == ["S1", "S2", "S3"]
    assert stages[1]["channel_mix"] == "phone 12" and stages[1]["feeling_mean"] == "1.0"
    pains = list(csv.DictReader((tmp_path / "pain_points.csv").open(encoding="utf-8", newline="")))
    assert pains[0]["label"] == "Long wait" and pains[0]["interviews"] == "12"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_png_charts(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    _seed(session_factory)
    with session_factory() as session:
        journey_map = synthesize(session, campaign_slug="synth")
    write_outputs(journey_map, tmp_path, ["png"])
    curve = (tmp_path / "emotion_curve.png").read_bytes()
    mix = (tmp_path / "channel_mix.png").read_bytes()
    assert _png_size(curve)[0] >= 700 and _png_size(mix)[1] >= 300
    assert b"Matplotlib" not in curve  # no version stamp: bytes depend on the drawing
    write_outputs(journey_map, tmp_path / "again", ["png"])
    assert (tmp_path / "again" / "emotion_curve.png").read_bytes() == curve


def test_json_schema_is_shipped_and_current() -> None:
    shipped = json.loads((ROOT / "docs" / "map-schema.json").read_text(encoding="utf-8"))
    assert shipped == map_json_schema()
    assert shipped["properties"]["schema_version"]["default"] == SCHEMA_VERSION
    doc = (ROOT / "docs" / "map-schema.md").read_text(encoding="utf-8")
    assert f"schema version **{SCHEMA_VERSION}**" in doc
    for field in JourneyMap.model_fields:
        assert f"`{field}`" in doc, field


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    yield from open_chromium()


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_page_opens_in_chromium_without_errors(
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    chromium: object,
    viewport: tuple[int, int],
) -> None:
    from playwright.sync_api import Browser

    assert isinstance(chromium, Browser)
    _seed(session_factory, hostile=True)
    journey_map = _write_all(session_factory, tmp_path)
    page = chromium.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    watched = watch(page)
    problems, dialogs, requests = watched.problems, watched.dialogs, watched.requests
    url = (tmp_path / "map.html").as_uri()
    page.goto(url)
    page.wait_for_load_state("load")
    assert problems == []  # includes CSP refusals: the inline style is allowed by hash only
    assert requests == [url]  # self-contained: nothing else is fetched
    assert dialogs == []  # no hostile text ran
    stages = len(journey_map.stages)
    assert page.locator(".lanes .stage-head").count() == stages
    rated = sum(1 for s in journey_map.stages if s.feeling.mean is not None)
    assert page.locator("svg.curve path.dot").count() == rated
    assert page.locator("svg.curve polygon.band").count() >= 1
    assert page.locator("#pains .card").count() == len(journey_map.pain_points)
    assert page.locator("blockquote").count() == len(_quotes(journey_map))
    assert "<script>alert('x')</script>" in page.locator("#map").inner_text()
    assert page.evaluate("document.styleSheets.length") == 1
    # The style applied (CSP let it in): the lanes are a grid.
    assert page.evaluate("getComputedStyle(document.querySelector('.lanes')).display") == "grid"
    # The page itself never scrolls sideways; only the lanes box does, on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport[0]
    if viewport[0] >= 1280:
        # On a laptop the whole map fits: every stage column is visible without scrolling.
        lanes = "document.querySelector('.lanes')"
        assert page.evaluate(f"{lanes}.scrollWidth <= {lanes}.clientWidth + 1"), stages
    # Follow the comparison's link to a segment's page and back: as clean.
    page.locator("#segments a", has_text="consumer").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/segments/plan=consumer/map.html")
    assert page.locator("h1").inner_text() == "Journey map: synth (plan=consumer)"
    page.locator("nav a", has_text="whole campaign").click()
    page.wait_for_load_state("load")
    assert page.url == url
    assert problems == [] and dialogs == []
    page.close()


@pytest.mark.slow
def test_tiny_and_uneven_maps_render_in_every_format(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with session_factory.begin() as session:
        campaign = make_campaign(session)
        add_journey(
            session,
            campaign=campaign,
            participant="only",
            resolved=None,
            steps=[StepSpec("looked it up", None, None, None)],
        )
    with session_factory() as session:
        tiny = synthesize(session, campaign_slug="synth")
    assert len(tiny.stages) == 1 and tiny.pain_points == []
    assert tiny.saturation is not None
    assert tiny.saturation.statement == "None of the 1 interviews reported a pain point."
    written = write_outputs(tiny, tmp_path / "tiny")
    assert len(written) == 10
    page = (tmp_path / "tiny" / "map.html").read_text(encoding="utf-8")
    assert "No pain points were reported." in page and "no ratings" in page
    assert "%% S1 has no feeling ratings" in (tmp_path / "tiny" / "map.mmd").read_text()
    # A segment can miss a stage entirely: its maps still render.
    with session_factory.begin() as session:
        from storage.queries import get_campaign_by_slug

        stored = get_campaign_by_slug(session, "synth")
        assert stored is not None
        add_metric_journeys(session, campaign=stored)
    with session_factory() as session:
        analysis = analyse(session, campaign_slug="synth", stages=3)
    maps = split_by(analysis, "plan")
    assert any(s.step_count == 0 for m in maps.segments for s in m.stages)
    paths = write_segmented_outputs(maps, tmp_path / "uneven")
    assert len(paths) == 10 * (1 + len(maps.segments))
