"""The commit probe of `bench/web_load/`: it samples real commits, and the stall windows
it reports are the ones the application's turns are checked against."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, inspect

from bench.commit_probe import PROBE_TABLE, CommitProbe, Stall, outside_stalls, stalls
from bench.web_load import PhaseSettings, PhaseStats, ProbeResult, probe_lines


def test_stalls_are_the_slow_commits_as_windows() -> None:
    samples = [(1.0, 0.002), (2.0, 0.15), (3.0, 0.099), (4.0, 0.5)]
    assert stalls(samples) == [Stall(2.0, 2.15), Stall(4.0, 4.5)]
    assert stalls(samples, threshold_ms=600) == []


def test_a_turn_touching_a_stall_window_is_left_out() -> None:
    windows = [Stall(10.0, 10.5)]
    turns = [
        (9.0, 0.5),  # ends before the stall
        (9.9, 0.2),  # runs into it
        (10.2, 0.01),  # inside it
        (10.4, 0.3),  # starts in it, ends after
        (9.0, 2.0),  # spans it
        (10.6, 0.01),  # after it
    ]
    assert outside_stalls(turns, windows) == [(9.0, 0.5), (10.6, 0.01)]
    assert outside_stalls(turns, []) == turns


def settings(warmup: float) -> PhaseSettings:
    return PhaseSettings("realistic", 1, 1.0, 3.0, 60.0, 1, warmup, 0.0, 1)


def test_report_lines_count_only_after_the_warm_up() -> None:
    stats = PhaseStats(settings(warmup=5.0))
    stats.turns = [(1.0, 0.3), (6.0, 0.002), (7.0, 0.4), (8.0, 0.004)]
    probe = ProbeResult([(1.0, 0.2), (6.5, 0.001), (7.1, 0.3), (9.0, 0.002)], failures=0)
    text = "\n".join(probe_lines(probe, stats))
    assert "max 300.0 ms over 3 commits; 1 took >= 100 ms (0.3 s in all)" in text
    assert "4.0 ms (2 of 3 turns)" in text
    assert probe_lines(None, stats) == []


@pytest.mark.postgres
def test_probe_commits_rows_while_running_and_drops_its_table(postgres_schema_url: str) -> None:
    with CommitProbe(postgres_schema_url, interval=0.01) as probe:
        deadline = time.monotonic() + 10
        while len(probe.samples) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert len(probe.samples) >= 5
    assert probe.failures == 0
    starts = [start for start, _ in probe.samples]
    assert starts == sorted(starts)
    assert all(0 < seconds < 10 for _, seconds in probe.samples)
    engine = create_engine(postgres_schema_url)
    try:
        assert PROBE_TABLE not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
