"""Deleting so the bytes are gone from a SQLite file, not only from its tables.

SQLite leaves deleted rows' bytes in free space until it is reused. ``secure_deletes``
turns on ``PRAGMA secure_delete`` for one write transaction (freed content is
overwritten with zeros) and off again before the connection goes back to the pool
(it costs extra writes on every delete). ``compact`` then rebuilds the file with
``VACUUM`` (older versions of rewritten rows, such as the engine state every turn
replaces, can linger in free space written before) and checkpoints and truncates the
write-ahead log, which holds copies of recently written pages. PostgreSQL needs neither:
see the README's Privacy section (VACUUM, backups).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage.engines import process_write_lock


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


@contextmanager
def secure_deletes(session: Session) -> Iterator[None]:
    """Within the block, deletes in ``session`` overwrite the freed bytes (SQLite; a
    no-op elsewhere)."""
    if not is_sqlite(session):
        yield
        return
    session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        session.connection().exec_driver_sql("PRAGMA secure_delete = OFF")


def compact(engine: Engine) -> bool | None:
    """Rebuild a SQLite file and empty its write-ahead log: True when emptied, False
    when a reader kept the log from being emptied (later writes overwrite it), None
    for other databases."""
    if engine.dialect.name != "sqlite":
        return None
    lock = process_write_lock(engine)  # this process's other writers wait their turn
    lock.acquire()
    try:
        with engine.connect() as connection:
            # The driver connection runs in autocommit (storage.engines) and VACUUM
            # cannot run inside a transaction: bypass SQLAlchemy's BEGIN.
            driver = connection.connection.driver_connection
            assert driver is not None
            driver.execute("VACUUM")
            busy, _, _ = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        lock.release()
    return bool(busy == 0)
