"""Which interview a log line is about, without passing it to every function that logs.

``with interview_logging(interview_id):`` around a turn marks every record logged inside
it, by any module, with ``interview_id``. The fields live in a context variable, so they
follow the work, not the process:

- nested blocks add their fields to the enclosing ones (an inner field of the same name
  wins) and give them back when they end, also when they end with an exception;
- each thread has its own: a thread, or a job of a ``ThreadPoolExecutor``, starts with no
  fields unless it is run in a copy of its creator's context (``asyncio.to_thread``,
  AnyIO's ``to_thread.run_sync`` and ``contextvars.copy_context().run`` copy it);
- each asyncio task has its own, a copy of its creator's taken when it is created.

``LogContextFilter`` copies the fields onto the records a handler sees;
``journeyline.logs`` puts one on the handler it installs (a test that reads records with
pytest's ``caplog`` adds one to ``caplog.handler``). Standard library only, no I/O.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from types import MappingProxyType

_NO_FIELDS: Mapping[str, str] = MappingProxyType({})
_fields: ContextVar[Mapping[str, str]] = ContextVar("journeyline_log_fields", default=_NO_FIELDS)


@contextmanager
def logging_context(**fields: str) -> Iterator[None]:
    """Put ``fields`` (name -> value) on every record logged inside the block, next to
    those of any enclosing block; the enclosing fields are back when the block ends."""
    token = _fields.set(MappingProxyType({**_fields.get(), **fields}))
    try:
        yield
    finally:
        _fields.reset(token)


def interview_logging(interview_id: str) -> AbstractContextManager[None]:
    """Mark every record logged inside the block with ``interview_id`` (the interview's
    public id); see ``logging_context``."""
    return logging_context(interview_id=interview_id)


def current_fields() -> Mapping[str, str]:
    """The fields records logged here and now get (read-only; empty outside any block)."""
    return _fields.get()


class LogContextFilter(logging.Filter):
    """Sets the current context's fields as attributes of each record it sees, so
    ``record.interview_id`` exists inside ``interview_logging``. An attribute the record
    already has (a standard one, or one given with ``extra=``) is left as it is. Lets
    every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _fields.get().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True
