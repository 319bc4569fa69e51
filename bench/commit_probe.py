"""The database's own commit latency, sampled beside a benchmark phase.

A turn on PostgreSQL ends in a durable ``COMMIT`` (``synchronous_commit`` on), so it waits
for the server's WAL ``fdatasync``. When the disk under the server stalls, every commit in
flight waits with it, whatever the application does: on one machine of this kind an idle
``fdatasync`` loop saw p99 5.8 ms and a maximum of 1,133 ms in a minute. This probe commits
one tiny row every ``interval`` seconds on a connection of its own, so a report can show
the database's stalls next to the application's latency, measured in the same run, and
tell the application's own tail from the disk's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import SQLAlchemyError

PROBE_TABLE = "web_load_commit_probe"
DEFAULT_INTERVAL_SECONDS = 0.02
STALL_MS = 100.0


@dataclass(frozen=True)
class Stall:
    """A probe commit that took at least ``STALL_MS``: [start, end] in seconds."""

    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class CommitProbe:
    """Commits a row every ``interval`` s in a thread; samples are (start, seconds) pairs.

    Start times are ``time.perf_counter()`` values, so they line up with the benchmark's
    own clock. The table lives in the URL's schema and is dropped on exit.
    """

    database_url: str
    interval: float = DEFAULT_INTERVAL_SECONDS
    samples: list[tuple[float, float]] = field(default_factory=list)
    failures: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _engine: Engine = field(init=False)

    def __enter__(self) -> CommitProbe:
        self._engine = create_engine(self.database_url, pool_size=1, max_overflow=0)
        with self._engine.begin() as connection:
            connection.execute(
                text(f"CREATE TABLE IF NOT EXISTS {PROBE_TABLE} (id BIGSERIAL PRIMARY KEY)")
            )
        self._thread = threading.Thread(target=self._run, name="commit-probe", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        try:
            with self._engine.begin() as connection:
                connection.execute(text(f"DROP TABLE IF EXISTS {PROBE_TABLE}"))
        finally:
            self._engine.dispose()

    def _run(self) -> None:
        insert = text(f"INSERT INTO {PROBE_TABLE} DEFAULT VALUES")
        with self._engine.connect() as connection:
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    connection.execute(insert)
                    connection.commit()
                except SQLAlchemyError:  # counted and reported: a probe must not end the run
                    self.failures += 1
                    connection.rollback()
                else:
                    self.samples.append((started, time.perf_counter() - started))
                self._stop.wait(self.interval)


def stalls(samples: Sequence[tuple[float, float]], threshold_ms: float = STALL_MS) -> list[Stall]:
    """The probe commits that took at least ``threshold_ms``, as time windows."""
    return [
        Stall(start, start + seconds)
        for start, seconds in samples
        if seconds * 1000 >= threshold_ms
    ]


def outside_stalls(
    turns: Sequence[tuple[float, float]], windows: Sequence[Stall]
) -> list[tuple[float, float]]:
    """The (start, latency) turns whose time overlaps none of ``windows``.

    Turn starts and windows must be on the same clock.
    """
    return [
        (start, latency)
        for start, latency in turns
        if not any(start < w.end and w.start < start + latency for w in windows)
    ]
