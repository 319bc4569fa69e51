"""A chat turn's statements sent to PostgreSQL in one write, through libpq's pipeline mode.

A turn sends two batches of statements (see ``postgresql``): ``BEGIN`` with the statement
that locks the interview and stores the message, then the last writes with ``COMMIT``.
psycopg's own pipeline sends them one command per poll of the socket, each through its
cursor machinery, which costs more than the handful of statements. Here each batch is
queued in libpq's output buffer and written at once; the results are read back, then
loaded into Python values by psycopg's own adapters (``Transformer``), so a row reads
exactly as a cursor's would.

Each statement is prepared once per connection (named ``jl_...``), its parameter types
inferred by the server from where they appear; values go as text, dumped by psycopg.
"""

from __future__ import annotations

import select
from collections.abc import Sequence
from typing import Any

from psycopg import Connection, errors, pq
from psycopg.adapt import PyFormat, Transformer

Statement = tuple[str, Sequence[Any]]
Buffer = bytes | bytearray | memoryview
Rows = list[tuple[Any, ...]]

_DONE = (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK)
_BATCHES_KEY = "journeyline_pipeline_batches"


class PipelineBatches:
    """Runs batches of statements on one psycopg connection (not in a pipeline of
    psycopg's own, and not shared between threads while in use)."""

    def __init__(self, driver: Connection[Any], prepared: dict[str, bytes]) -> None:
        """``prepared``: the names of the statements this connection has prepared, kept
        as long as the connection lives (the pool's record of it)."""
        self._pgconn = driver.pgconn
        self._prepared = prepared
        self._transformer = Transformer(driver)
        self._encoding = driver.info.encoding

    def run(self, statements: Sequence[Statement]) -> list[Rows]:
        """Run ``statements`` in order in one round trip; the rows of each. The first
        that fails raises its error (as psycopg would, e.g. ``UniqueViolation``) once all
        have been answered; PostgreSQL skips the ones after it."""
        # Every value is dumped before anything is queued: a value psycopg cannot adapt
        # fails here, with the connection untouched.
        transformer = self._transformer
        dumped = [
            (sql, transformer.dump_sequence(params, [PyFormat.TEXT] * len(params)))
            for sql, params in statements
        ]
        pgconn = self._pgconn
        pgconn.enter_pipeline_mode()
        try:
            pending = self._send(dumped)
            results, error = self._receive(pending, len(statements))
        finally:
            if pgconn.status == pq.ConnStatus.OK:
                pgconn.exit_pipeline_mode()
        if error is not None:
            raise error
        return [self._rows(result) for result in results]

    def _send(
        self, statements: list[tuple[str, Sequence[Buffer | None]]]
    ) -> list[tuple[int, str | None, bytes]]:
        """Queue every statement (and, the first time, its PREPARE) and a sync, then
        write them all. Per command sent: the statement's index (-1 for a PREPARE), and
        the text and name a PREPARE registers once it succeeds."""
        pgconn = self._pgconn
        commands: list[tuple[int, str | None, bytes]] = []
        preparing: dict[str, bytes] = {}  # prepared earlier in this batch
        for index, (sql, values) in enumerate(statements):
            name = self._prepared.get(sql) or preparing.get(sql)
            if name is None:
                # Unique on the connection: a name is only reused if its PREPARE failed.
                name = preparing[sql] = f"jl_{len(self._prepared)}_{index}".encode()
                pgconn.send_prepare(name, sql.encode(self._encoding))
                commands.append((-1, sql, name))
            pgconn.send_query_prepared(name, values or None)
            commands.append((index, None, name))
        pgconn.pipeline_sync()
        if pgconn.flush() == 1:  # more than the socket takes at once
            # Poll, not select: a busy server's descriptors go past select's limit.
            poll = select.poll()
            poll.register(pgconn.socket, select.POLLIN | select.POLLOUT)
            while pgconn.flush() == 1:
                if any(events & select.POLLIN for _, events in poll.poll()):
                    pgconn.consume_input()
        return commands

    def _receive(
        self, commands: list[tuple[int, str | None, bytes]], count: int
    ) -> tuple[list[pq.abc.PGresult | None], Exception | None]:
        """Each statement's last result, up to the sync; and the first error."""
        pgconn = self._pgconn
        poll = select.poll()
        poll.register(pgconn.socket, select.POLLIN)
        results: list[pq.abc.PGresult | None] = [None] * count
        error: Exception | None = None
        position = 0
        current: list[pq.abc.PGresult] = []  # the results of the command being read
        while True:
            if pgconn.is_busy():
                poll.poll()  # waits without the interpreter lock
                pgconn.consume_input()
                continue
            result = pgconn.get_result()
            if result is None:  # the end of one command's results
                index, sql, name = commands[position]
                position += 1
                if index < 0:
                    if sql is not None and current and current[-1].status in _DONE:
                        self._prepared[sql] = name
                else:
                    results[index] = current[-1] if current else None
                current = []
                continue
            if result.status == pq.ExecStatus.PIPELINE_SYNC:
                return results, error
            if result.status == pq.ExecStatus.FATAL_ERROR and error is None:
                error = errors.error_from_result(result, encoding=self._encoding)
            elif result.status == pq.ExecStatus.PIPELINE_ABORTED and error is None:
                error = errors.PipelineAborted("pipeline aborted")
            current.append(result)

    def _rows(self, result: pq.abc.PGresult | None) -> Rows:
        if result is None or result.status != pq.ExecStatus.TUPLES_OK:
            return []
        self._transformer.set_pgresult(result)
        rows: Rows = self._transformer.load_rows(0, result.ntuples, tuple)
        return rows


def batches_for(driver: Connection[Any], info: dict[Any, Any]) -> PipelineBatches:
    """The batches of ``driver``, kept in ``info`` (the pool's per-connection dictionary,
    which lives exactly as long as the connection): made once per connection, not once
    per turn, with the statements it has prepared."""
    batches: PipelineBatches | None = info.get(_BATCHES_KEY)
    if batches is None:
        batches = info[_BATCHES_KEY] = PipelineBatches(driver, {})
    return batches
