"""The turn store on PostgreSQL: the compiled statements in libpq pipelines.

A turn is two round trips. The first carries ``BEGIN`` and the claim (one statement
that locks the interview's row, checks its revision and stores the message); the
second everything else the turn writes, with ``COMMIT``. Between them only the
citation of the new message's id is filled in: the engine, and any language model,
ran before the transaction, so a row is locked for about one round trip.

The statements run on connections of an engine of the store's own (`turn_engine`):
in autocommit mode, since the store sends its own BEGIN and COMMIT with other
statements, and without SQLAlchemy's ``SELECT 1`` check at each checkout, which would
be a round trip of its own. A connection the server dropped fails the first statement
instead; the pool is then emptied and the error says the connection was invalidated,
so the caller can run the turn again on a fresh one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError

from storage.engines import connect_args
from storage.models import new_public_id
from storage.turn_store import budgets
from storage.turn_store.compiled import CompiledStatement, compile_statement
from storage.turn_store.pg_pipeline import PipelineBatches, batches_for
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
    TurnOutcome,
    WritesFor,
)
from storage.turn_store.statements import build_statements, claim_statement
from storage.turn_store.write_plan import (
    Step,
    inbound_row,
    interview_from,
    interview_row,
    reply_from,
    reply_rows,
    turn_plan,
)

# Connections the store keeps open: as many as the threads that run turns, so a busy
# server does not open and close connections (a server process each) all the time.
DEFAULT_CONNECTIONS = 8
BEGIN, COMMIT, ROLLBACK = "BEGIN", "COMMIT", "ROLLBACK"
Batch = list[tuple[str, Sequence[Any]]]


def turn_engine(engine: Engine, *, connections: int = DEFAULT_CONNECTIONS) -> Engine:
    """An engine for ``engine``'s database whose connections suit the store (see the
    module's docstring); it is disposed with ``engine``."""
    own = create_engine(
        engine.url,
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=False,
        pool_size=connections,
        # More threads than that at once (a Slack worker beside the web's) get one of
        # their own rather than wait.
        max_overflow=connections,
        connect_args=connect_args(engine.url),
    )

    @event.listens_for(engine, "engine_disposed")
    def _dispose_too(_engine: Engine) -> None:
        own.dispose()

    return own


