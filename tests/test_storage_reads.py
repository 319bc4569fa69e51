"""Read-only sessions on SQLite do not queue behind a writer (WAL, deferred BEGIN)."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text

from storage.engines import (
    make_engine,
    make_read_session_factory,
    make_session_factory,
    sqlite_url_for_dir,
)
from storage.migrate import upgrade


def test_reads_do_not_wait_for_an_open_write_transaction(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url_for_dir(tmp_path))
    try:
        upgrade(engine)
        writes, reads = make_session_factory(engine), make_read_session_factory(engine)
        with writes.begin() as writer:
            writer.execute(text("SELECT count(*) FROM campaigns"))  # holds the write lock
            started = time.perf_counter()
            with reads() as reader:
                assert reader.execute(text("SELECT count(*) FROM campaigns")).scalar() == 0
            assert time.perf_counter() - started < 1.0  # not the 5 s busy timeout
    finally:
        engine.dispose()
