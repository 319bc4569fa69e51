"""Where log records go and how they read, set up once per process from the settings.

One handler on the root logger writes every record to stderr: a readable line on a
terminal, one JSON object per line otherwise (for a log collector), or as ``log_format``
says. Records carry the fields of ``bot.service.log_context`` (the interview id). uvicorn's
loggers (start-up, errors, one access line per request) pass their records to the same
handler, so a server's stderr has one format throughout. Python's warnings and, in JSON,
uncaught exceptions are logged too, so that nothing else lands between the lines.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO

from bot.service.log_context import LogContextFilter
from journeyline.settings import LogFormat, LogLevel, Settings

HANDLER_NAME = "journeyline"
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
ACCESS_LOGGER = "uvicorn.access"
_TEXT_LAYOUT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Attributes every LogRecord has (and Formatter.format adds): anything else on a record
# is a field from the log context or from ``extra=``.
_STANDARD_ATTRIBUTES = frozenset(
    logging.LogRecord("", logging.INFO, "", 0, "", None, None).__dict__
) | {"message", "asctime", "taskName"}
# uvicorn adds a copy of its message with terminal colours to its records.
_NOT_FIELDS = _STANDARD_ATTRIBUTES | {"color_message"}

# A personal link's token is a password to the interview (see bot.web.pages, /i/{token}),
# and a console reset link's opens an account (/app/reset/{token}): neither may be
# written into access lines.
_LINK_TOKEN = re.compile(r"(/i/|/app/reset/)[^/?#\s\"]+")


def configure_from_settings(settings: Settings, *, stream: TextIO | None = None) -> None:
    """``configure_logging`` with the ``log_level`` and ``log_format`` settings."""
    configure_logging(level=settings.log_level, log_format=settings.log_format, stream=stream)


def configure_logging(
    *, level: LogLevel, log_format: LogFormat, stream: TextIO | None = None
) -> None:
    """Send records of ``level`` (a name such as ``"warning"``) and above to ``stream``
    (default: stderr) in ``log_format``; ``"auto"`` is text when the stream is a terminal,
    JSON otherwise.

    Replaces the handler an earlier call installed, and nothing else on the root logger.
    uvicorn's loggers lose handlers of their own and pass their records up to it; above
    ``info`` no access line would be written, so uvicorn is left none to build.
    """
    target = stream if stream is not None else sys.stderr
    as_json = log_format == "json" or (log_format == "auto" and not _is_terminal(target))
    handler = logging.StreamHandler(target)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if as_json else TextFormatter())
    handler.addFilter(LogContextFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    root.setLevel(numeric_level)
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        for own in list(logger.handlers):
            logger.removeHandler(own)
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
    access = logging.getLogger(ACCESS_LOGGER)
    # uvicorn builds an access line for every response when the logger has a handler
    # anywhere up its chain; at warning and above it would only be thrown away.
    access.propagate = numeric_level <= logging.INFO
    if not any(isinstance(f, HideLinkTokens) for f in access.filters):
        access.addFilter(HideLinkTokens())
    logging.captureWarnings(True)
    _log_uncaught_exceptions(as_json)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line: ``time`` (UTC, ISO 8601), ``level``,
    ``logger``, ``message``, ``exception`` (the traceback, when there is one), ``stack``
    (with ``stack_info``), then the record's other fields (the log context's, such as
    ``interview_id``, and any given with ``extra=``). Non-ASCII characters are escaped,
    so a line stays valid JSON whatever the stream's encoding."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        fields = {k: v for k, v in extra_fields(record).items() if k not in entry}
        try:
            return json.dumps({**entry, **fields}, default=str, allow_nan=False)
        except (TypeError, ValueError):  # e.g. a float NaN, or a dict with tuple keys
            return json.dumps({**entry, **{k: str(v) for k, v in fields.items()}})


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message``, the record's other fields as ``name=value`` after
    it, and a traceback on the lines below."""

    def __init__(self) -> None:
        super().__init__(_TEXT_LAYOUT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        fields = extra_fields(record)
        if not fields:
            return line
        return line + "  " + " ".join(f"{name}={value}" for name, value in fields.items())


class HideLinkTokens(logging.Filter):
    """Replaces the token of a personal link in an access line's path with ``[token]``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = _LINK_TOKEN.sub(r"\1[token]", message)
        if hidden != message:
            record.msg, record.args = hidden, None
        return True


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The record's attributes beyond the standard ones: log context and ``extra=``."""
    return {
        name: value
        for name, value in record.__dict__.items()
        if name not in _NOT_FIELDS and not name.startswith("_")
    }


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


_LOG = logging.getLogger("journeyline")


def _log_uncaught_exceptions(as_json: bool) -> None:
    """In JSON, an exception nobody caught (in the main thread or another) is logged as
    one record instead of a bare traceback among the lines; in text Python prints it."""
    if as_json:
        sys.excepthook = _log_exception
        threading.excepthook = _log_thread_exception
        return
    if sys.excepthook is _log_exception:
        sys.excepthook = sys.__excepthook__
    if threading.excepthook is _log_thread_exception:
        threading.excepthook = threading.__excepthook__


def _log_exception(
    kind: type[BaseException], error: BaseException, traceback: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, traceback)
        return
    _LOG.critical("uncaught exception", exc_info=(kind, error, traceback))


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:  # as threading's own hook: a thread's exit is quiet
        return
    thread = args.thread.name if args.thread is not None else "?"
    _LOG.critical("uncaught exception in thread %s", thread, exc_info=args.exc_value)
