"""Engines and sessions for SQLite (single machine) and PostgreSQL (shared deployments)."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from storage.files import private_file, private_folder

# Seconds a new PostgreSQL connection may take before we call the server unreachable;
# libpq would otherwise wait for the OS TCP timeout (minutes) on a black-holed host.
PG_CONNECT_TIMEOUT = 10
# Milliseconds a SQLite writer waits for another writer's lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 5000
# Execution option that marks a connection's transactions as read-only (see _on_begin).
READ_ONLY_OPTION = "journeyline_read_only"
# SQLite's synchronous modes an operator may choose: FULL (the default) syncs the WAL
# at every commit, so an acknowledged answer survives a power loss; NORMAL syncs only at
# checkpoints, faster, and the last commits before a power loss may be lost.
SQLITE_SYNCHRONOUS = ("full", "normal")


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached (server down, wrong host/port, unwritable file).

    ``url`` is the database URL with any password masked, safe to log and show.
    """

    def __init__(self, url: str, reason: str, hint: str) -> None:
        self.url = url
        self.reason = reason
        self.hint = hint
        super().__init__(f"cannot reach the database at {url}: {reason}\nHint: {hint}")


def masked_url(url: str | URL) -> str:
    """``url`` rendered with its password replaced by ``***``."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_url_for_dir(data_dir: Path) -> str:
    """The URL of the default SQLite database file, ``<data_dir>/journeyline.db``."""
    return f"sqlite:///{Path(data_dir) / 'journeyline.db'}"


def make_engine(url: str | URL, *, check: bool = True, sqlite_synchronous: str = "full") -> Engine:
    """Create an engine configured for journeyline's access pattern.

    SQLite: the file's directory is created owner-only (0700) and the file is made
    owner-only (0600; SQLite gives its WAL and shared-memory files the same mode); WAL
    journaling, foreign keys, a busy timeout and ``synchronous`` (``sqlite_synchronous``,
    see `SQLITE_SYNCHRONOUS`) are set on every connection; and every transaction starts
    with ``BEGIN IMMEDIATE``, so concurrent writers queue on the busy timeout instead of
    failing with "database is locked" when a reader tries to upgrade to a writer.
    PostgreSQL: ``pool_pre_ping`` so connections dropped by a restart are replaced, and a
    connect timeout.

    With ``check`` (the default) one connection is opened straight away, so a wrong URL
    or a stopped server fails here with :class:`DatabaseUnavailable` rather than on the
    first request.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if sqlite_synchronous not in SQLITE_SYNCHRONOUS:
            raise ValueError(f"sqlite_synchronous is one of {SQLITE_SYNCHRONOUS}")
        engine = _make_sqlite_engine(parsed, synchronous=sqlite_synchronous)
    else:
        engine = create_engine(parsed, pool_pre_ping=True, connect_args=connect_args(parsed))
    if check:
        check_connection(engine)
    return engine


def connect_args(url: URL) -> dict[str, Any]:
    """What the driver is given on connecting: a connect timeout for PostgreSQL."""
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        return {"connect_timeout": PG_CONNECT_TIMEOUT}
    return {}


