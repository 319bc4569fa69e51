"""`journeyline synthesize` storing runs and `journeyline maps ...` (SQLite in a temp dir)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyline.cli.main import app
from journeyline.runtime import open_runtime
from journeyline.settings import load_settings
from tests.cli_support import seed_standard_interviews, use_temp_data_dir
from tests.test_synthesis_runs import _add_billing_interviews

runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLUMNS", "200")
    return use_temp_data_dir(tmp_path, monkeypatch)


def _seed(*, billing: bool = False) -> None:
    if not billing:
        seed_standard_interviews()
        return
    rt = open_runtime(load_settings())
    try:
        _add_billing_interviews(rt.sessions)
    finally:
        rt.close()


def _synthesize(out: Path) -> str:
    args = ["synthesize", "--campaign", "synth", "--out", str(out), "--stages", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_runs_are_stored_listed_shown_diffed_and_exported(tmp_path: Path) -> None:
    _seed()
    first = _synthesize(tmp_path / "one")
    assert "stored as run 1 (the first of its series)" in first
    _seed(billing=True)
    second = _synthesize(tmp_path / "two")
    assert "stored as run 2; ids matched to run 1: 3 stages and 3 pain points kept" in second
    assert "new: P4" in second
    written = json.loads((tmp_path / "two" / "map.json").read_text(encoding="utf-8"))
    assert {p["label"]: p["id"] for p in written["pain_points"]}["Billing error"] == "P4"
    # Everything computed from the map uses the stored ids, not positional ones.
    pain_ids = {p["id"] for p in written["pain_points"]}
    heard = {i for point in written["saturation"]["points"] for i in point["new_pain_points"]}
    assert heard == pain_ids
    stage_ids = {s["id"] for s in written["stages"]}
    assert {s for p in written["pain_points"] for s in p["stages"]} <= stage_ids

    listed = runner.invoke(app, ["maps", "list"])
    assert listed.exit_code == 0, listed.output
    rows = [line.split() for line in listed.output.splitlines() if " synth " in line]
    assert [row[0] for row in rows] == ["2", "1"]  # newest first
    assert [row[4:7] for row in rows] == [["all", "16", "3"], ["all", "12", "3"]]

    shown = runner.invoke(app, ["maps", "show", "2"])
    assert shown.exit_code == 0, shown.output
    assert "Run 2" in shown.output and "Billing error" in shown.output
    assert "16 interviews, 48 steps, 3 stages, 4 pain points" in shown.output

    diff = runner.invoke(app, ["maps", "diff"])  # the latest two of the only campaign
    assert diff.exit_code == 0, diff.output
    out = diff.output
    assert "Run 1 -> run 2" in out and "Interviews: 12 -> 16" in out
    assert "Stages: 3 grew. Pain points: 1 new, 1 grew, 2 unchanged." in out
    billing = next(line for line in out.splitlines() if "Billing error" in line)
    assert "new" in billing and "P4" in billing and "- -> 4" in billing
    long_wait = next(line for line in out.splitlines() if "Long wait" in line)
    assert "grew" in long_wait and "12 -> 16 (+4)" in long_wait
    reverse = runner.invoke(app, ["maps", "diff", "2", "1"])
    assert "disappeared" in next(ln for ln in reverse.output.splitlines() if "Billing" in ln)
    assert "shrank" in next(ln for ln in reverse.output.splitlines() if "Long wait" in ln)
    assert runner.invoke(app, ["maps", "diff", "2"]).output == diff.output

    export = runner.invoke(app, ["maps", "export", "1", "--out", str(tmp_path / "x")])
    assert export.exit_code == 0, export.output
    exported = (tmp_path / "x" / "map.json").read_text(encoding="utf-8")
    assert exported == (tmp_path / "one" / "map.json").read_text(encoding="utf-8")
    only_md = runner.invoke(
        app, ["maps", "export", "2", "--format", "markdown", "--out", str(tmp_path / "y")]
    )
    assert only_md.exit_code == 0 and [p.name for p in (tmp_path / "y").iterdir()] == ["map.md"]


def test_maps_errors_are_one_clear_line() -> None:
    empty = runner.invoke(app, ["maps", "list"])
    assert empty.exit_code == 0 and "No stored runs yet" in empty.output
    missing = runner.invoke(app, ["maps", "show", "7"])
    assert missing.exit_code == 1 and "no synthesis run 7" in missing.output
    _seed()
    _synthesize(Path("m"))
    lone = runner.invoke(app, ["maps", "diff"])
    assert lone.exit_code == 1 and "has 1 stored run(s); a diff needs two" in lone.output
    first = runner.invoke(app, ["maps", "diff", "1"])
    assert first.exit_code == 1 and "first of its series" in first.output
    bad = runner.invoke(app, ["maps", "export", "1", "--format", "docx", "--out", "z"])
    assert bad.exit_code == 1 and "unknown format 'docx'" in bad.output


def test_export_writes_the_curated_map_as_pdf_png_and_whiteboard_csv(tmp_path: Path) -> None:
    from bot.service.review.layer import Editor
    from bot.service.review.service import ReviewService
    from tests.test_map_documents import pdf_text

    _seed()
    _synthesize(tmp_path / "one")
    rt = open_runtime(load_settings())
    try:
        review = ReviewService(rt.sessions)
        stage = review.journey_map(1, personal=True).stages[0]
        review.edit(
            1,
            editor=Editor(user_id=None, name="rae"),
            expected=0,
            kind="rename",
            target_kind="stage",
            target_id=stage.id,
            payload={"name": "Spotting the double charge"},
            reason="customers say so",
        )
    finally:
        rt.close()
    formats = ["--format", "pdf", "--format", "map-png", "--format", "whiteboard-csv"]
    curated = runner.invoke(app, ["maps", "export", "1", *formats, "--out", str(tmp_path / "c")])
    assert curated.exit_code == 0, curated.output
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "map.pdf",
        "map.png",
        "whiteboard.csv",
    ]
    assert "Spotting the double charge" in " ".join(
        pdf_text((tmp_path / "c" / "map.pdf").read_bytes()).split()
    )
    board = (tmp_path / "c" / "whiteboard.csv").read_text(encoding="utf-8")
    assert board.startswith("Lane,1. Spotting the double charge,")
    raw = runner.invoke(
        app,
        ["maps", "export", "1", "--format", "whiteboard-csv", "--as-synthesized",
         "--out", str(tmp_path / "r")],
    )  # fmt: skip
    assert raw.exit_code == 0, raw.output
    first = (tmp_path / "r" / "whiteboard.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(f"Lane,1. {stage.name},")
