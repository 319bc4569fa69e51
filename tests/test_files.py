"""Files (issue 19, item 7): whole, owner-only writes that never follow a symlink, output
folders checked before a run is stored, per-line import errors for any encoding
problem, a private data folder, and SQLite's synchronous mode. Each failed on main."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from bot.service.campaigns import create_campaign
from journeyline.cli.main import app
from journeyline.runtime import open_runtime
from journeyline.settings import Settings, load_settings
from storage.files import write_private
from storage.models import Interview, SynthesisRun
from tests.cli_support import seed_standard_interviews, use_temp_data_dir

runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLUMNS", "200")
    return use_temp_data_dir(tmp_path, monkeypatch)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _runs() -> int:
    rt = open_runtime(load_settings())
    try:
        with rt.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(SynthesisRun)) or 0)
    finally:
        rt.close()


def _synthesize(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["synthesize", "--campaign", "synth", "--stages", "3", *args])
    return result.exit_code, result.output


def test_out_onto_a_file_fails_before_the_run_is_stored(tmp_path: Path) -> None:
    seed_standard_interviews()
    blocker = tmp_path / "map-here"
    blocker.write_text("mine", encoding="utf-8")
    code, output = _synthesize("--out", str(blocker))
    assert code == 1
    assert "not a folder" in output
    assert "Traceback" not in output
    assert _runs() == 0
    assert blocker.read_text(encoding="utf-8") == "mine"


def test_an_empty_out_is_refused(tmp_path: Path) -> None:
    seed_standard_interviews()
    code, output = _synthesize("--out", "")
    assert code == 1
    assert "--out needs a folder name" in output
    assert _runs() == 0
    assert not list(tmp_path.glob("map.*"))  # nothing in the current folder


def test_a_symlink_in_the_output_folder_is_replaced_not_followed(tmp_path: Path) -> None:
    seed_standard_interviews()
    out = tmp_path / "out"
    out.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("do not overwrite", encoding="utf-8")
    (out / "map.json").symlink_to(precious)
    code, output = _synthesize("--out", str(out), "--format", "json")
    assert code == 0, output
    assert precious.read_text(encoding="utf-8") == "do not overwrite"
    assert not (out / "map.json").is_symlink()
    assert json.loads((out / "map.json").read_text(encoding="utf-8"))["campaign"] == "synth"


def test_written_files_are_owner_only_and_whole(tmp_path: Path, data_dir: Path) -> None:
    seed_standard_interviews()
    out = tmp_path / "fresh" / "map"
    code, output = _synthesize("--out", str(out), "--format", "json,csv")
    assert code == 0, output
    assert _mode(out) == 0o700
    assert {_mode(p) for p in out.iterdir()} == {0o600}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left
    # The data folder and the database.
    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "journeyline.db") == 0o600
    assert {_mode(p) for p in data_dir.glob("journeyline.db*")} == {0o600}


def test_a_failed_write_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "map.json"
    target.write_bytes(b"old")

    def disk_full(_descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_private(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["map.json"]  # no temporary left


def test_maps_export_writes_exactly_what_synthesize_wrote(tmp_path: Path) -> None:
    seed_standard_interviews()
    code, output = _synthesize("--out", str(tmp_path / "original"), "--segment-by", "plan")
    assert code == 0, output
    result = runner.invoke(app, ["maps", "export", "1", "--out", str(tmp_path / "again")])
    assert result.exit_code == 0, result.output
    original = {
        p.relative_to(tmp_path / "original"): p.read_bytes()
        for p in (tmp_path / "original").rglob("*")
        if p.is_file()
    }
    again = {
        p.relative_to(tmp_path / "again"): p.read_bytes()
        for p in (tmp_path / "again").rglob("*")
        if p.is_file()
    }
    assert any(path.parts[0] == "segments" for path in original)
    assert again.keys() == original.keys()
    differing = [str(path) for path in original if original[path] != again[path]]
    assert differing == []
    assert b"segments/" in again[Path("map.html")]  # the links to the segment pages


def test_interviews_export_onto_a_folder_fails_cleanly(tmp_path: Path) -> None:
    seed_standard_interviews()
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = runner.invoke(app, ["interviews", "export", "--out", str(folder)])
    assert result.exit_code == 1
    assert "is a folder" in result.output
    ok = runner.invoke(app, ["interviews", "export", "--out", str(folder / "all.json")])
    assert ok.exit_code == 0, ok.output
    assert _mode(folder / "all.json") == 0o600


def _import_line(n: int) -> bytes:
    record = {
        "external_id": f"ext-{n}",
        "turns": [
            {"question": "What did you need help with?", "answer": "My bill was wrong"},
            {"question": "What was the first thing you did?", "answer": "I called them"},
        ],
    }
    return json.dumps(record).encode() + b"\n"


def test_an_invalid_byte_costs_one_line_of_an_import(tmp_path: Path) -> None:
    rt = open_runtime(load_settings())
    with rt.sessions.begin() as session:
        create_campaign(session, slug="imported", name="Imported")
    rt.close()
    lines = [_import_line(n) for n in range(1, 601)]
    lines[549] = b'{"external_id": "bad", "note": "caf\xe9"}\n'  # Latin-1, line 550
    file = tmp_path / "interviews.jsonl"
    file.write_bytes(b"\xef\xbb\xbf" + b"".join(lines))
    result = runner.invoke(app, ["import", str(file), "--campaign", "imported"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "line 550: not UTF-8 (byte 0xe9 at column 36)" in result.output
    assert "Imported 599 interviews" in result.output
    rt = open_runtime(load_settings())
    try:
        with rt.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Interview)) == 599
    finally:
        rt.close()


@pytest.mark.parametrize(("setting", "pragma"), [(None, 2), ("normal", 1), ("FULL", 2)])
def test_sqlite_is_synchronous_full_unless_an_operator_chooses_speed(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, setting: str | None, pragma: int
) -> None:
    if setting is not None:
        monkeypatch.setenv("JOURNEYLINE_SQLITE_SYNCHRONOUS", setting)
    rt = open_runtime(Settings())
    try:
        with rt.engine.connect() as connection:
            assert connection.execute(text("PRAGMA synchronous")).scalar() == pragma
    finally:
        rt.close()


def test_the_cli_creates_private_files(tmp_path: Path, data_dir: Path) -> None:
    # The console script sets an owner-only umask for everything it creates.
    import subprocess
    import sys

    env = {**os.environ, "JOURNEYLINE_DATA_DIR": str(tmp_path / "cli-data")}
    done = subprocess.run(
        [sys.executable, "-m", "journeyline", "campaigns", "list"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert _mode(tmp_path / "cli-data") == 0o700
    assert _mode(tmp_path / "cli-data" / "journeyline.db") == 0o600