class WriterLock:
    """A lock whose urgent acquirers go before the others: a Slack ack waits for its
    claim to be stored, a turn or a start can wait a few milliseconds more."""

    def __init__(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._held = False
        self._urgent = 0

    def acquire(self, *, blocking: bool = True, timeout: float = -1, urgent: bool = False) -> bool:
        """Take the lock; False when ``blocking`` is off and it is taken, or when
        ``timeout`` (seconds, -1: none) ran out first."""
        with self._changed:
            if urgent:
                self._urgent += 1
            try:

                def free() -> bool:
                    return not self._held and (urgent or self._urgent == 0)

                if not blocking:
                    ready = free()
                else:
                    ready = self._changed.wait_for(free, None if timeout < 0 else timeout)
                if ready:
                    self._held = True
                return ready
            finally:
                if urgent:
                    self._urgent -= 1

    def release(self) -> None:
        with self._changed:
            self._held = False
            self._changed.notify_all()


_WRITERS: weakref.WeakKeyDictionary[Engine, WriterLock] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def process_write_lock(engine: Engine) -> WriterLock:
    """The lock this process's writers of ``engine``'s SQLite database queue on before
    they ask SQLite for its one write lock (turns, the Slack outbox, the service's ORM
    writes). SQLite's busy handler sleeps in growing steps and wakes late, so writers
    waiting in it leave the database idle; waiting here, each gets it the moment the
    last one is done, and the urgent ones (a Slack ack) first."""
    with _WRITERS_LOCK:
        lock = _WRITERS.get(engine)
        if lock is None:
            lock = _WRITERS[engine] = WriterLock()
        return lock


@contextmanager
def write_session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """``sessions.begin()``: one ORM write transaction, committed on success; on SQLite
    queued first with this process's other writers (see `process_write_lock`)."""
    bind = sessions.kw.get("bind")
    sqlite = isinstance(bind, Engine) and bind.dialect.name == "sqlite"
    lock = process_write_lock(bind) if sqlite and isinstance(bind, Engine) else None
    if lock is not None:
        lock.acquire()
    try:
        with sessions.begin() as session:
            yield session
    finally:
        if lock is not None:
            lock.release()


@contextmanager
def sqlite_lock_wait(driver_connection: Any, milliseconds: int) -> Iterator[None]:
    """Within the block, a SQLite driver connection waits at most ``milliseconds`` for
    another writer's lock (then "database is locked", see ``is_sqlite_busy``); after it,
    the engine's usual ``SQLITE_BUSY_TIMEOUT_MS`` again. Set it before the BEGIN
    IMMEDIATE that is to wait less: that is the statement which waits."""
    driver_connection.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        driver_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


def is_sqlite_busy(error: DBAPIError) -> bool:
    """Whether ``error`` is SQLite's "database is locked": another writer held the lock
    for longer than the connection's busy timeout."""
    return getattr(error.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY


def check_connection(engine: Engine) -> None:
    """Open and use one connection; raise :class:`DatabaseUnavailable` if that fails."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (OperationalError, DBAPIError) as exc:
        raise unavailable(engine.url, exc) from exc


def unavailable(url: str | URL, exc: BaseException) -> DatabaseUnavailable:
    """Build the :class:`DatabaseUnavailable` for a failure to reach ``url``."""
    parsed = make_url(url)
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    if parsed.get_backend_name() == "sqlite":
        hint = "check that the database file's directory exists and is writable"
    else:
        where = f"{parsed.host or 'localhost'}:{parsed.port or 'default port'}"
        hint = (
            f"check that the database server is running and accepts connections on {where}, "
            "and that the database name, user and password in the URL are right"
        )
    return DatabaseUnavailable(masked_url(parsed), reason, hint)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``.

    ``expire_on_commit=False`` so objects returned from a finished unit of work (e.g. the
    interview a request just saved) can still be read to render the response.
    Use ``with factory.begin() as session:`` for one transaction that commits on success.
    """
    return sessionmaker(bind=engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory for transactions that only read (transcripts, link checks).

    On SQLite they skip the write lock that every other transaction takes up front; on
    other databases they are ordinary sessions. Writing through one is a bug: on SQLite
    it can fail with "database is locked" at once.
    """
    return sessionmaker(
        bind=engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False
    )


def _make_sqlite_engine(url: URL, *, synchronous: str) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if not in_memory and not url.query.get("uri"):
        file = Path(database).expanduser()
        try:
            private_folder(file.parent)
            private_file(file)
        except OSError as exc:
            raise unavailable(url, exc) from exc
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take BEGIN away from the sqlite3 module (it would start a deferred transaction
        # only before DML); our "begin" hook below emits BEGIN IMMEDIATE instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA synchronous = {synchronous.upper()}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front. A deferred transaction that reads and
        # then writes must upgrade its lock, and two of those deadlock: SQLite then fails
        # one at once with "database is locked" without honouring busy_timeout. Sessions
        # that only read (make_read_session_factory) begin deferred: under WAL they never
        # wait for the writer, and the writer never waits for them.
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
