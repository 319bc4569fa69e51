"""The turn store on SQLite: the compiled statements on the ``sqlite3`` connection.

SQLite has one writer at a time. Every write transaction begins with ``BEGIN
IMMEDIATE`` (the write lock up front, as every SQLAlchemy write transaction of ours
does, see ``storage.engines``), and holds it only for the statements of one turn: the
engine, and any language model, ran before. Threads of this process queue for the
lock on a Python lock first: SQLite's busy handler sleeps in growing steps and wakes
late, a lock hands the database over without gaps.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import DBAPIError, StatementError

from storage.engines import process_write_lock, sqlite_lock_wait
from storage.models import new_public_id
from storage.turn_store import budgets
from storage.turn_store.compiled import CompiledStatement, compile_statement
from storage.turn_store.rows import (
    CampaignRow,
    Committed,
    Conflict,
    Duplicate,
    InboundMessage,
    InterviewRow,
    NewInterview,
    ReplyRow,
    StartedInterview,
    StoreBusy,
    TurnOutcome,
    WritesFor,
)
from storage.turn_store.statements import build_statements
from storage.turn_store.write_plan import Step as PlanStep
from storage.turn_store.write_plan import (
    inbound_row,
    interview_from,
    interview_row,
    reply_from,
    reply_rows,
    turn_plan,
)


class SqliteTurnStore:
    """The `TurnStore` of a SQLite database (``engine`` made by ``storage.engines``)."""

    dialect_name = "sqlite"

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sql: dict[str, CompiledStatement] = {
            name: compile_statement(st.clause, engine.dialect, parameters=st.parameters)
            for name, st in build_statements(insert).items()
        }
        self._write_lock = process_write_lock(engine)
        self._pruner = budgets.Pruner()
        self._syncs_commits = _syncs_commits(engine)

    @property
    def answers_without_waiting(self) -> bool:
        """A turn here waits on nothing but the one write lock, which `wait=False` skips;
        unless each commit is flushed to disk (``synchronous=FULL``): a turn then waits
        for the disk, which must not happen on an event loop (it would stall every other
        request for each flush), so callers run turns in threads."""
        return not self._syncs_commits

    # --- reading ----------------------------------------------------------------------

    def load(self, public_id: str) -> InterviewRow | None:
        with self._cursor() as cursor:
            row = self._one(cursor, "load", {"public_id": public_id})
        return None if row is None else interview_from(row)

    def campaign(self, slug: str) -> CampaignRow | None:
        with self._cursor() as cursor:
            row = self._one(cursor, "campaign", {"slug": slug})
        if row is None:
            return None
        campaign_id, open_link, guide_source, consent_text, status, starts_at, ends_at = row
        return CampaignRow(
            campaign_id, bool(open_link), guide_source, consent_text, status, starts_at, ends_at
        )

    def earlier_replies(self, interview_id: int, channel_message_id: str) -> list[ReplyRow] | None:
        with self._cursor() as cursor:
            return self._earlier(cursor, interview_id, channel_message_id)

    # --- writing ----------------------------------------------------------------------

    def start(self, new: NewInterview, *, wait: bool = True) -> StartedInterview:
        public_id = new_public_id()
        with self._transaction(wait=wait) as cursor:
            counted = []
            for take in budgets.take_rows(new):
                taken = self._one(cursor, "take_start", take)
                assert taken is not None  # RETURNING of an upsert
                counted.append((taken[0], int(taken[1])))
            budgets.check(new, counted)  # OverBudget rolls the transaction back
            for prune in self._pruner.rows(new):
                self._one(cursor, "prune_start_counters", prune)
            found = self._one(cursor, "insert_interview", interview_row(new, public_id))
            assert found is not None  # RETURNING of an INSERT that inserted
            interview_id = int(found[0])
            ids = []
            # One at a time: a multi-row RETURNING promises no order on SQLite.
            for row in reply_rows(interview_id, None, new.replies, new.now):
                reply = self._one(cursor, "insert_reply_returning", row)
                assert reply is not None
                ids.append(int(reply[0]))
        return StartedInterview(interview_id, public_id, tuple(ids))

    def commit_turn(
        self, inbound: InboundMessage, writes_for: WritesFor, *, wait: bool = True
    ) -> TurnOutcome:
        with self._transaction(wait=wait) as cursor:
            found = self._one(cursor, "revision", {"interview_id": inbound.interview_id})
            revision = None if found is None else int(found[0])
            if revision != inbound.expected_revision:
                return Conflict(revision)
            stored = self._one(cursor, "insert_inbound", inbound_row(inbound))
            if stored is None:
                earlier = self._earlier(cursor, inbound.interview_id, inbound.channel_message_id)
                return Duplicate(earlier or [])
            inbound_id = int(stored[0])
            plan, revision = turn_plan(inbound, inbound_id, writes_for(inbound_id))
            self._run_plan(cursor, plan)
        return Committed(inbound_id, revision)

    # --- the driver -------------------------------------------------------------------

    @contextmanager
    def _cursor(self) -> Iterator[sqlite3.Cursor]:
        pooled = self._engine.raw_connection()
        try:
            cursor = pooled.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                yield cursor
            finally:
                cursor.close()
        finally:
            pooled.close()  # back to the pool

    @contextmanager
    def _transaction(self, *, wait: bool) -> Iterator[sqlite3.Cursor]:
        """A write transaction, committed when the block ends (rolled back on an
        exception). ``wait=False``: `StoreBusy` at once, having done nothing, when
        another writer holds the lock."""
        lock = self._write_lock
        if not lock.acquire(blocking=wait):
            raise StoreBusy("another turn of this process is writing")
        try:
            with self._cursor() as cursor:
                self._begin(cursor, wait=wait)
                try:
                    yield cursor
                except BaseException:
                    cursor.connection.rollback()
                    raise
                self._execute(cursor, "COMMIT", ())
        finally:
            lock.release()

    def _begin(self, cursor: sqlite3.Cursor, *, wait: bool) -> None:
        if wait:
            self._execute(cursor, "BEGIN IMMEDIATE", ())
            return
        # With no busy timeout SQLite answers SQLITE_BUSY at once instead of sleeping.
        with sqlite_lock_wait(cursor, 0):
            try:
                cursor.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode == sqlite3.SQLITE_BUSY:
                    raise StoreBusy("another connection is writing to the database") from error
                raise self._translated(error, "BEGIN IMMEDIATE", ()) from error

    def _earlier(
        self, cursor: sqlite3.Cursor, interview_id: int, channel_message_id: str
    ) -> list[ReplyRow] | None:
        found = self._one(
            cursor,
            "find_inbound",
            {"interview_id": interview_id, "channel_message_id": channel_message_id},
        )
        if found is None:
            return None
        statement = self._sql["replies_to"]
        raw = self._execute(cursor, statement.sql, statement.bind({"message_id": found[0]}))
        return [reply_from(statement.row(row)) for row in raw.fetchall()]

    def _one(
        self, cursor: sqlite3.Cursor, name: str, values: Mapping[str, Any]
    ) -> tuple[Any, ...] | None:
        statement = self._sql[name]
        row = self._execute(cursor, statement.sql, statement.bind(values)).fetchone()
        return None if row is None else statement.row(row)

    def _run_plan(self, cursor: sqlite3.Cursor, plan: list[PlanStep]) -> None:
        for step in plan:
            statement = self._sql[step.statement]
            if len(step.rows) == 1:
                self._execute(cursor, statement.sql, statement.bind(step.rows[0]))
                continue
            rows = [statement.bind(row) for row in step.rows]
            try:
                cursor.executemany(statement.sql, rows)
            except sqlite3.Error as error:
                raise self._translated(error, statement.sql, rows) from error

    def _execute(self, cursor: sqlite3.Cursor, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        try:
            return cursor.execute(sql, params)
        except sqlite3.Error as error:
            raise self._translated(error, sql, params) from error

    def _translated(self, error: sqlite3.Error, sql: str, params: Any) -> StatementError:
        """The SQLAlchemy exception for a driver error (callers handle one family)."""
        translated: StatementError = DBAPIError.instance(
            sql, params, error, sqlite3.Error, dialect=self._engine.dialect
        )
        return translated


def _syncs_commits(engine: Engine) -> bool:
    """Whether the engine's connections flush every commit to disk (FULL or EXTRA)."""
    with engine.connect() as connection:
        level = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    return int(level or 0) >= FULL


FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
