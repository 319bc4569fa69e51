"""Personal data is redacted in every map output and every interview export by default,
and written as said only with --include-personal-data (issue 19, item 2).

Two ways in: every text field of a full map set to one customer's personal data (each
kind of the corpus, through every format, the charts' labels included), and the real
commands on real interviews (`synthesize`, `maps export|show|diff`, `interviews export`
in json, jsonl and csv).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from journeyline.cli.main import app
from journeyline.runtime import open_runtime
from journeyline.settings import load_settings
from storage.models import Participant
from synthesis.model import JourneyMap
from synthesis.outputs import FORMATS, write_outputs
from tests.cli_support import use_temp_data_dir
from tests.full_map import full_map, replace_text
from tests.hostile_corpus import PERSONAL, Hostile
from tests.synthesis_data import StepSpec, add_journey, make_campaign

runner = CliRunner()
TEXT_SUFFIXES = (".json", ".md", ".mmd", ".csv", ".html", ".jsonl")
PLACEHOLDERS = ("[email]", "[phone]", "[card]", "[iban]", "[name]")


@pytest.fixture(scope="module")
def base_map(tmp_path_factory: pytest.TempPathFactory) -> JourneyMap:
    return full_map(tmp_path_factory.mktemp("full-map"))


def _texts(folder: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(folder.rglob("*")):
        if path.suffix in TEXT_SUFFIXES:
            yield path, path.read_bytes().decode("utf-8")


def _holds(text: str, secret: str) -> bool:
    """Whether ``secret`` is in ``text`` as a whole word ("Jo" is not in "Journey")."""
    return re.search(rf"(?<!\w){re.escape(secret)}(?!\w)", text) is not None


def _customer_fields_only(m: JourneyMap, text: str) -> JourneyMap:
    """Every field that can hold a customer's words set to ``text`` (ids are
    journeyline's own: a uuid never holds an e-mail address)."""
    from synthesis.published import IDENTIFIERS

    return replace_text(m, text, keep=IDENTIFIERS, keys=False)


def _chart_labels(
    m: JourneyMap, folder: Path, monkeypatch: pytest.MonkeyPatch, *, personal: bool = False
) -> list[str]:
    import synthesis.render_png as render_png

    labels: list[str] = []
    real_png = render_png._png

    def spy(figure: Any) -> bytes:
        data = real_png(figure)
        from matplotlib.text import Text

        labels.extend(t.get_text() for t in figure.findobj(Text))
        return data

    monkeypatch.setattr(render_png, "_png", spy)
    write_outputs(m, folder, ["png"], include_personal_data=personal)
    return labels


@pytest.mark.slow
@pytest.mark.parametrize(
    "hostile", PERSONAL, ids=[f"{h.family}-{n}" for n, h in enumerate(PERSONAL)]
)
def test_every_format_is_redacted_by_default(
    hostile: Hostile, base_map: JourneyMap, tmp_path: Path
) -> None:
    m = _customer_fields_only(base_map, hostile.text)
    # Every text format (the whiteboard CSV too); the PDF and the map image are checked
    # by their text in tests/test_map_documents.py.
    text_formats = [f for f in FORMATS if f not in ("png", "pdf", "map-png")]
    written = write_outputs(m, tmp_path, text_formats)
    assert {p.suffix for p in written} == {".json", ".md", ".csv", ".mmd", ".html"}
    for path, text in _texts(tmp_path):
        for secret in hostile.secrets:
            assert not _holds(text, secret), (path.name, secret)
        if path.suffix != ".mmd":  # Mermaid cuts quotes short: the placeholder may be cut
            assert any(p in text for p in PLACEHOLDERS), path.name


@pytest.mark.slow
@pytest.mark.parametrize(
    "hostile", PERSONAL, ids=[f"{h.family}-{n}" for n, h in enumerate(PERSONAL)]
)
def test_every_format_keeps_personal_data_when_asked(
    hostile: Hostile, base_map: JourneyMap, tmp_path: Path
) -> None:
    m = _customer_fields_only(base_map, hostile.text)
    write_outputs(m, tmp_path, [f for f in FORMATS if f != "png"], include_personal_data=True)
    for path, text in _texts(tmp_path):
        if path.suffix == ".mmd":
            continue  # cut to 40 characters: checked as JSON, Markdown, CSV and HTML
        shown = text.replace("\\", "") if path.suffix == ".md" else text
        for secret in hostile.secrets:
            assert secret in shown or secret.replace(" ", "") in shown, (path.name, secret)