class PostgresTurnStore:
    """The `TurnStore` of a PostgreSQL database."""

    dialect_name = "postgresql"

    def __init__(self, engine: Engine, *, connections: int = DEFAULT_CONNECTIONS) -> None:
        self._engine = turn_engine(engine, connections=connections)
        # psycopg's own cursor rewrites every %(name)s into $n on each execution; the
        # pipeline takes PostgreSQL's numbered placeholders as they are.
        dialect_class: Any = type(engine.dialect)
        dialect = dialect_class(paramstyle="numeric_dollar")
        self._pruner = budgets.Pruner()
        statements = {**build_statements(insert), "claim": claim_statement(insert)}
        self._sql: dict[str, CompiledStatement] = {
            name: compile_statement(st.clause, dialect, parameters=st.parameters)
            for name, st in statements.items()
        }

    @property
    def answers_without_waiting(self) -> bool:
        """Every statement here is a round trip to a server: callers must not block on it."""
        return False

    @property
    def engine(self) -> Engine:
        """The store's own engine (see `turn_engine`)."""
        return self._engine

    # --- reading ----------------------------------------------------------------------

    def load(self, public_id: str) -> InterviewRow | None:
        with self._batches() as batches:
            rows = self._run(batches, [self._bound("load", {"public_id": public_id})])[0]
        return interview_from(self._sql["load"].row(rows[0])) if rows else None

    def campaign(self, slug: str) -> CampaignRow | None:
        with self._batches() as batches:
            rows = self._run(batches, [self._bound("campaign", {"slug": slug})])[0]
        if not rows:
            return None
        campaign_id, open_link, guide_source, consent_text, status, starts_at, ends_at = rows[0]
        return CampaignRow(
            campaign_id, bool(open_link), guide_source, consent_text, status, starts_at, ends_at
        )

    def earlier_replies(self, interview_id: int, channel_message_id: str) -> list[ReplyRow] | None:
        with self._batches() as batches:
            return self._earlier(batches, interview_id, channel_message_id, then=())

    # --- writing ----------------------------------------------------------------------

    def start(self, new: NewInterview, *, wait: bool = True) -> StartedInterview:
        public_id = new_public_id()
        with self._batches() as batches:
            # The budgets' counts travel with the BEGIN and the insert: still one round
            # trip, rolled back whole when one is over its limit.
            takes = [self._bound("take_start", row) for row in budgets.take_rows(new)]
            prunes = [self._bound("prune_start_counters", row) for row in self._pruner.rows(new)]
            first = self._bound("insert_interview", interview_row(new, public_id))
            results = self._run(batches, [(BEGIN, ()), *takes, *prunes, first])
            statement = self._sql["take_start"]
            counted = [statement.row(rows[0]) for rows in results[1 : 1 + len(takes)]]
            try:
                budgets.check(new, [(start, int(count)) for start, count in counted])
            except budgets.OverBudget:
                self._run(batches, [(ROLLBACK, ())])
                raise
            found = results[-1]
            interview_id = int(found[0][0])
            replies = [
                self._bound("insert_reply_returning", row)
                for row in reply_rows(interview_id, None, new.replies, new.now)
            ]
            results = self._run(batches, [*replies, (COMMIT, ())])
        ids = tuple(int(rows[0][0]) for rows in results[: len(replies)])
        return StartedInterview(interview_id, public_id, ids)

    def commit_turn(
        self, inbound: InboundMessage, writes_for: WritesFor, *, wait: bool = True
    ) -> TurnOutcome:
        values = {
            **inbound_row(inbound),
            "message_interview_id": inbound.interview_id,
            "expected_revision": inbound.expected_revision,
        }
        with self._batches() as batches:
            rows = self._run(batches, [(BEGIN, ()), self._bound("claim", values)])[1]
            revision, inbound_id = rows[0] if rows else (None, None)
            if revision != inbound.expected_revision:
                self._run(batches, [(ROLLBACK, ())])
                return Conflict(revision)
            if inbound_id is None:  # a redelivery of a message this interview has
                earlier = self._earlier(
                    batches, inbound.interview_id, inbound.channel_message_id, then=[(COMMIT, ())]
                )
                return Duplicate(earlier or [])
            plan, revision = turn_plan(inbound, inbound_id, writes_for(inbound_id))
            self._run(batches, [*self._plan_batch(plan), (COMMIT, ())])
        return Committed(int(inbound_id), revision)

    # --- the driver -------------------------------------------------------------------

    def _bound(self, name: str, values: Mapping[str, Any]) -> tuple[str, Sequence[Any]]:
        statement = self._sql[name]
        return statement.sql, statement.bind(values)

    def _plan_batch(self, plan: list[Step]) -> Batch:
        batch: Batch = []
        for step in plan:
            statement = self._sql[step.statement]
            batch.extend((statement.sql, statement.bind(row)) for row in step.rows)
        return batch

    def _earlier(
        self,
        batches: _Connection,
        interview_id: int,
        channel_message_id: str,
        *,
        then: Sequence[tuple[str, Sequence[Any]]],
    ) -> list[ReplyRow] | None:
        key = {"interview_id": interview_id, "channel_message_id": channel_message_id}
        found = self._run(batches, [self._bound("find_inbound", key)])[0]
        if not found:
            if then:
                self._run(batches, list(then))
            return None
        statement = self._sql["replies_to"]
        replies = self._run(
            batches, [self._bound("replies_to", {"message_id": found[0][0]}), *then]
        )
        return [reply_from(statement.row(row)) for row in replies[0]]

    @contextmanager
    def _batches(self) -> Iterator[_Connection]:
        """A pooled connection's pipeline batches; a transaction left open by an error
        is rolled back before the connection goes back to the pool."""
        pooled = self._engine.raw_connection()
        try:
            driver = pooled.driver_connection
            assert driver is not None
            connection = _Connection(pooled, batches_for(driver, pooled.info))
            try:
                yield connection
            except BaseException:
                if pooled.is_valid:
                    driver.rollback()
                raise
        finally:
            pooled.close()

    def _run(self, connection: _Connection, batch: Batch) -> list[list[tuple[Any, ...]]]:
        """``batch`` in one round trip; the rows of each statement. A driver error comes
        out as SQLAlchemy's exception; a lost connection empties the pool."""
        error_class = self._engine.dialect.loaded_dbapi.Error
        try:
            return connection.batches.run(batch)
        except error_class as error:
            dialect = self._engine.dialect
            lost = dialect.is_disconnect(error, connection.pooled.driver_connection, None)
            if lost:
                connection.pooled.invalidate(error)
                # The server went away (a restart, most likely): every pooled connection
                # is stale too.
                self._engine.dispose(close=False)
            failed = "; ".join(sql for sql, _ in batch)
            raise DBAPIError.instance(
                failed, (), error, error_class, connection_invalidated=lost, dialect=dialect
            ) from error


class _Connection:
    """A pooled connection and its pipeline batches, for one operation of the store."""

    def __init__(self, pooled: Any, batches: PipelineBatches) -> None:
        self.pooled = pooled
        self.batches = batches
