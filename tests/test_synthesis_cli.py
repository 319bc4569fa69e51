"""`journeyline synthesize` as a user runs it (SQLite in a temp dir)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyline.cli.main import app
from journeyline.runtime import open_runtime
from journeyline.settings import load_settings
from tests.cli_support import seed_standard_interviews, use_temp_data_dir
from tests.synthesis_data import add_standard_interviews, make_campaign

runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_temp_data_dir(tmp_path, monkeypatch)


@pytest.mark.slow
def test_synthesize_writes_every_format_and_segments(tmp_path: Path) -> None:
    seed_standard_interviews()
    out = tmp_path / "all"
    result = runner.invoke(
        app, ["synthesize", "--campaign", "synth", "--out", str(out), "--segment-by", "plan"]
    )
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir() if p.is_file())
    assert written == [
        "channel_mix.png",
        "emotion_curve.png",
        "map.html",
        "map.json",
        "map.md",
        "map.mmd",
        "opportunities.csv",
        "pain_points.csv",
        "stages.csv",
        "step_assignments.csv",
    ]
    assert sorted(p.name for p in (out / "segments").iterdir()) == [
        "plan=business",
        "plan=consumer",
    ]
    assert (out / "segments" / "plan=consumer" / "map.html").is_file()
    assert "saturation: The last 10 interviews added 0 new pain points" in result.output
    assert "segments by plan: business 6, consumer 6" in result.output
    assert "reported in 50% of consumer interviews, 0% of business" in result.output
    assert "resolved 67%" in result.output and "most common path: phone -> email" in result.output
    data = json.loads((out / "map.json").read_text(encoding="utf-8"))
    assert data["comparison"]["key"] == "plan"
    only = tmp_path / "only"
    result = runner.invoke(
        app, ["synthesize", "--campaign", "synth", "--out", str(only), "--format", "html,csv"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in only.iterdir()) == [
        "map.html",
        "opportunities.csv",
        "pain_points.csv",
        "stages.csv",
        "step_assignments.csv",
    ]
    bad = runner.invoke(app, ["synthesize", "--campaign", "synth", "--out", "x", "--format", "odt"])
    assert bad.exit_code == 1 and "unknown format 'odt'" in bad.output


def test_synthesize_writes_json_and_markdown(tmp_path: Path) -> None:
    rt = open_runtime(load_settings())
    try:
        with rt.sessions.begin() as session:
            add_standard_interviews(session, campaign=make_campaign(session))
    finally:
        rt.close()
    out = tmp_path / "map"
    args = ["synthesize", "--campaign", "synth", "--out", str(out), "--segment", "plan=business"]
    args += ["--stages", "3", "--format", "json", "--format", "markdown"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Journey map of 6 finished interviews (18 steps): 3 stages" in result.output
    data = json.loads((out / "map.json").read_text(encoding="utf-8"))
    assert data["segment"] == {"plan": "business"} and len(data["stages"]) == 3
    assert (out / "map.md").read_text(encoding="utf-8").startswith("# Journey map: synth")
    assert sorted(p.name for p in out.iterdir()) == ["map.json", "map.md"]
    bad = runner.invoke(app, ["synthesize", "--campaign", "nope", "--out", str(out)])
    assert bad.exit_code == 1 and "no campaign" in bad.output
    bad = runner.invoke(app, ["synthesize", "--campaign", "synth", "--out", "x", "--segment", "b"])
    assert bad.exit_code == 1 and "KEY=VALUE" in bad.output


def test_the_help_names_every_embedder() -> None:
    from journeyline.cli.synthesize import EMBEDDER_NAMES
    from synthesis.embedders import EMBEDDERS

    assert tuple(sorted(EMBEDDERS)) == EMBEDDER_NAMES


def test_the_command_starts_without_the_numeric_stack() -> None:
    # scikit-learn and SciPy took 1.5 s of every command's start; only the pipeline
    # (and the id matching of stored runs) needs them.
    import subprocess
    import sys

    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, journeyline.cli.main; "
            "print(sorted(m for m in ('sklearn', 'scipy', 'matplotlib') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"
