"""A real process killed mid-interview loses nothing; a new process resumes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from storage.engines import make_engine, make_session_factory, sqlite_url_for_dir
from storage.models import Interview, Message


def _start_chat(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "JOURNEYLINE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("JOURNEYLINE_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "journeyline", "chat", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=data_dir.parent,
    )


def _read_until(process: subprocess.Popen[str], marker: str) -> str:
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"{marker!r} never appeared in:\n{''.join(seen)}")


def _send(process: subprocess.Popen[str], line: str) -> None:
    assert process.stdin is not None
    process.stdin.write(line + "\n")
    process.stdin.flush()


def test_killed_process_loses_nothing_and_resumes(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    chat = _start_chat(data_dir)
    try:
        opening = _read_until(chat, "Is that OK with you?")
        interview_id = opening.split("Interview ", 1)[1].split(" ", 1)[0]
        _send(chat, "yes")
        _read_until(chat, "what did you need help with?")
        _send(chat, "My router died and the line went dead")
        _read_until(chat, "first thing you did")
    finally:
        chat.send_signal(signal.SIGKILL)  # no clean shutdown, no goodbye
        chat.wait(timeout=30)

    engine = make_engine(sqlite_url_for_dir(data_dir))
    try:
        with make_session_factory(engine)() as session:
            interview = session.scalar(select(Interview).where(Interview.public_id == interview_id))
            assert interview is not None
            texts = session.scalars(
                select(Message.text).where(
                    Message.interview_id == interview.id, Message.direction == "in"
                )
            ).all()
            assert interview.problem == "My router died and the line went dead"
    finally:
        engine.dispose()
    assert texts == ["yes", "My router died and the line went dead"]

    resumed = _start_chat(data_dir, "--resume", interview_id)
    try:
        _read_until(resumed, "first thing you did")  # the pending question, asked again
        _send(resumed, "rang the helpline")
        assert "How did you feel" in _read_until(resumed, "How did you feel")
    finally:
        resumed.kill()
        resumed.wait(timeout=30)
