"""The map as a document: the PDF (WeasyPrint), the PNG of the whole map drawn from it
(PDFium), and the whiteboard CSV; and hostile customer text through all three.

The PDF's text is read back with pypdf: every stage name, the top pain point and a
quote are there. The hostile corpus (:mod:`tests.hostile_corpus`) goes through the
printable HTML and the whiteboard CSV entire (both are quick), and through the PDF for
the first inputs of each family (a PDF takes a fraction of a second): the document has
the structure the same map has with harmless words, its text holds the customer's words
literally, and nothing invisible, no link and no formula gets through.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from synthesis.model import JourneyMap
from synthesis.outputs import write_outputs
from synthesis.published import IDENTIFIERS, published_map
from synthesis.render_map_image import render_map_png
from synthesis.render_pdf import Labels, page_size, print_html, render_pdf
from synthesis.render_whiteboard import QUOTE_ROWS, render_whiteboard_csv
from tests.full_map import full_map, replace_text
from tests.hostile_corpus import CORPUS, CORPUS_IDS, Hostile
from tests.test_output_escaping import (
    FORBIDDEN,
    FORMULA_START,
    HARMLESS,
    STRAY_JOINER,
    _readings,
)

LANES = [
    "Lane",
    "Doing",
    "Thinking",
    "Channels",
    "People",
    "Tools & systems",
    "Time",
    "Feeling",
    "Pains",
    "Pain points",
    "Moments of truth",
    "Opportunities",
]
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The PDF per family: the first inputs of each (every family, not every input).
PDF_SAMPLE = 3


@pytest.fixture(scope="module")
def base_map(tmp_path_factory: pytest.TempPathFactory) -> JourneyMap:
    return published_map(full_map(tmp_path_factory.mktemp("full-map")))


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _squeezed(text: str) -> str:
    """Without any whitespace: a PDF breaks lines wherever a column ends."""
    return re.sub(r"\s+", "", text)


def test_the_pdf_holds_the_stages_the_pain_points_and_the_quotes(base_map: JourneyMap) -> None:
    data = render_pdf(base_map, Labels(note="Shared by Ana.", footer="run 7"))
    assert data.startswith(b"%PDF-")
    text = _squeezed(pdf_text(data))
    for stage in base_map.stages:
        assert _squeezed(stage.name) in text, stage.name
    top = base_map.pain_points[0]
    assert _squeezed(top.label) in text
    assert _squeezed(top.quotes[0].text) in text
    assert _squeezed(base_map.stages[1].quotes[0].text) in text
    assert _squeezed("Shared by Ana.") in text and "run7" in text
    assert render_pdf(base_map) == render_pdf(base_map)  # same map, same bytes


def test_a_nine_stage_map_fits_a3_and_renders_in_seconds(base_map: JourneyMap) -> None:
    stages = [
        s.model_copy(update={"id": f"S{n}", "name": f"Stage number {n}"})
        for n in range(1, 10)
        for s in base_map.stages[:1]
    ]
    nine = base_map.model_copy(update={"stages": stages})
    assert page_size(9) == "A3 landscape" and page_size(4) == "A4 landscape"
    started = time.perf_counter()
    data = render_pdf(nine)
    elapsed = time.perf_counter() - started
    reader = PdfReader(io.BytesIO(data))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (1191, 842)  # A3 landscape, in points
    assert all(f"Stagenumber{n}" in _squeezed(pdf_text(data)) for n in range(1, 10))
    # Generous for a shared 2-core machine; measured about 0.6 s (see README).
    assert elapsed < 10, elapsed


def test_the_png_is_the_whole_map_on_one_image(base_map: JourneyMap) -> None:
    image = Image.open(io.BytesIO(render_map_png(base_map)))
    assert image.format == "PNG"
    # A4 landscape's width (297 mm) at 1.5 x 96 dpi; as tall as the content, not 5 m.
    assert image.width == round(297 / 25.4 * 96 * 1.5)
    assert 600 < image.height < 8000
    # The bottom is the end of the content: the last rows are blank, not cut text.
    bottom = image.convert("L").crop((0, image.height - 10, image.width, image.height))
    darkest, _ = bottom.getextrema()
    assert isinstance(darkest, int) and darkest > 200


def test_the_whiteboard_csv_is_the_grid_of_stages_and_lanes(base_map: JourneyMap) -> None:
    text = render_whiteboard_csv(base_map)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    stages = base_map.stages
    assert [r[0] for r in rows] == [*LANES, *(f"Quote {n}" for n in range(1, QUOTE_ROWS + 1))]
    assert {len(r) for r in rows} == {1 + len(stages)}
    assert rows[0][1:] == [f"{n}. {s.name}" for n, s in enumerate(stages, start=1)]
    by_lane = {r[0]: r[1:] for r in rows}
    assert by_lane["Doing"] == [s.doing or "" for s in stages]
    assert by_lane["Quote 1"][0].startswith(f"“{' '.join(stages[0].quotes[0].text.split())}”")
    top = base_map.pain_points[0]
    column = [s.id for s in stages].index(top.stages[0])
    assert f"#{top.rank} {top.label}" in by_lane["Pain points"][column]
    assert all("\n" not in cell and len(cell) <= 280 for r in rows for cell in r)


def test_the_new_formats_are_written_when_named(base_map: JourneyMap, tmp_path: Path) -> None:
    written = write_outputs(base_map, tmp_path, ["whiteboard-csv", "pdf", "map-png"])
    assert [p.name for p in written] == ["map.pdf", "map.png", "whiteboard.csv"]
    assert write_outputs(base_map, tmp_path / "default", None)[-1].name == "channel_mix.png"


# ---------------------------------------------------------------------------- hostile text


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        assert not any(name.startswith("on") for name, _ in attrs), (tag, attrs)
        assert tag not in ("script", "img", "a", "link", "iframe", "object"), tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parsed(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def harmless_tags(base_map: JourneyMap) -> Counter[str]:
    return _parsed(print_html(replace_text(base_map, HARMLESS))).tags


def _shown(hostile_map: JourneyMap) -> str:
    return hostile_map.stages[0].quotes[0].text


def _check_visible(text: str, where: str) -> None:
    found = FORBIDDEN.search(text) or STRAY_JOINER.search(text)
    assert found is None, f"{where} holds U+{ord(found.group(0)[-1]):04X}"


@pytest.mark.parametrize("hostile", CORPUS, ids=CORPUS_IDS)
def test_hostile_text_stays_text_in_the_print_html_and_whiteboard_csv(
    hostile: Hostile, base_map: JourneyMap, harmless_tags: Counter[str]
) -> None:
    hostile_map = published_map(replace_text(base_map, hostile.text))
    shown = _shown(hostile_map)
    for secret in hostile.secrets:
        assert secret not in shown
    html = print_html(hostile_map)
    _check_visible(html, "the print HTML")
    page = _parsed(html)
    # No tag, attribute or link made of customer text. (A stage's "doing" line is left
    # out when its quote says the same, which the harmless words always do: up to one
    # paragraph per stage more.)
    assert page.tags - Counter({"p": page.tags["p"]}) == harmless_tags - Counter(
        {"p": harmless_tags["p"]}
    )
    extra = page.tags["p"] - harmless_tags["p"]
    assert 0 <= extra <= len(hostile_map.stages)
    assert " ".join(shown.split()) in " ".join(" ".join(page.text).split())
    board = render_whiteboard_csv(hostile_map)
    _check_visible(board.replace("\r\n", "\n"), "whiteboard.csv")
    for how, rows in _readings(board):
        for row in rows:
            for cell in row:
                start = cell.lstrip(' \n"')
                assert not start.startswith(FORMULA_START), (how, cell[:80])
    first = next(csv.reader(io.StringIO(board, newline="")))
    assert first[1].replace("'", "").startswith("1. ")


PDF_CORPUS = [
    h for family in dict.fromkeys(h.family for h in CORPUS)
    for h in [x for x in CORPUS if x.family == family][:PDF_SAMPLE]
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("hostile", PDF_CORPUS, ids=[h.id for h in PDF_CORPUS])
def test_hostile_text_stays_text_in_the_pdf(hostile: Hostile, base_map: JourneyMap) -> None:
    # Identifiers (the campaign's slug, ids) are journeyline's own and never redacted:
    # they keep their harmless values, so no personal data may appear anywhere.
    hostile_map = published_map(replace_text(base_map, hostile.text, keep=IDENTIFIERS))
    data = render_pdf(hostile_map)
    reader = PdfReader(io.BytesIO(data))
    assert all("/Annots" not in page for page in reader.pages)  # no link of any kind
    text = pdf_text(data)
    # What the PDF was made from holds nothing invisible (checked above for every
    # input); in its text, no reordering control either. (A glyph no font has comes
    # back as U+0000, so the text is not held to the whole FORBIDDEN set.)
    assert BIDI.search(text) is None
    shown = _shown(hostile_map)
    for secret in hostile.secrets:
        assert secret not in text
    if shown.isascii():
        # The customer's words, as words: markup and all, nothing run or dropped (a
        # long one is cut to a cell's length).
        assert _squeezed(shown)[:100] in _squeezed(text)
