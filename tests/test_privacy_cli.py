"""`journeyline participants export|erase`, `campaigns retention` and `retention run` as
an operator runs them (Typer's runner, SQLite in a temp dir, the world of
tests/privacy_support.py built through the configured runtime)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyline.cli.main import app
from journeyline.runtime import open_runtime
from journeyline.settings import load_settings
from tests.cli_support import use_temp_data_dir
from tests.privacy_support import ERIN, OTTO, build_world, needles_in_files, participant_count

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JOURNEYLINE_PUBLIC_URL", "https://research.example.com")
    monkeypatch.setenv("JOURNEYLINE_RATE_LIMIT_PER_CLIENT", "0")
    folder = use_temp_data_dir(tmp_path, monkeypatch)
    rt = open_runtime(load_settings())
    try:
        build_world(rt, data_dir=folder, out=tmp_path / "map")
    finally:
        rt.close()
    return folder


def invoke(*args: str, input: str | None = None, code: int = 0) -> str:
    result = runner.invoke(app, list(args), input=input)
    assert result.exit_code == code, result.output
    return result.output


def _participants() -> int:
    rt = open_runtime(load_settings())
    try:
        return participant_count(rt.sessions)
    finally:
        rt.close()


def test_export_to_a_file_then_erase_after_confirming(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "erin.json"
    invoke("participants", "export", "--email", ERIN.email, "--out", str(target))
    document = json.loads(target.read_text())
    assert {p["email"] for p in document["participants"]} == {ERIN.email}
    assert target.stat().st_mode & 0o777 == 0o600
    # Standard output by default; the words are printed as they are, not as markup.
    out = invoke("participants", "export", "--slack-user", ERIN.slack_user)
    assert json.loads(out)["participants"][0]["slack_user_id"] == ERIN.slack_user

    refused = invoke("participants", "erase", "--email", ERIN.email, input="n\n", code=1)
    assert "3 participant rows match email" in refused and "alpha" in refused
    assert "nothing erased" in refused and _participants() == 5

    exported = tmp_path / "exported-map"
    invoke("maps", "export", "1", "--out", str(exported), "--include-personal-data")
    assert needles_in_files(exported, ERIN) != []

    out = invoke("participants", "erase", "--email", ERIN.email, input="y\n")
    assert "Erased" in out and "erasure id" in out and "participants 3" in out
    assert "retired map runs 1" in out and "deleted " in out
    assert _participants() == 2
    assert needles_in_files(exported, ERIN) == []  # `maps export` recorded its files too
    assert "retired" in invoke("maps", "show", "1", code=1)
    assert needles_in_files(data_dir, ERIN) == []
    assert needles_in_files(data_dir, OTTO) != []
    again = invoke("participants", "erase", "--email", ERIN.email, "--yes", code=1)
    assert "no participant matches email" in again


def test_erase_by_participant_id_without_asking_and_clear_errors(data_dir: Path) -> None:
    assert "say whom" in invoke("participants", "erase", "--yes", code=1)
    out = invoke("participants", "export", "--slack-user", OTTO.slack_user)
    first = json.loads(out)["participants"][0]["id"]
    erased = invoke("participants", "erase", "--id", str(first), "--yes")
    assert "participants 2" in erased  # the same person in the other campaign too
    assert _participants() == 3


def test_retention_is_set_per_campaign_and_run_with_a_dry_run(data_dir: Path) -> None:
    assert "give --days N or --keep" in invoke("campaigns", "retention", "alpha", code=1)
    assert "no campaign with slug 'nope'" in invoke(
        "campaigns", "retention", "nope", "--days", "30", code=1
    )
    invoke("campaigns", "retention", "alpha", "--days", "30")
    # The interviews ended minutes ago: nothing is due for 30 days.
    assert "Nothing is due" in invoke("retention", "run", "--dry-run")
    out = invoke("campaigns", "retention", "alpha", "--keep")
    assert "keeps its transcripts" in out
