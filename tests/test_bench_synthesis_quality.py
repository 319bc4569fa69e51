"""bench/synthesis_quality.py runs on a user's CSV, skips missing data clearly, and its
stage simulation is deterministic."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bench import synthesis_quality
from bench.stage_simulation import simulate


def test_user_csv_is_scored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["answer", "topic"])
        for n in range(15):
            writer.writerow([f"waited on hold for {n + 5} minutes,\nthen hung up", "wait"])
            writer.writerow([f"the refund of {n + 10} pounds never came", "refund"])
    argv = ["--csv", str(path), "--text-col", "answer", "--label-col", "topic"]
    assert synthesis_quality.main([*argv, "--only", "tfidf+kmeans,ours"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| mine.csv")]
    assert len(rows) == 2 and "| ours | 1.000 | 1.000 | 2 |" in rows[1]


def test_missing_shared_data_is_skipped_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert synthesis_quality.main(["--data-dir", str(tmp_path), "--skip-stages"]) == 0
    assert "Pain-point clustering skipped: no banking77_test.csv" in capsys.readouterr().out


def test_stage_simulation_is_deterministic() -> None:
    first, second = simulate(interviews=20, seed=3), simulate(interviews=20, seed=3)
    assert first == second and len(set(first.stages)) == 5
    assert [o.doing for o in first.observations] != [
        o.doing for o in simulate(interviews=20, seed=4).observations
    ]
