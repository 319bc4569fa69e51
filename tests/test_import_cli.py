"""`journeyline import FILE` as a user runs it (SQLite in a temp dir)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyline.cli.main import app
from tests.cli_support import use_temp_data_dir
from tests.test_import import STRUCTURED, TURNS

runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_temp_data_dir(tmp_path, monkeypatch)


def test_import_reports_counts_and_bad_lines(tmp_path: Path) -> None:
    created = runner.invoke(app, ["campaigns", "create", "--slug", "ext", "--name", "Ext"])
    assert created.exit_code == 0, created.output
    file = tmp_path / "interviews.jsonl"
    lines = [json.dumps(STRUCTURED), "oops", json.dumps(TURNS), json.dumps({"external_id": "e"})]
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(file), "--campaign", "ext"])
    assert result.exit_code == 1, result.output
    assert "Imported 2 interviews from" in result.output
    assert "(4 lines): 0 already imported and unchanged, 2 rejected." in result.output
    assert "line 2: not valid JSON" in result.output
    assert "line 4 (e): give either 'steps' or 'turns'" in result.output

    file.write_text("\n".join([lines[0], lines[2]]) + "\n", encoding="utf-8")
    again = runner.invoke(app, ["import", str(file), "--campaign", "ext"])
    assert again.exit_code == 0, again.output
    assert "Imported 0 interviews" in again.output and "2 already imported" in again.output

    out = tmp_path / "map"
    synth = runner.invoke(app, ["synthesize", "--campaign", "ext", "--out", str(out)])
    assert synth.exit_code == 0, synth.output
    assert "Journey map of 2 finished interviews (6 steps)" in synth.output

    missing = runner.invoke(app, ["import", "nope.jsonl"])
    assert missing.exit_code == 1 and "no such file: nope.jsonl" in missing.output
    nowhere = runner.invoke(app, ["import", str(file)])
    assert "no campaign: give --campaign" in nowhere.output
