"""journeyline.logs: readable lines on a terminal, one JSON object per line elsewhere,
the interview id on both, uvicorn's records in the same format, and the settings."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.service.log_context import interview_logging
from journeyline.logs import HANDLER_NAME, configure_from_settings, configure_logging
from journeyline.settings import Settings

log = logging.getLogger("tests.logs")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide state; put all of it back."""
    root = logging.getLogger()
    saved_root = (list(root.handlers), root.level)
    saved_loggers = {
        name: (list(lg.handlers), lg.level, lg.propagate, list(lg.filters))
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "py.warnings")
        for lg in [logging.getLogger(name)]
    }
    hooks = (sys.excepthook, threading.excepthook)
    try:
        yield
    finally:
        logging.captureWarnings(False)
        sys.excepthook, threading.excepthook = hooks
        root.handlers[:] = saved_root[0]
        root.setLevel(saved_root[1])
        for name, (handlers, level, propagate, filters) in saved_loggers.items():
            logger = logging.getLogger(name)
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = propagate
            logger.filters[:] = filters


def json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """Every line of ``stream`` as JSON (fails on a line that is not one object)."""
    lines = stream.getvalue().splitlines()
    parsed = [json.loads(line) for line in lines]
    assert all(isinstance(entry, dict) for entry in parsed)
    return parsed


def test_json_is_one_object_per_line_with_the_interview_id_and_exceptions() -> None:
    out = io.StringIO()
    configure_logging(level="info", log_format="json", stream=out)
    log.info("plain")
    with interview_logging("iv-42"):
        log.warning('two\nlines, 😤 and "quotes"', extra={"attempt": 2})
        try:
            raise ValueError("the engine fell over")
        except ValueError:
            log.exception("turn failed")
    log.debug("below the level")

    plain, warned, failed = json_lines(out)
    assert list(plain) == ["time", "level", "logger", "message"]
    assert plain["level"] == "INFO"
    assert plain["logger"] == "tests.logs"
    assert plain["time"].endswith("Z")
    assert warned["message"] == 'two\nlines, 😤 and "quotes"'
    assert warned["interview_id"] == "iv-42"
    assert warned["attempt"] == 2
    assert "exception" not in warned
    assert failed["level"] == "ERROR"
    assert failed["interview_id"] == "iv-42"
    assert failed["exception"].startswith("Traceback (most recent call last):")
    assert failed["exception"].endswith("ValueError: the engine fell over")
    assert out.getvalue().isascii()  # valid whatever the stream's encoding


def test_values_json_cannot_hold_are_written_as_text() -> None:
    out = io.StringIO()
    configure_logging(level="info", log_format="json", stream=out)
    log.info("odd", extra={"path": Path("/tmp/x"), "ratio": float("nan"), "ids": {1, 2}})
    (entry,) = json_lines(out)
    assert entry["path"] == "/tmp/x"
    assert entry["ratio"] == "nan"
    assert entry["ids"] == "{1, 2}"


def test_text_on_a_terminal_with_the_fields_after_the_message() -> None:
    out = Terminal()
    configure_logging(level="warning", log_format="auto", stream=out)
    with interview_logging("iv-7"):
        try:
            raise KeyError("slot")
        except KeyError:
            log.exception("turn failed")
    log.info("below the level")
    first, *rest = out.getvalue().splitlines()
    assert first.endswith(" ERROR tests.logs: turn failed  interview_id=iv-7")
    assert rest[0] == "Traceback (most recent call last):"
    assert rest[-1] == "KeyError: 'slot'"


def test_auto_is_json_when_the_stream_is_not_a_terminal() -> None:
    out = io.StringIO()
    configure_logging(level="warning", log_format="auto", stream=out)
    log.warning("to a file")
    assert json_lines(out)[0]["message"] == "to a file"


def test_text_can_be_asked_for_off_a_terminal() -> None:
    out = io.StringIO()
    configure_logging(level="warning", log_format="text", stream=out)
    log.warning("for a person")
    assert out.getvalue().rstrip().endswith("WARNING tests.logs: for a person")


def test_configuring_again_replaces_only_its_own_handler() -> None:
    other = logging.NullHandler()
    logging.getLogger().addHandler(other)
    first, second = io.StringIO(), io.StringIO()
    configure_logging(level="info", log_format="json", stream=first)
    configure_logging(level="info", log_format="json", stream=second)
    log.info("once")
    ours = [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]
    assert len(ours) == 1
    assert other in logging.getLogger().handlers
    assert first.getvalue() == ""
    assert [e["message"] for e in json_lines(second)] == ["once"]