@pytest.mark.slow
def test_chart_labels_are_redacted_unless_asked(
    base_map: JourneyMap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = PERSONAL[-1]  # a name, an e-mail address and a phone number
    m = _customer_fields_only(base_map, hostile.text)
    redacted = " ".join(_chart_labels(m, tmp_path / "a", monkeypatch))
    assert "[name]" in redacted
    assert not any(_holds(redacted, secret) for secret in hostile.secrets)
    kept = " ".join(_chart_labels(m, tmp_path / "b", monkeypatch, personal=True))
    assert "Mara" in kept


# ---------------------------------------------------------------------------- the commands

EMAIL = "jo.bloggs@example.com"
PHONE = "+44 7700 900123"
CARD = "4111 1111 1111 1111"
IBAN = "DE89 3704 0044 0532 0130 00"
SECRETS = (EMAIL, "7700 900123", CARD, "3704 0044 0532", "Bloggs")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLUMNS", "250")
    return use_temp_data_dir(tmp_path, monkeypatch)


def _seed_personal_interviews() -> None:
    """Six interviews whose every answer carries personal data of each kind."""
    rt = open_runtime(load_settings())
    try:
        with rt.sessions.begin() as session:
            campaign = make_campaign(session)
            for n in range(6):
                add_journey(
                    session,
                    campaign=campaign,
                    participant=f"jo{n}@example.com",
                    attributes={"plan": "business" if n % 2 else "consumer"},
                    improvement=f"call me back on {PHONE}, Jo Bloggs",
                    steps=[
                        StepSpec(f"my name is Jo Bloggs and I emailed {EMAIL}", "email", 2, 5),
                        StepSpec(f"called {PHONE} and read out card {CARD}", "phone", 1, 40,
                                 ("agent",), ("long_wait",), f"on hold, then asked for {IBAN}"),
                        StepSpec(f"got a refund to {IBAN}. Thanks, Jo Bloggs", "email", 4, 2),
                    ],
                )  # fmt: skip
    finally:
        rt.close()


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _leaks(texts: Iterator[tuple[Path, str]] | list[tuple[Path, str]]) -> list[str]:
    return [f"{p.name}: {s}" for p, text in texts for s in SECRETS if s in text]


@pytest.mark.slow
def test_synthesize_and_maps_commands_redact_unless_asked(data_dir: Path, tmp_path: Path) -> None:
    _seed_personal_interviews()
    args = ["synthesize", "--campaign", "synth", "--stages", "3", "--segment-by", "plan"]
    printed = _invoke(*args, "--out", str(tmp_path / "map"))
    assert _leaks(_texts(tmp_path / "map")) == [] and _leaks([(Path("stdout"), printed)]) == []
    assert "[email]" in (tmp_path / "map" / "map.json").read_text(encoding="utf-8")
    assert list((tmp_path / "map" / "segments").rglob("map.json"))  # segments too
    _invoke(*args, "--out", str(tmp_path / "full"), "--include-personal-data")
    full = (tmp_path / "full" / "map.json").read_text(encoding="utf-8")
    assert EMAIL in full and "Bloggs" in full
    # A stored run re-exported: the same redaction, the same bytes as first written (the
    # page differs: `maps export` does not write the segment pages it would link).
    _invoke("maps", "export", "1", "--out", str(tmp_path / "again"))
    assert _leaks(_texts(tmp_path / "again")) == []
    for name in ("map.json", "map.md", "stages.csv", "pain_points.csv", "map.mmd"):
        first = (tmp_path / "map" / name).read_bytes()
        assert (tmp_path / "again" / name).read_bytes() == first, name
    _invoke("maps", "export", "2", "--out", str(tmp_path / "again-full"), "--include-personal-data")
    assert EMAIL in (tmp_path / "again-full" / "map.json").read_text(encoding="utf-8")
    shown = _invoke("maps", "show", "1") + _invoke("maps", "diff", "1", "2")
    assert _leaks([(Path("maps show/diff"), shown)]) == []


def _seed_one_interview() -> None:
    rt = open_runtime(load_settings())
    try:
        with rt.sessions.begin() as session:
            campaign = make_campaign(session)
            add_journey(
                session,
                campaign=campaign,
                participant=EMAIL,
                attributes={"contact": PHONE},
                improvement=f"write to {EMAIL} or call {PHONE}",
                steps=[
                    StepSpec(f"Hi, my name is Jo Bloggs, card {CARD}", "phone", 2, 5,
                             ("agent",), (), f"they wanted {IBAN}", "=1+1;@SUM(1)"),
                ],
            )  # fmt: skip
            for person in session.scalars(select(Participant)):
                person.display_name = "Jo Bloggs"
    finally:
        rt.close()


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_interviews_export_redacts_unless_asked(data_dir: Path, tmp_path: Path, fmt: str) -> None:
    _seed_one_interview()
    out = tmp_path / ("csv" if fmt == "csv" else f"all.{fmt}")
    _invoke("interviews", "export", "--format", fmt, "--out", str(out))
    written = list(_texts(out)) if fmt == "csv" else [(out, out.read_text(encoding="utf-8"))]
    assert _leaks(written) == []
    assert "[email]" in " ".join(text for _, text in written)
    if fmt == "json":
        [document] = json.loads(out.read_text(encoding="utf-8"))
        assert document["participant"]["display_name"] == "[name] [name]"
        assert document["participant"]["attributes"] == {"contact": "[phone]"}
        assert document["steps"][0]["doing"] == "Hi, my name is [name] [name], card [card]"
    if fmt == "csv":
        with (out / "steps.csv").open(encoding="utf-8", newline="") as handle:
            [step] = list(csv.DictReader(handle))
        assert step["thinking"] == "'=1+1;'@SUM(1)"
    full = tmp_path / ("csv-full" if fmt == "csv" else f"full.{fmt}")
    _invoke("interviews", "export", "--format", fmt, "--out", str(full), "--include-personal-data")
    kept = list(_texts(full)) if fmt == "csv" else [(full, full.read_text(encoding="utf-8"))]
    assert {s for _, text in kept for s in SECRETS if s in text} == set(SECRETS)


def test_the_flag_is_in_every_help() -> None:
    for command in (["synthesize"], ["maps", "export"], ["interviews", "export"]):
        result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0
        assert "--include-personal-data" in result.output, command
