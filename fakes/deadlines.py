"""Deadlines for waiting on local servers and background work, scaled to the machine.

A wait that is generous on an idle laptop is too short on a shared 2-core machine
running eight pytest-xdist workers, where everything takes about four times as long. So
a deadline here is a base number of seconds times a scale: ``JOURNEYLINE_TEST_TIMEOUT_SCALE``
(default 1) times the xdist workers per CPU core (1 when there are no more workers than
cores). A wait polls for its positive signal and returns as soon as it comes, so a long
deadline costs nothing when things are quick; when it runs out, the message carries what
the server printed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

SCALE_ENV = "JOURNEYLINE_TEST_TIMEOUT_SCALE"
# Set by pytest-xdist in each worker: how many workers this run has.
WORKER_COUNT_ENV = "PYTEST_XDIST_WORKER_COUNT"


class NotReady(AssertionError):
    """A wait ran out of time, or the process it waited on exited first."""


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def timeout_scale() -> float:
    """The factor every base deadline is multiplied by (at least the env var's value)."""
    raw = os.environ.get(SCALE_ENV, "").strip()
    try:
        factor = float(raw) if raw else 1.0
    except ValueError:
        raise ValueError(f"{SCALE_ENV} must be a number, not {raw!r}") from None
    if factor <= 0:
        raise ValueError(f"{SCALE_ENV} must be above 0, not {raw!r}")
    workers = int(os.environ.get(WORKER_COUNT_ENV) or 1)
    return factor * max(1.0, workers / _cores())


def scaled(seconds: float) -> float:
    """``seconds`` times :func:`timeout_scale`."""
    return seconds * timeout_scale()


def _no_exit() -> int | None:
    return None


def _no_output() -> str:
    return ""


def wait_until(
    ready: Callable[[], bool],
    *,
    what: str,
    base_seconds: float,
    exit_code: Callable[[], int | None] = _no_exit,
    output: Callable[[], str] = _no_output,
    poll_seconds: float = 0.05,
) -> float:
    """Call ``ready()`` until it returns True; the seconds that took.

    Raises :class:`NotReady` naming ``what`` with ``output()`` (say, the server's log)
    when ``exit_code()`` returns a code before then (the process died), or when
    ``scaled(base_seconds)`` have passed."""
    started = time.monotonic()
    deadline = started + scaled(base_seconds)
    while True:
        if ready():
            return time.monotonic() - started
        code = exit_code()
        if code is not None:
            raise NotReady(f"{what}: the process exited with {code} first. Its output:\n{output()}")
        if time.monotonic() >= deadline:
            raise NotReady(
                f"{what}: not ready after {deadline - started:.1f} s ({base_seconds:g} s x "
                f"{timeout_scale():.2g}; raise {SCALE_ENV} on a slow machine). "
                f"Its output:\n{output()}"
            )
        time.sleep(poll_seconds)
