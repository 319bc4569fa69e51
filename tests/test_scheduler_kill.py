"""Exactly once across processes and a crash: two `journeyline worker` processes send
one wave to a real SMTP server on 127.0.0.1, on SQLite and on PostgreSQL; one is killed
with SIGKILL mid-wave and started again. Every invitation reaches its recipient, nobody
gets two different messages, and at most the one message the killed worker had in
flight is handed to the server a second time, with the same Message-ID (see README,
"Exactly once")."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.scheduler import run

pytestmark = pytest.mark.slow


def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(db_url: str, tmp_path: Path) -> None:
    result = run(
        database=db_url, data_dir=tmp_path, count=150, rate=60, workers=2, kill_at=0.3,
        restart_after=1.0, lease=5,
    )  # fmt: skip
    assert result.killed_after >= 45
    assert result.lost == 0
    assert result.recipients_with_two_messages == 0
    assert result.invitations_sent == 150
    # The killed worker ran one send at a time: at most that one went out twice.
    assert result.handed_over_twice <= 1
    assert result.redriven <= 1
