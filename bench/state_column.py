"""PostgreSQL's cost of rewriting an interview's engine state, by column type.

Run: ``.venv/bin/python -m bench.state_column [--updates 3000] [--postgres URL]``

Every chat turn rewrites the interview's engine state whole. This takes real states (the
demo personas' whole interviews, run through the service on a temporary SQLite file),
then, in a fresh PostgreSQL schema, updates them in a table per column kind, the way a
turn's UPDATE does, and reports the PostgreSQL backend's CPU per update (read from
``/proc``, so the server must run on this machine) and wall time. The baseline is
``JSONB`` with the default pglz compression, the type the column had before migration
0006; journeyline now uses ``json`` with lz4.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bench.turn_cpu import open_conversations, open_service, run_turns
from storage.engines import sqlite_url_for_dir
from storage.models import Interview

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
ROWS = 200
# (name, column type, TOAST compression); the first is the baseline.
KINDS = (
    ("jsonb, pglz (before 0006)", "jsonb", "pglz"),
    ("jsonb, lz4", "jsonb", "lz4"),
    ("json, pglz", "json", "pglz"),
    ("json, lz4 (journeyline)", "json", "lz4"),
    ("text, lz4 (no check)", "text", "lz4"),
)


@dataclass(frozen=True)
class Result:
    name: str
    cpu_ms: float
    wall_ms: float
    stored_bytes: int


def demo_states(interviews: int) -> list[str]:
    """Engine states of whole demo interviews, as the JSON text a turn writes."""
    with tempfile.TemporaryDirectory(prefix="state-column-") as folder:
        service, sessions, engine = open_service(sqlite_url_for_dir(Path(folder)), "State column")
        run_turns(service, open_conversations(service, interviews, seed=1))
        with sessions() as session:
            states = [json.dumps(s) for s in session.scalars(select(Interview.engine_state))]
        engine.dispose()
    return states


def backend_cpu_seconds(connection: psycopg.Connection[Any]) -> float:
    row = connection.execute("SELECT pg_backend_pid()").fetchone()
    assert row is not None
    fields = Path(f"/proc/{row[0]}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


@contextmanager
def fresh_schema(server_url: str) -> Iterator[psycopg.Connection[Any]]:
    libpq = make_url(server_url).set(drivername="postgresql").render_as_string(False)
    schema = f"state_column_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(libpq, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            connection.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(schema)))
            yield connection
        finally:
            connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def measure(
    connection: psycopg.Connection[Any],
    kind: tuple[str, str, str],
    states: Sequence[str],
    updates: int,
) -> Result:
    name, column_type, compression = kind
    # The table, type and compression are names, which cannot be parameters: psycopg's
    # sql module quotes them as identifiers.
    table = sql.Identifier(f"states_{column_type}_{compression}")
    connection.execute(
        sql.SQL(
            "CREATE TABLE {} (id INT PRIMARY KEY, revision INT NOT NULL,"
            " engine_state {} COMPRESSION {} NOT NULL)"
        ).format(table, sql.Identifier(column_type), sql.Identifier(compression))
    )
    for row_id in range(1, ROWS + 1):
        connection.execute(
            sql.SQL("INSERT INTO {} VALUES (%s, 0, %s)").format(table),
            (row_id, states[row_id % len(states)]),
        )
    statement = sql.SQL(
        "UPDATE {} SET engine_state = %s, revision = revision + 1 WHERE id = %s"
    ).format(table)
    rng = random.Random(7)
    work = [(rng.choice(states), rng.randint(1, ROWS)) for _ in range(updates)]
    # What is measured is the server's work, not the disk: this session commits lazily.
    connection.execute("SET synchronous_commit = off")
    cpu, wall = backend_cpu_seconds(connection), time.perf_counter()
    for state, row_id in work:
        connection.execute(statement, (state, row_id))
    cpu, wall = backend_cpu_seconds(connection) - cpu, time.perf_counter() - wall
    size = connection.execute(
        sql.SQL("SELECT avg(pg_column_size(engine_state)) FROM {}").format(table)
    )
    stored = size.fetchone()
    assert stored is not None
    return Result(name, 1000 * cpu / updates, 1000 * wall / updates, round(float(stored[0])))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--interviews", type=int, default=38, help="demo interviews to run")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES_URL, metavar="URL")
    args = parser.parse_args(argv)
    print(f"running {args.interviews} demo interviews for their engine states ...")
    states = demo_states(args.interviews)
    sizes = sorted(len(state) for state in states)
    print(
        f"{len(states)} states, {sizes[len(sizes) // 2]} bytes median, {sizes[-1]} max; "
        f"{args.updates} updates per column kind, one backend, synchronous_commit off"
    )
    with fresh_schema(args.postgres) as connection:
        results = [measure(connection, kind, states, args.updates) for kind in KINDS]
    base = results[0]
    print(f"{'column':<28}{'CPU/update ms':>14}{'ratio':>8}{'wall ms':>10}{'ratio':>8}{'bytes':>8}")
    for result in results:
        print(
            f"{result.name:<28}{result.cpu_ms:>14.3f}{result.cpu_ms / base.cpu_ms:>7.2f}x"
            f"{result.wall_ms:>10.3f}{result.wall_ms / base.wall_ms:>7.2f}x"
            f"{result.stored_bytes:>8}"
        )


if __name__ == "__main__":
    main()
