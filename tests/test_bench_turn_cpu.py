"""`bench/turn_cpu.py` runs end to end and prints both rows against its baseline."""

from __future__ import annotations

import re

import pytest

from bench import turn_cpu


@pytest.mark.slow
def test_turn_cpu_prints_ours_against_the_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    turn_cpu.main(["--interviews", "3"])
    out = capsys.readouterr().out
    turns = int(re.search(r"3 interviews, (\d+) turns, journeyline on SQLite", out)[1])  # type: ignore[index]
    assert turns >= 3 * 10  # whole interviews: a dozen turns or more each
    for label in ("CPU per turn ms", "wall per turn ms"):
        row = re.search(rf"{label}\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)x", out)
        assert row is not None, out
        ours, baseline, ratio = (float(value) for value in row.groups())
        assert ours > 0 and baseline > 0
        assert ratio == pytest.approx(ours / baseline, rel=0.05, abs=0.1)
