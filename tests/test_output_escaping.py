"""Hostile customer text through every output format (issue 19, item 3).

Every input of :mod:`tests.hostile_corpus` (300, in families) is put into every string of a
full journey map (ids, names, quotes, labels, people, segment values ...), and the map is
written in every format, as ``synthesize`` writes it. Then, per format:

- Markdown, rendered by a real CommonMark renderer (markdown-it-py, with tables; and
  GitHub-like, linking bare URLs and accepting any link): the document has exactly the
  structure the same map has with harmless words (no customer text makes a tag, link,
  image, heading, list, table cell or code block), and the quotes show the customer's
  text literally;
- HTML: no script, no event handler, no link out, the text literally; and (``browser``)
  opened in Chromium: nothing runs (no dialog, ``window.__pwned`` unset, no CSP refusal
  in the console), nothing is fetched, the text is on the page;
- CSV: read as a spreadsheet would, splitting on ``,`` and on ``;``, with and without
  quoting, no cell starts with a formula character;
- Mermaid: every line is one the journey grammar reads as we meant (title, section,
  task, comment), no task starts with a keyword, no markup;
- JSON: valid, the same map back, nothing invisible;
- every text output: no bidi override, zero-width or control character.

The PNG charts are drawn for a sample of each family (drawing is slow): plain labels,
no maths, no failure.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from synthesis.model import JourneyMap
from synthesis.outputs import write_outputs
from tests.browser_support import open_chromium, watch
from tests.full_map import full_map, replace_text
from tests.hostile_corpus import CORPUS, CORPUS_IDS, Hostile

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TEXT_FORMATS = ["json", "markdown", "csv", "mermaid", "html"]
CSV_FILES = ("stages.csv", "pain_points.csv", "opportunities.csv", "step_assignments.csv")
HARMLESS = "plain words here"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters no output may hold: bidi controls, invisible format characters, controls
# other than the line break (CSV's own \r\n is checked in cells, not in the file).
FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u061c\u115f\u1160\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2028\u2029\u2060-\u2064\u2066-\u2069\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\ufffe\uffff\U000e0000-\U000e007f\ud800-\udfff]"
)
# A joiner is kept only inside a non-ASCII sequence (emoji, Persian, Indic).
STRAY_JOINER = re.compile("(?:^|(?<=[\x00-\x7f]))[\u200c\u200d]|[\u200c\u200d](?=[\x00-\x7f]|$)")


@pytest.fixture(scope="module")
def base_map(tmp_path_factory: pytest.TempPathFactory) -> JourneyMap:
    return full_map(tmp_path_factory.mktemp("full-map"))


@pytest.fixture(scope="module")
def harmless(base_map: JourneyMap, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The map with harmless words everywhere, written: the structure to compare with."""
    folder = tmp_path_factory.mktemp("harmless")
    write_outputs(replace_text(base_map, HARMLESS), folder, TEXT_FORMATS)
    return folder


def _write(base_map: JourneyMap, hostile: Hostile, folder: Path) -> JourneyMap:
    hostile_map = replace_text(base_map, hostile.text)
    write_outputs(hostile_map, folder, TEXT_FORMATS)
    return hostile_map


def _raw(path: Path) -> str:
    """A file's text as written (``read_text`` would turn a stray CR into a newline)."""
    return path.read_bytes().decode("utf-8")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _shown_text(folder: Path) -> str:
    """The customer's text as the published map says it (a quote of map.json)."""
    data = json.loads((folder / "map.json").read_text(encoding="utf-8"))
    shown: str = data["stages"][0]["quotes"][0]["text"]
    return shown


def _oracle(text: str) -> str:
    """What the published text must be, worked out here independently: line breaks as
    \\n, tabs as spaces, no control, format or surrogate code point, no Hangul filler,
    joiners only between non-ASCII characters."""
    text = re.sub("\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", "\n", text)
    kept: list[str] = []
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if char == "\t":
            kept.append(" ")
        elif char == "\n":
            kept.append(char)
        elif char in "\u200c\u200d":
            after = text[index + 1 : index + 2]
            if kept and after and ord(kept[-1]) > 0x7F and ord(after) > 0x7F:
                kept.append(char)
        elif not (
            category in ("Cc", "Cf", "Cs")
            or char in "\u115f\u1160\u3164\uffa0"
            or (ord(char) & 0xFFFE) == 0xFFFE
            or 0xFDD0 <= ord(char) <= 0xFDEF
        ):
            kept.append(char)
    return "".join(kept)


# ---------------------------------------------------------------------------- the corpus


def test_the_corpus_is_systematic_and_large() -> None:
    families = {h.family for h in CORPUS}
    assert len(CORPUS) >= 200
    assert {
        "html_js", "markdown_link", "backslash", "entity", "markdown_block", "table_pipe",
        "bidi", "zero_width", "control", "csv_formula", "mermaid", "long", "unicode",
        "email", "phone", "card", "iban", "name",
    } <= families  # fmt: skip
    assert len(set(CORPUS_IDS)) == len(CORPUS)


