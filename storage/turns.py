"""The chat turn's statements, run on the database driver: the hot path of every message.

A turn runs a handful of small statements while it holds the interview's lock (on SQLite,
the database's write lock, so every other turn waits for it). Through SQLAlchemy each of
them cost several times the SQL itself: the compiled-statement cache lookup, parameter
and result processing, and the connection's events; through the ORM's unit of work, more
again. So the service's per-message path runs these few statements, written out once per
database, straight on the pooled DB-API connection (``sqlite3`` or ``psycopg``) of
SQLAlchemy's engine. Everything else (reads, imports, synthesis, migrations) goes through
SQLAlchemy as usual.

What SQLAlchemy did for these columns is done here, and written the same way: timestamps
in UTC (SQLite: the text SQLAlchemy's DATETIME stores; PostgreSQL: ``timestamptz``), JSON
as ``json.dumps`` text (JSONB on PostgreSQL), and driver errors raised as SQLAlchemy's
exception classes (``IntegrityError``, ``OperationalError``) so callers handle one kind.

Every write here bumps or checks ``interviews.revision``, the same counter the ORM's
version check uses, so ORM writers elsewhere and these statements never overwrite each
other unnoticed. None of the functions commits: ``begin`` owns the transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError, StatementError

from storage.engines import is_sqlite_busy, sqlite_lock_wait
from storage.models import new_public_id
from storage.queries import INBOUND, OUTBOUND, StepRecordData


@dataclass(frozen=True)
class Flavour:
    """How one database spells what the turn's statements need."""

    name: str
    placeholder: str
    json_placeholder: str
    lock_suffix: str
    # SQLite hands JSON columns back as text; psycopg parses JSONB itself.
    json_comes_back_as_text: bool

    def sql(self, template: str) -> str:
        """``template`` with its ``?j`` (JSON) and ``?`` (any other value) placeholders,
        numbered from 1 where the database numbers them, and ``{lock}`` (row lock),
        spelled for this database."""
        spelled, number = [], 0
        for part in _TOKENS.split(template):
            if part in ("?", "?j"):
                number += 1
                wanted = self.json_placeholder if part == "?j" else self.placeholder
                spelled.append(wanted.format(n=number))
            else:
                spelled.append(self.lock_suffix if part == "{lock}" else part)
        return "".join(spelled)

    def timestamp(self, value: datetime) -> datetime | str:
        """``value`` as the driver should bind it (the rules of ``types.UTCDateTime``)."""
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime (e.g. UTC)")
        value = value.astimezone(UTC)
        if self.name != "sqlite":
            return value
        # Exactly the text SQLAlchemy's SQLite DATETIME writes (and parses back).
        return (
            f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
        )

    def json_value(self, value: Any) -> Any:
        """A JSON column's value as stored (``JSON`` stores Python ``None`` as ``null``)."""
        if not self.json_comes_back_as_text or not isinstance(value, str):
            return value
        return json.loads(value)


SQLITE = Flavour(
    name="sqlite",
    placeholder="?",
    json_placeholder="?",
    # SQLite has no row locks; BEGIN IMMEDIATE already holds the database's write lock.
    lock_suffix="",
    json_comes_back_as_text=True,
)
# psycopg's raw cursor takes PostgreSQL's own numbered placeholders, so it need not
# rewrite every statement's %s into them on each execution (as its default cursor does).
POSTGRESQL = Flavour(
    name="postgresql",
    placeholder="${n}",
    json_placeholder="CAST(${n} AS JSONB)",
    lock_suffix=" FOR UPDATE OF interviews",
    json_comes_back_as_text=False,
)
FLAVOURS = {flavour.name: flavour for flavour in (SQLITE, POSTGRESQL)}
_TOKENS = re.compile(r"(\?j|\?|\{lock\})")


