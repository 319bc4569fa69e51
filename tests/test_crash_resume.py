"""A real process killed mid-interview loses nothing; a new process resumes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from fakes.deadlines import wait_until
from storage.engines import make_engine, make_session_factory, sqlite_url_for_dir
from storage.models import Interview, Message

# Base seconds for the chat to print what a step waits for (start-up included), scaled
# to the machine by fakes.deadlines.
OUTPUT_SECONDS = 30.0


class Chat:
    """A `journeyline chat` process. Its output is read on a thread, so every wait for a
    line has a deadline and a process that hangs fails the test instead of stalling it."""

    def __init__(self, data_dir: Path, *args: str) -> None:
        env = {**os.environ, "JOURNEYLINE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
        env.pop("JOURNEYLINE_DATABASE_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "journeyline", "chat", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=data_dir.parent,
        )
        self._lines: list[str] = []
        self._read = 0  # lines earlier waits returned
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()

    def _collect(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.append(line)

    def _exit_code(self) -> int | None:
        # Exited only once its last line was read, so no output is missing from the failure.
        return None if self._reader.is_alive() else self.process.poll()

    def read_until(self, marker: str) -> str:
        """The output after the last wait, up to the line with `marker`."""
        found: list[int] = []

        def appeared() -> bool:
            lines = self._lines[self._read :]
            found[:] = [i for i, line in enumerate(lines, self._read) if marker in line][:1]
            return bool(found)

        wait_until(
            appeared,
            what=f"`journeyline chat` printing {marker!r}",
            base_seconds=OUTPUT_SECONDS,
            exit_code=self._exit_code,
            output=lambda: "".join(self._lines),
        )
        seen = "".join(self._lines[self._read : found[0] + 1])
        self._read = found[0] + 1
        return seen

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)  # no clean shutdown, no goodbye
        self.process.wait(timeout=30)


@pytest.mark.slow
def test_killed_process_loses_nothing_and_resumes(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    chat = Chat(data_dir)
    try:
        opening = chat.read_until("Is that OK with you?")
        interview_id = opening.split("Interview ", 1)[1].split(" ", 1)[0]
        chat.send("yes")
        chat.read_until("what did you need help with?")
        chat.send("My router died and the line went dead")
        chat.read_until("first thing you did")
    finally:
        chat.kill()

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

    resumed = Chat(data_dir, "--resume", interview_id)
    try:
        resumed.read_until("first thing you did")  # the pending question, asked again
        resumed.send("rang the helpline")
        assert "How did you feel" in resumed.read_until("How did you feel")
    finally:
        resumed.kill()