# ---------------------------------------------------------------------------- every format


@pytest.mark.slow
@pytest.mark.parametrize("hostile", CORPUS, ids=CORPUS_IDS)
def test_hostile_text_stays_text_in_every_format(
    hostile: Hostile, base_map: JourneyMap, harmless: Path, tmp_path: Path
) -> None:
    _write(base_map, hostile, tmp_path)
    shown = _shown_text(tmp_path)
    if not hostile.secrets and "@" not in hostile.text and hostile.family != "unicode":
        assert shown == _oracle(hostile.text)  # the text itself, only made visible
    for path in sorted(tmp_path.iterdir()):
        _check_visible(path.name, _raw(path))
    _check_json(tmp_path)
    _check_markdown(tmp_path, harmless, shown)
    _check_html(tmp_path, harmless, shown)
    _check_csv(tmp_path, shown)
    _check_mermaid(tmp_path, harmless)


def _check_visible(name: str, text: str) -> None:
    if name.endswith(".csv"):
        text = text.replace("\r\n", "\n")  # CSV's own line ends
    found = FORBIDDEN.search(text) or STRAY_JOINER.search(text)
    assert found is None, f"{name} holds U+{ord(found.group(0)[-1]):04X}"


def _check_json(folder: Path) -> None:
    raw = (folder / "map.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    assert JourneyMap.model_validate(data).model_dump(mode="json") == data


# ---------------------------------------------------------------------------- Markdown


def _renderers() -> list[MarkdownIt]:
    """CommonMark with GitHub's tables, and a permissive one: GitHub-like (bare URLs
    linked) and accepting any link, as a renderer that does not sanitise would."""
    return [MarkdownIt("commonmark").enable(["table", "strikethrough"]), _AnyLink("gfm-like")]


class _AnyLink(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        return True


def _structure(tokens: list[Token]) -> list[str]:
    """The document's shape: every token but plain text, with a fence's language."""
    shape: list[str] = []
    for token in tokens:
        if token.type == "inline":
            shape += [
                c.type for c in token.children or [] if c.type not in ("text", "text_special")
            ]
        elif token.type == "fence":
            shape.append(f"fence:{token.info}")
        else:
            shape.append(token.type)
    return shape


def _all_tokens(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        yield from _all_tokens(token.children or [])


def _check_markdown(folder: Path, harmless: Path, shown: str) -> None:
    source = (folder / "map.md").read_text(encoding="utf-8")
    for md in _renderers():
        tokens = md.parse(source)
        kinds = {t.type for t in _all_tokens(tokens)}
        assert not kinds & {"html_block", "html_inline", "link_open", "image"}, kinds
        baseline = md.parse((harmless / "map.md").read_text(encoding="utf-8"))
        assert _structure(tokens) == _structure(baseline)
        rendered = md.render(source)
        assert not re.search(r"<(?:script|img|a|iframe|svg)\b", rendered)
        # The quotes, as a reader sees them (not the Mermaid block's copy of them).
        quotes = re.findall(r"<blockquote>(.*?)</blockquote>", rendered, flags=re.DOTALL)
        texts = [_flat(html.unescape(re.sub(r"<[^>]+>", " ", q))) for q in quotes]
        assert any(f"“{_flat(shown)}”" in text for text in texts), texts[:1]


# ---------------------------------------------------------------------------- HTML


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self._style = tag == "style"
        self.attributes += [(tag, name, value) for name, value in attrs]

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.text.append(data)


def _page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _check_html(folder: Path, harmless: Path, shown: str) -> None:
    page, baseline = _page(folder / "map.html"), _page(harmless / "map.html")
    assert page.tags <= baseline.tags and "script" not in page.tags
    for tag, name, value in page.attributes:
        assert not name.startswith("on"), (tag, name, value)
        assert name not in {"src", "srcdoc", "action", "formaction", "background"}, (tag, name)
        if name == "href":
            assert value is not None and value.startswith(("#", "segments/", "../../")), value
    assert _flat(shown) in _flat(" ".join(page.text))


# ---------------------------------------------------------------------------- CSV


def _readings(text: str) -> Iterator[tuple[str, list[list[str]]]]:
    """The file as spreadsheets read it: split on , or ;, with quoting or without."""
    for delimiter in (",", ";"):
        for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_NONE):
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
            yield f"{delimiter!r} quoting={quoting}", list(reader)


def _check_csv(folder: Path, shown: str) -> None:
    csv.field_size_limit(10_000_000)  # a ; reading of a long line is one huge cell
    for name in CSV_FILES:
        text = _raw(folder / name)
        for how, rows in _readings(text):
            for row in rows:
                for cell in row:
                    start = cell.lstrip(' \n"')
                    assert not cell.startswith(FORMULA_START), (name, how, cell[:80])
                    assert not start.startswith(FORMULA_START), (name, how, cell[:80])
    with (folder / "stages.csv").open(encoding="utf-8", newline="") as handle:
        first = next(csv.DictReader(handle))
    # The quote is there, word for word, apart from the apostrophes that guard it.
    assert first["quote_1_text"].replace("'", "") == shown.replace("\t", " ").replace("'", "")


# ---------------------------------------------------------------------------- Mermaid

# Mermaid's journey lexer (mermaid 11, case-insensitive): a title runs to the line's end
# without # or ;, a section's name has none of # : ;, a task is "name: data" whose name
# has none of # : ; and whose data has none of # ;. A token starting with one of the
# keywords is read as that keyword, so no task name may.
_TITLE = re.compile(r"^    title [^#;\n]+$")
_SECTION = re.compile(r"^    section [^#:;\n]+$")
_TASK = re.compile(r"^      ([^#:;\n]+): [1-5]: [^#;\n]+$")
_COMMENT = re.compile(r"^      %% [^\n{]*$")
_KEYWORD = re.compile(r"^\s*(?:journey|title\s|section\s|acc(?:title|descr))", re.IGNORECASE)


def _mermaid_lines(source: str) -> list[str]:
    lines = source.rstrip("\n").split("\n")
    assert lines[0] == "journey" and _TITLE.match(lines[1]), lines[:2]
    kinds = ["journey", "title"]
    for line in lines[2:]:
        if _COMMENT.match(line):
            kinds.append("comment")
        elif _SECTION.match(line):
            kinds.append("section")
        else:
            task = _TASK.match(line)
            assert task is not None, line
            assert not _KEYWORD.match(task.group(1)), line
            kinds.append("task")
    return kinds


def _check_mermaid(folder: Path, harmless: Path) -> None:
    source = (folder / "map.mmd").read_text(encoding="utf-8")
    assert not re.search(r"[<>`]", source)
    assert "%" not in source.replace("      %% ", "")
    baseline = (harmless / "map.mmd").read_text(encoding="utf-8")
    assert _mermaid_lines(source) == _mermaid_lines(baseline)


# ---------------------------------------------------------------------------- PNG

# Every maths input; the first of every other family (a chart takes a second to draw).
PNG_SAMPLE = [h for h in CORPUS if h.family == "maths"] + [
    next(h for h in CORPUS if h.family == family)
    for family in sorted({h.family for h in CORPUS} - {"maths"})
]


@pytest.mark.slow
@pytest.mark.parametrize("hostile", PNG_SAMPLE, ids=[f"{h.family}" for h in PNG_SAMPLE])
def test_chart_labels_are_plain_text(
    hostile: Hostile, base_map: JourneyMap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import synthesis.render_png as render_png

    labels: list[tuple[str, bool]] = []
    real_png = render_png._png

    def spy(figure: Any) -> bytes:
        data = real_png(figure)  # drawn first: tick labels exist once the figure is
        from matplotlib.text import Text

        labels.extend((t.get_text(), t.get_parse_math()) for t in figure.findobj(Text))
        return data

    monkeypatch.setattr(render_png, "_png", spy)
    write_outputs(replace_text(base_map, hostile.text), tmp_path, ["png"])
    for name in ("emotion_curve.png", "channel_mix.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert labels
    for text, parses_maths in labels:
        assert not parses_maths, text
        assert FORBIDDEN.search(text) is None, repr(text)


# ---------------------------------------------------------------------------- Chromium

FAMILIES = sorted({h.family for h in CORPUS})


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    yield from open_chromium()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_hostile_pages_run_nothing_in_chromium(
    family: str, base_map: JourneyMap, chromium: Browser, tmp_path: Path
) -> None:
    """Each input of the family in its own page: opened, nothing runs or loads, and the
    customer's text is there to read, as text."""
    page = chromium.new_page()
    # Console errors include a CSP refusal of an injected script.
    watched = watch(page)
    problems, dialogs, requests = watched.problems, watched.dialogs, watched.requests
    for n, hostile in enumerate(h for h in CORPUS if h.family == family):
        folder = tmp_path / str(n)
        write_outputs(replace_text(base_map, hostile.text), folder, ["json", "html"])
        url = (folder / "map.html").as_uri()
        requests.clear()
        page.goto(url)
        page.wait_for_load_state("load")
        what = repr(hostile.text[:60])
        assert page.evaluate("typeof window.__pwned") == "undefined", what
        assert page.evaluate("document.scripts.length") == 0, what
        assert dialogs == [] and problems == [], (what, dialogs, problems)
        assert requests == [url], (what, requests)
        quotes = page.evaluate(
            "Array.from(document.querySelectorAll('blockquote')).map(b => b.innerText)"
        )
        assert any(_flat(_shown_text(folder)) in _flat(q) for q in quotes), what
        # What the reader sees holds nothing invisible (no bidi override reorders it).
        seen = page.evaluate("document.body.innerText")
        found = FORBIDDEN.search(seen.replace("\t", " ")) or STRAY_JOINER.search(seen)
        assert found is None, (what, f"U+{ord(found.group(0)[-1]):04X}" if found else "")
    page.close()
