"""Batches of statements through libpq's pipeline mode (`storage.turn_store.pg_pipeline`), on a real
PostgreSQL: values read back as a psycopg cursor reads them, errors are psycopg's, and
each statement is prepared once per connection."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from psycopg import errors

from storage.turn_store.pg_pipeline import PipelineBatches, batches_for

NOW = datetime(2026, 12, 2, 6, 30, 15, 120034, tzinfo=UTC)
CREATE = (
    "CREATE TABLE notes (id SERIAL PRIMARY KEY, body TEXT NOT NULL UNIQUE, stars INTEGER,"
    " seen BOOLEAN, at TIMESTAMPTZ, data JSONB)"
)
INSERT = (
    "INSERT INTO notes (body, stars, seen, at, data)"
    " VALUES ($1, $2, $3, $4, CAST($5 AS JSONB)) RETURNING id"
)


@pytest.fixture
def driver(postgres_schema_url: str) -> Iterator[psycopg.Connection[Any]]:
    url = postgres_schema_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(CREATE)
        yield connection


def _prepared_names(driver: psycopg.Connection[Any]) -> list[str]:
    rows = driver.execute("SELECT name FROM pg_prepared_statements ORDER BY name").fetchall()
    return [row[0] for row in rows]


def test_rows_read_back_as_a_cursor_reads_them(driver: psycopg.Connection[Any]) -> None:
    batches = batches_for(driver, {})  # the pool's per-connection dictionary
    body = "called them <b>twice</b>, 😠 'quoted' \\ back"
    inserted = batches.run(
        [
            ("BEGIN", ()),
            (INSERT, (body, 2, True, NOW, '{"slot": "pain", "n": [1, 2]}')),
            (INSERT, ("nothing else", None, None, None, "null")),
            ("COMMIT", ()),
        ]
    )
    assert inserted[0] == [] and inserted[3] == []
    first, second = inserted[1][0][0], inserted[2][0][0]
    assert isinstance(first, int) and second == first + 1
    (rows,) = batches.run([("SELECT body, stars, seen, at, data FROM notes ORDER BY id", ())])
    expected = driver.execute("SELECT body, stars, seen, at, data FROM notes ORDER BY id")
    assert rows == expected.fetchall()
    assert rows[0] == (body, 2, True, NOW, {"slot": "pain", "n": [1, 2]})
    assert rows[1] == ("nothing else", None, None, None, None)


def test_each_statement_is_prepared_once_per_connection(
    driver: psycopg.Connection[Any],
) -> None:
    prepared: dict[str, bytes] = {}
    for n in range(3):
        # Batchers sharing what the connection has prepared (two of them, here).
        PipelineBatches(driver, prepared).run([(INSERT, (f"note {n}", n, False, NOW, "{}"))])
        PipelineBatches(driver, prepared).run(
            [(INSERT, (f"a {n}", 1, True, NOW, "[]")), (INSERT, (f"b {n}", 1, True, NOW, "[]"))]
        )
    assert list(prepared) == [INSERT]
    assert len(_prepared_names(driver)) == 1  # the server holds one prepared statement
    count = driver.execute("SELECT count(*) FROM notes").fetchone()
    assert count == (9,)


def test_the_first_error_is_raised_after_the_batch_and_the_rest_is_skipped(
    driver: psycopg.Connection[Any],
) -> None:
    batches = batches_for(driver, {})
    batches.run([(INSERT, ("taken", 1, True, NOW, "{}"))])
    with pytest.raises(errors.UniqueViolation):
        batches.run(
            [
                ("BEGIN", ()),
                (INSERT, ("new", 1, True, NOW, "{}")),
                (INSERT, ("taken", 1, True, NOW, "{}")),
                (INSERT, ("after", 1, True, NOW, "{}")),
                ("COMMIT", ()),
            ]
        )
    assert driver.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
    driver.rollback()
    rows = driver.execute("SELECT body FROM notes ORDER BY id").fetchall()
    assert rows == [("taken",)]
    # The connection works on, in psycopg's hands and in batches.
    assert batches.run([("SELECT count(*) FROM notes", ())]) == [[(1,)]]


def test_a_statement_that_fails_to_prepare_is_not_remembered(
    driver: psycopg.Connection[Any],
) -> None:
    prepared: dict[str, bytes] = {}
    batches = PipelineBatches(driver, prepared)
    with pytest.raises(errors.UndefinedColumn):
        batches.run([("SELECT nope FROM notes", ())])
    assert prepared == {} and _prepared_names(driver) == []
    assert batches.run([("SELECT count(*) FROM notes", ())]) == [[(0,)]]
    assert len(prepared) == 1


def test_a_batch_larger_than_the_socket_buffer(driver: psycopg.Connection[Any]) -> None:
    # Several megabytes: libpq cannot write them in one go, so the batch waits for the
    # socket while PostgreSQL reads (and answers) what it has.
    text = "x" * 50_000
    batches = PipelineBatches(driver, {})
    statements = [(INSERT, (f"{n} {text}", n, True, NOW, "{}")) for n in range(120)]
    results = batches.run([("BEGIN", ()), *statements, ("COMMIT", ())])
    assert len(results) == 122 and all(len(rows) == 1 for rows in results[1:-1])
    total = driver.execute("SELECT count(*), sum(length(body)) FROM notes").fetchone()
    assert total is not None and total[0] == 120 and total[1] > 120 * 50_000


def test_a_value_that_cannot_be_sent_fails_before_anything_is(
    driver: psycopg.Connection[Any],
) -> None:
    batches = batches_for(driver, {})
    with pytest.raises(psycopg.ProgrammingError):
        batches.run([("BEGIN", ()), (INSERT, (object(), 1, True, NOW, "{}"))])
    assert driver.pgconn.pipeline_status == psycopg.pq.PipelineStatus.OFF
    assert driver.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert batches.run([("SELECT count(*) FROM notes", ())]) == [[(0,)]]