def test_uvicorn_records_reach_the_handler_and_access_lines_hide_link_tokens() -> None:
    access = logging.getLogger("uvicorn.access")
    access.addHandler(logging.StreamHandler(io.StringIO()))  # as uvicorn's own config does
    out = io.StringIO()
    configure_logging(level="info", log_format="json", stream=out)
    logging.getLogger("uvicorn.error").info(
        "Started server process [%d]", 1, extra={"color_message": "[\x1b[36m%d\x1b[0m]"}
    )
    access.info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/i/s3cret-Token_1?x=1", "1.1", 200
    )
    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/c/acme", "1.1", 200)
    assert not access.handlers
    started, personal, open_link = json_lines(out)
    assert started["logger"] == "uvicorn.error"
    assert started["message"] == "Started server process [1]"
    assert "color_message" not in started
    assert personal["message"] == '127.0.0.1:5000 - "GET /i/[token]?x=1 HTTP/1.1" 200'
    assert "s3cret" not in out.getvalue()
    assert open_link["message"].endswith('"GET /c/acme HTTP/1.1" 200')


def test_above_info_uvicorn_has_no_access_lines_to_build() -> None:
    configure_logging(level="warning", log_format="json", stream=io.StringIO())
    # uvicorn builds an access line per response only when this is true.
    assert not logging.getLogger("uvicorn.access").hasHandlers()
    configure_logging(level="info", log_format="json", stream=io.StringIO())
    assert logging.getLogger("uvicorn.access").hasHandlers()


def test_python_warnings_are_log_records() -> None:
    out = io.StringIO()
    configure_logging(level="warning", log_format="json", stream=out)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("an old call", DeprecationWarning, stacklevel=1)
    (entry,) = json_lines(out)
    assert entry["logger"] == "py.warnings"
    assert "DeprecationWarning: an old call" in entry["message"]


def test_settings_choose_level_and_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYLINE_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("JOURNEYLINE_LOG_FORMAT", "Text")
    settings = Settings()
    assert (settings.log_level, settings.log_format) == ("debug", "text")
    out = Terminal()
    configure_from_settings(settings, stream=out)
    log.debug("shown")
    assert "DEBUG tests.logs: shown" in out.getvalue()
    monkeypatch.setenv("JOURNEYLINE_LOG_LEVEL", "loud")
    with pytest.raises(ValidationError, match="log_level"):
        Settings()


def test_defaults_are_warnings_and_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOURNEYLINE_LOG_LEVEL", raising=False)
    monkeypatch.delenv("JOURNEYLINE_LOG_FORMAT", raising=False)
    settings = Settings(_env_file=None)
    assert (settings.log_level, settings.log_format) == ("warning", "auto")


# Through real processes: what a log collector reading stderr gets.


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEYLINE_")}
    env["JOURNEYLINE_DATA_DIR"] = str(tmp_path / "data")
    env.update({f"JOURNEYLINE_{name.upper()}": value for name, value in settings.items()})
    return env


def test_an_uncaught_exception_is_one_json_line(tmp_path: Path) -> None:
    code = (
        "from journeyline.logs import configure_logging\n"
        "configure_logging(level='warning', log_format='json')\n"
        "raise ValueError('nobody caught me')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    entry = json.loads(line)
    assert entry["level"] == "CRITICAL"
    assert entry["exception"].endswith("ValueError: nobody caught me")


def test_a_mistyped_setting_is_one_line_before_any_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "journeyline", "--help"],
        env=_env(tmp_path, log_level="loud"),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: JOURNEYLINE_LOG_LEVEL: Input should be")
    assert done.stdout == ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_serve_writes_json_lines_to_a_stderr_that_is_not_a_terminal(tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "journeyline", "serve", "--port", str(port)],
        env=_env(tmp_path, log_level="info"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "the server exited early"
            assert time.monotonic() < deadline, "the server did not start"
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(base + "/i/not-a-real-token", timeout=5)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    entries = [json.loads(line) for line in stderr.splitlines()]
    loggers = {entry["logger"] for entry in entries}
    assert {"uvicorn.error", "uvicorn.access"} <= loggers
    access = [e["message"] for e in entries if e["logger"] == "uvicorn.access"]
    assert any('"GET /i/[token] HTTP/1.1" 404' in line for line in access)
    assert "not-a-real-token" not in stderr