class TurnConnection:
    """One transaction on the driver, with the database's spelling of each statement
    (built once per statement and database).

    On SQLite, statements run on the driver's cursor. On PostgreSQL they go in batches
    (``pg_pipeline``), one round trip each: the transaction's first statement with its
    BEGIN, then (`last_writes`) everything else with its COMMIT."""

    def __init__(self, engine: Engine, pooled: Any, flavour: Flavour) -> None:
        self._engine = engine
        self._pooled = pooled
        self._error = engine.dialect.loaded_dbapi.Error
        self.driver = pooled.driver_connection
        self.flavour = flavour
        self._sql = _STATEMENTS.setdefault(flavour.name, {})
        # Whether this connection's transaction has begun and not yet ended. On
        # PostgreSQL the driver is in autocommit mode (see `begin`) and the transaction's
        # BEGIN and COMMIT are statements of ours, each sent with others, not on its own.
        self.in_transaction = False
        self.cursor: Any = None
        if flavour is SQLITE:
            self.cursor = self.driver.cursor()
        else:
            from storage.pg_pipeline import batches_for  # psycopg: PostgreSQL only

            self._batches = batches_for(self.driver, pooled.info)
        # Inside `last_writes` on PostgreSQL: the statements queued, not yet sent.
        self._queued: list[tuple[str, Sequence[Any]]] | None = None
        # PostgreSQL: the rows of the last statement run.
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, template: str, params: Sequence[Any] = ()) -> None:
        """Run one statement. On PostgreSQL the transaction's first statement goes in one
        round trip with its BEGIN; inside `last_writes`, with the others at its end."""
        sql = self._statement(template)
        if self.flavour is SQLITE:
            try:
                self.cursor.execute(sql, params)
            except self._error as error:
                raise self._translated(error, sql, params) from error
        elif self._queued is not None:
            self._queued.append((sql, params))
            self._rows = _NOT_RUN_YET
        else:
            self._rows = self._run([(sql, params)])[-1]

    def one(self, template: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """Run one statement; its first row, if any."""
        self.execute(template, params)
        if self.flavour is not SQLITE:
            rows = self._fetched()
            return rows[0] if rows else None
        row: tuple[Any, ...] | None = self.cursor.fetchone()
        return row

    def all(self, template: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement; all its rows."""
        self.execute(template, params)
        if self.flavour is not SQLITE:
            return list(self._fetched())
        rows: list[tuple[Any, ...]] = self.cursor.fetchall()
        return rows

    def execute_many(self, template: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for each of ``rows``, in order (on PostgreSQL in one round
        trip, or with the rest of `last_writes`)."""
        sql = self._statement(template)
        if self.flavour is SQLITE:
            try:
                self.cursor.executemany(sql, rows)
            except self._error as error:
                raise self._translated(error, sql, rows) from error
        elif self._queued is not None:
            self._queued.extend((sql, row) for row in rows)
        elif rows:
            self._run([(sql, row) for row in rows])

    @contextmanager
    def last_writes(self) -> Iterator[None]:
        """The transaction's last statements, which return no rows, then its commit: on
        PostgreSQL all of them in one round trip, sent when the block ends (errors
        surface then, and the transaction is rolled back by `begin`). SQLite runs in
        process, so there is nothing to save: they run one by one, then it commits."""
        if self.flavour is SQLITE:
            yield
            self.commit()
            return
        self._queued = []
        try:
            yield
            statements = [*self._queued, (COMMIT, ())]
        finally:
            self._queued = None
        self._run(statements)
        self.in_transaction = False

    def commit(self) -> None:
        """Commit the transaction, if one is open."""
        if not self.in_transaction:
            return
        if self.flavour is SQLITE:
            try:
                self.driver.commit()
            except self._error as error:
                raise self._translated(error, "COMMIT", ()) from error
        else:
            self._run([(COMMIT, ())])
        self.in_transaction = False

    def rollback(self) -> None:
        """Roll back whatever the transaction did (nothing, if it never began)."""
        self.in_transaction = False
        self.driver.rollback()  # no driver does anything without a transaction

    def close(self) -> None:
        if self.cursor is not None:
            self.cursor.close()

    def _fetched(self) -> list[tuple[Any, ...]]:
        if self._rows is _NOT_RUN_YET:
            raise RuntimeError("a statement of last_writes has no rows to read: it runs later")
        return self._rows

    def _run(self, statements: list[tuple[str, Sequence[Any]]]) -> list[list[tuple[Any, ...]]]:
        """PostgreSQL: ``statements`` in one round trip, after a BEGIN when no transaction
        is open yet (from here on, whatever fails is rolled back by `begin`)."""
        if not self.in_transaction:
            statements = [(BEGIN, ()), *statements]
            self.in_transaction = True
        try:
            return self._batches.run(statements)
        except self._error as error:
            failed = "; ".join(sql for sql, _ in statements)
            raise self._translated(error, failed, ()) from error

    def _statement(self, template: str) -> str:
        sql = self._sql.get(template)
        if sql is None:
            sql = self._sql[template] = self.flavour.sql(template)
        return sql

    def _translated(self, error: Any, sql: str, params: Any) -> StatementError:
        """The SQLAlchemy exception for a driver error; a lost connection is dropped from
        the pool so the next turn gets a fresh one."""
        dialect = self._engine.dialect
        lost = dialect.is_disconnect(error, self.driver, self.cursor)
        if lost:
            self._pooled.invalidate(error)
            if self.flavour is not SQLITE:
                # The server went away (a restart, most likely), so every connection
                # pooled with this one is stale too: the pool starts afresh.
                self._engine.dispose(close=False)
        translated: StatementError = DBAPIError.instance(
            sql,
            params,
            error,
            self._error,
            connection_invalidated=lost,
            dialect=dialect,
        )
        return translated


BEGIN, COMMIT, BEGIN_IMMEDIATE = "BEGIN", "COMMIT", "BEGIN IMMEDIATE"
# The rows of a statement queued in `TurnConnection.last_writes`, which are not there yet.
_NOT_RUN_YET: list[tuple[Any, ...]] = []

# Each statement's text per database, keyed by its template.
_STATEMENTS: dict[str, dict[str, str]] = {}


class WriteWouldWait(RuntimeError):
    """The database's write lock is taken (another process is writing): a transaction
    begun with ``wait=False`` stops before doing anything."""


@contextmanager
def begin(engine: Engine, *, wait: bool = True) -> Iterator[TurnConnection]:
    """One write transaction on a pooled driver connection, committed on success (unless
    the block committed it, see `TurnConnection.last_writes`) and rolled back on any
    exception. On SQLite it starts with ``BEGIN IMMEDIATE`` (the write lock up front, as
    every SQLAlchemy write transaction of ours does; see ``db``). On PostgreSQL the driver
    runs in autocommit mode for the transaction, and its BEGIN goes with its first
    statement: a turn costs two round trips to the server, not six (see
    ``db.make_turn_engine`` for the connection check it also saves).

    ``wait=False`` (SQLite only) raises ``WriteWouldWait`` at once, having done nothing,
    when another connection holds the write lock, instead of waiting up to the busy
    timeout for it: for callers that must not block (the web server's event loop).
    """
    flavour = FLAVOURS.get(engine.dialect.name)
    if flavour is None:
        raise ValueError(f"the turn's statements support SQLite and PostgreSQL, not {engine.url}")
    if not wait and flavour is not SQLITE:
        raise ValueError("wait=False is for SQLite, whose one write lock is all a turn waits on")
    pooled = engine.raw_connection()
    try:
        connection = TurnConnection(engine, pooled, flavour)
        # A connection of an engine not made by `make_turn_engine` is switched for the
        # transaction, and back after (psycopg does this without a round trip).
        switched = flavour is not SQLITE and not connection.driver.autocommit
        try:
            if switched:
                connection.driver.autocommit = True
            if flavour is SQLITE:
                _begin_immediate(connection, wait=wait)
            yield connection
            connection.commit()
        except BaseException:
            if pooled.is_valid:
                connection.rollback()
            raise
        finally:
            connection.close()
            if switched and pooled.is_valid:
                connection.driver.autocommit = False
    finally:
        pooled.close()  # back to the pool


def _begin_immediate(connection: TurnConnection, *, wait: bool) -> None:
    if wait:
        connection.execute(BEGIN_IMMEDIATE)
        connection.in_transaction = True
        return
    # With no busy timeout SQLite answers SQLITE_BUSY at once instead of sleeping. Once
    # BEGIN IMMEDIATE holds the write lock nothing else in the transaction waits on
    # another writer, so the timeout is back to normal before anything else runs.
    with sqlite_lock_wait(connection.cursor, 0):
        try:
            connection.execute(BEGIN_IMMEDIATE)
        except OperationalError as error:
            if is_sqlite_busy(error):
                raise WriteWouldWait("another connection is writing to the database") from error
            raise
    connection.in_transaction = True


# --- reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InterviewRow:
    """What a turn needs of an interview and its campaign, read in one statement."""

    id: int
    public_id: str
    revision: int
    status: str
    engine_state: dict[str, Any]
    consent: bool | None
    completed: bool
    access_token_hash: str | None
    guide_source: str
    consent_text: str


@dataclass(frozen=True)
class ReplyRow:
    """One outbound message, to store or as stored."""

    text: str
    slot: str | None
    choices: list[dict[str, str]] | None
    items: list[str] | None


@dataclass(frozen=True)
class CampaignRow:
    id: int
    open_link: bool
    guide_source: str
    consent_text: str


_LOAD = (
    "SELECT interviews.id, interviews.public_id, interviews.revision, interviews.status,"
    " interviews.engine_state, interviews.consent, interviews.completed_at,"
    " interviews.access_token_hash, campaigns.guide_source, campaigns.consent_text"
    " FROM interviews JOIN campaigns ON campaigns.id = interviews.campaign_id"
    " WHERE interviews.public_id = ?"
)
_LOAD_LOCKED = _LOAD + "{lock}"


def load_interview(
    connection: TurnConnection, public_id: str, *, lock: bool
) -> InterviewRow | None:
    """The interview with ``public_id`` and its campaign's guide, or ``None``.

    ``lock`` takes the interview's row lock until the transaction ends (``FOR UPDATE OF
    interviews`` on PostgreSQL; SQLite's write lock is already held, nothing is added).
    """
    found = connection.one(_LOAD_LOCKED if lock else _LOAD, (public_id,))
    if found is None:
        return None
    (row_id, public, revision, status, state, consent, completed_at, token_hash, guide, text) = (
        found
    )
    return InterviewRow(
        id=row_id,
        public_id=public,
        revision=revision,
        status=status,
        engine_state=connection.flavour.json_value(state),
        consent=None if consent is None else bool(consent),
        completed=completed_at is not None,
        access_token_hash=token_hash,
        guide_source=guide,
        consent_text=text,
    )


_CAMPAIGN = "SELECT id, open_link, guide_source, consent_text FROM campaigns WHERE slug = ?"


def campaign_by_slug(connection: TurnConnection, slug: str) -> CampaignRow | None:
    """What starting an interview needs of the campaign with ``slug``, or ``None``."""
    found = connection.one(_CAMPAIGN, (slug,))
    if found is None:
        return None
    campaign_id, open_link, guide_source, consent_text = found
    return CampaignRow(campaign_id, bool(open_link), guide_source, consent_text)


_LOCK_REVISION = "SELECT revision FROM interviews WHERE id = ?{lock}"


def lock_revision(connection: TurnConnection, interview_id: int) -> int | None:
    """Lock the interview's row (PostgreSQL; SQLite holds its write lock already) and
    return its revision, or ``None`` if it is gone. Equal to a cached revision, it
    proves the cached copy is current for the rest of the transaction."""
    found = connection.one(_LOCK_REVISION, (interview_id,))
    return None if found is None else int(found[0])


_FIND_INBOUND = (
    f"SELECT id FROM messages WHERE interview_id = ? AND direction = '{INBOUND}'"
    " AND channel_message_id = ?"
)


def find_inbound_id(
    connection: TurnConnection, *, interview_id: int, channel_message_id: str
) -> int | None:
    """The id of the inbound message delivered with ``channel_message_id``, if any."""
    found = connection.one(_FIND_INBOUND, (interview_id, channel_message_id))
    return None if found is None else int(found[0])


_REPLIES = (
    "SELECT text, slot, choices, items FROM messages"
    f" WHERE in_reply_to_id = ? AND direction = '{OUTBOUND}' ORDER BY id"
)


def replies_to(connection: TurnConnection, message_id: int) -> list[ReplyRow]:
    """The replies stored for inbound message ``message_id``, in sending order."""
    json_value = connection.flavour.json_value
    return [
        ReplyRow(text=text, slot=slot, choices=json_value(choices), items=json_value(items))
        for text, slot, choices, items in connection.all(_REPLIES, (message_id,))
    ]


# --- writing ----------------------------------------------------------------------------

_INSERT_INTERVIEW = (
    "INSERT INTO interviews (public_id, campaign_id, participant_id, channel, status,"
    " engine_state, extra_answers, started_at, updated_at, revision, access_token_hash)"
    " VALUES (?, ?, NULL, ?, ?, ?, ?j, ?, ?, 0, ?) RETURNING id"
)


def insert_interview(
    connection: TurnConnection,
    *,
    campaign_id: int,
    channel: str,
    status: str,
    engine_state_json: str,
    access_token_hash: str | None,
    now: datetime,
) -> tuple[int, str]:
    """Create an anonymous interview (no participant) at revision 0; its id and public id.
    ``engine_state_json`` is the state as JSON text."""
    public_id = new_public_id()
    stamp = connection.flavour.timestamp(now)
    params = (public_id, campaign_id, channel, status, engine_state_json, "{}", stamp, stamp)
    found = connection.one(_INSERT_INTERVIEW, (*params, access_token_hash))
    assert found is not None  # RETURNING of an INSERT that inserted
    return int(found[0]), public_id


# ON CONFLICT names the partial unique index on inbound (interview_id, channel_message_id):
# a redelivery inserts nothing and returns no id. Same spelling on both databases.
_INSERT_INBOUND = (
    "INSERT INTO messages (interview_id, direction, text, choice, slot, channel_message_id,"
    f" redacted, created_at) VALUES (?, '{INBOUND}', ?, ?, ?, ?, FALSE, ?)"
    f" ON CONFLICT (interview_id, channel_message_id) WHERE direction = '{INBOUND}'"
    " DO NOTHING RETURNING id"
)


def insert_inbound(
    connection: TurnConnection,
    *,
    interview_id: int,
    text: str,
    choice: str | None,
    slot: str | None,
    channel_message_id: str,
    now: datetime,
) -> int | None:
    """Store a customer message; its id, or ``None`` when this interview already has an
    inbound message with ``channel_message_id`` (a redelivery: nothing is stored)."""
    params = (interview_id, text, choice, slot, channel_message_id)
    found = connection.one(_INSERT_INBOUND, (*params, connection.flavour.timestamp(now)))
    return None if found is None else int(found[0])


# PostgreSQL: lock the interview's row, and store the message only if the revision is
# the one the caller expects, in one statement (one round trip, its BEGIN included).
# FOR UPDATE waits for another turn's lock and then reads the row as that turn left it.
_LOCK_AND_INSERT_INBOUND = (
    "WITH locked AS (SELECT revision FROM interviews WHERE id = ? FOR UPDATE),"
    " inserted AS (INSERT INTO messages (interview_id, direction, text, choice, slot,"
    f" channel_message_id, redacted, created_at) SELECT ?, '{INBOUND}', ?, ?, ?, ?, FALSE, ?"
    " FROM locked WHERE locked.revision = ?"
    f" ON CONFLICT (interview_id, channel_message_id) WHERE direction = '{INBOUND}'"
    " DO NOTHING RETURNING id)"
    " SELECT locked.revision, (SELECT id FROM inserted) FROM locked"
)


@dataclass(frozen=True)
class Claim:
    """What `lock_and_insert_inbound` found and did."""

    # The interview's revision now (None: there is no such interview).
    revision: int | None
    # The stored message's id; None when nothing was stored (another revision, or a
    # redelivery of a message this interview already has).
    inbound_id: int | None


def lock_and_insert_inbound(
    connection: TurnConnection,
    *,
    interview_id: int,
    expected_revision: int,
    text: str,
    choice: str | None,
    slot: str | None,
    channel_message_id: str,
    now: datetime,
) -> Claim:
    """`lock_revision` then, if the revision is ``expected_revision``, `insert_inbound`:
    what a turn does first when it holds the interview as of ``expected_revision``
    (cached). On PostgreSQL one statement; on SQLite, in process, the two."""
    if connection.flavour is SQLITE:
        revision = lock_revision(connection, interview_id)
        if revision != expected_revision:
            return Claim(revision, None)
        inbound_id = insert_inbound(
            connection,
            interview_id=interview_id,
            text=text,
            choice=choice,
            slot=slot,
            channel_message_id=channel_message_id,
            now=now,
        )
        return Claim(revision, inbound_id)
    stamp = connection.flavour.timestamp(now)
    params = (interview_id, interview_id, text, choice, slot, channel_message_id, stamp)
    found = connection.one(_LOCK_AND_INSERT_INBOUND, (*params, expected_revision))
    if found is None:
        return Claim(None, None)
    return Claim(int(found[0]), None if found[1] is None else int(found[1]))


_INSERT_REPLY = (
    "INSERT INTO messages (interview_id, direction, text, choice, slot, choices, items,"
    f" channel_message_id, in_reply_to_id, redacted, created_at)"
    f" VALUES (?, '{OUTBOUND}', ?, NULL, ?, ?j, ?j, NULL, ?, FALSE, ?)"
)
_INSERT_REPLY_RETURNING_ID = _INSERT_REPLY + " RETURNING id"


def insert_replies(
    connection: TurnConnection,
    *,
    interview_id: int,
    in_reply_to_id: int | None,
    replies: Sequence[ReplyRow],
    now: datetime,
    returning_ids: bool = False,
) -> list[int]:
    """Store the bot's replies to message ``in_reply_to_id``, in order; with
    ``returning_ids``, their ids in the same order (else an empty list)."""
    stamp = connection.flavour.timestamp(now)
    rows = [
        (
            interview_id,
            reply.text,
            reply.slot,
            json.dumps(reply.choices),
            json.dumps(reply.items),
            in_reply_to_id,
            stamp,
        )
        for reply in replies
    ]
    if not returning_ids:
        # Inserted in list order, so ids (and the transcript order) follow the replies.
        if rows:
            connection.execute_many(_INSERT_REPLY, rows)
        return []
    # One row at a time: a multi-row RETURNING promises no order on SQLite.
    ids = []
    for row in rows:
        found = connection.one(_INSERT_REPLY_RETURNING_ID, row)
        assert found is not None  # RETURNING of an INSERT that inserted
        ids.append(int(found[0]))
    return ids


# Columns an interview update may set, and how each is bound (JSON, timestamp, plain).
_JSON_COLUMNS = frozenset({"engine_state", "extra_answers"})
_CAST_JSON_COLUMNS = _JSON_COLUMNS - {"engine_state"}
_TIMESTAMP_COLUMNS = frozenset({"updated_at", "consent_at", "completed_at"})
_INTERVIEW_COLUMNS = (
    _JSON_COLUMNS
    | _TIMESTAMP_COLUMNS
    | {
        "status",
        "consent",
        "problem",
        "moment_of_truth",
        "moment_of_truth_step",
        "resolved",
        "effort",
        "improvement",
        "anything_else",
    }
)
_UPDATES: dict[tuple[str, ...], str] = {}


def update_interview(
    connection: TurnConnection,
    *,
    interview_id: int,
    revision: int,
    values: Mapping[str, Any],
) -> None:
    """Write ``values`` (interview columns) and set the revision to ``revision``.

    ``engine_state``, if given, is already JSON text (pydantic writes it in one step,
    cheaper than a dict through ``json.dumps``); other JSON columns take Python values.
    The caller holds the row lock and has checked the previous revision."""
    columns = tuple(values)
    template = _UPDATES.get(columns)
    if template is None:
        unknown = set(columns) - _INTERVIEW_COLUMNS
        if unknown:
            raise ValueError(f"not an interview column a turn writes: {sorted(unknown)}")
        # One statement per set of columns (a turn writes one of a few sets).
        # engine_state is a `json` column on PostgreSQL (storage.types.document_json_type):
        # a plain parameter takes the column's type, with no cast to JSONB and back.
        assignments = [
            f"{name} = {'?j' if name in _CAST_JSON_COLUMNS else '?'}" for name in columns
        ]
        template = _UPDATES[columns] = (
            f"UPDATE interviews SET {', '.join(assignments)}, revision = ? WHERE id = ?"
        )
    flavour = connection.flavour
    params: list[Any] = []
    for name, value in values.items():
        if name in _TIMESTAMP_COLUMNS and value is not None:
            value = flavour.timestamp(value)
        elif name in _CAST_JSON_COLUMNS:
            value = json.dumps(value)
        params.append(value)
    connection.execute(template, (*params, revision, interview_id))


_STEP_COLUMNS = (
    "doing",
    "channel",
    "channel_text",
    "feeling",
    "thinking",
    "duration_minutes",
    "duration_text",
    "people",
    "tools",
    "people_tools_text",
    "pains",
    "pain_text",
    "source_message_ids",
)
_STEP_JSON = frozenset({"people", "tools", "pains", "source_message_ids"})
_UPSERT_STEP = (
    f"INSERT INTO step_records (interview_id, ordinal, {', '.join(_STEP_COLUMNS)}) VALUES"
    f" (?, ?, {', '.join('?j' if c in _STEP_JSON else '?' for c in _STEP_COLUMNS)})"
    " ON CONFLICT (interview_id, ordinal) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _STEP_COLUMNS)
)
_DELETE_STEP = "DELETE FROM step_records WHERE interview_id = ? AND ordinal = ?"


def save_steps(
    connection: TurnConnection,
    *,
    interview_id: int,
    changed: Sequence[StepRecordData],
    removed: Sequence[int] = (),
) -> None:
    """Upsert ``changed`` steps by ordinal and delete the ``removed`` ordinals."""
    if removed:
        connection.execute_many(_DELETE_STEP, [(interview_id, ordinal) for ordinal in removed])
    if not changed:
        return
    rows = [
        (
            interview_id,
            data.ordinal,
            data.doing,
            data.channel,
            data.channel_text,
            data.feeling,
            data.thinking,
            data.duration_minutes,
            data.duration_text,
            json.dumps(list(data.people)),
            json.dumps(list(data.tools)),
            data.people_tools_text,
            json.dumps(list(data.pains)),
            data.pain_text,
            json.dumps(list(data.source_message_ids)),
        )
        for data in changed
    ]
    connection.execute_many(_UPSERT_STEP, rows)


_REDACT_INBOUND = (
    "UPDATE messages SET text = '', redacted = TRUE"
    f" WHERE interview_id = ? AND direction = '{INBOUND}' AND id != ? AND redacted = FALSE"
)


def redact_inbound_except(
    connection: TurnConnection, *, interview_id: int, keep_message_id: int
) -> None:
    """Blank every inbound message of the interview but one (see ``queries``)."""
    connection.execute(_REDACT_INBOUND, (interview_id, keep_message_id))
