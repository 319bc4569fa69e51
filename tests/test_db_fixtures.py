"""The migrated database every storage test starts from (``db_url``, conftest.py) is the
one a fresh run of the migrations makes, on SQLite and on PostgreSQL, though it is a copy
of what they made once per worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from storage.engines import make_engine, sqlite_url_for_dir
from storage.migrate import current_revision, head_revision, upgrade
from tests.postgres_schemas import fresh_schema


def as_text(value: object) -> str:
    # Index predicates come back as SQL expression objects, whose repr holds an address.
    return json.dumps(value, default=str, sort_keys=True)


def describe(engine: Engine) -> dict[str, Any]:
    """Everything about the schema a test could notice: tables, columns with types,
    defaults and nullability, keys, indexes and constraints, the revision, and on
    PostgreSQL each column's compression."""
    inspector = inspect(engine)
    tables: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        tables[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in inspector.get_columns(table)
            ],
            "primary key": inspector.get_pk_constraint(table),
            "foreign keys": sorted(map(as_text, inspector.get_foreign_keys(table))),
            "indexes": sorted(map(as_text, inspector.get_indexes(table))),
            "unique": sorted(map(as_text, inspector.get_unique_constraints(table))),
            "checks": sorted(map(as_text, inspector.get_check_constraints(table))),
        }
    described: dict[str, Any] = {"tables": tables, "revision": current_revision(engine)}
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            described["compression"] = sorted(
                connection.execute(
                    text(
                        "SELECT c.relname, a.attname, a.attcompression FROM pg_attribute a"
                        " JOIN pg_class c ON c.oid = a.attrelid"
                        " WHERE c.relnamespace = current_schema()::regnamespace"
                        " AND a.attnum > 0 AND NOT a.attisdropped"
                    )
                ).all()
            )
    return described


@contextmanager
def freshly_migrated(db_engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """A second database of the same kind, migrated by a real run of the migrations."""
    if db_engine.dialect.name == "sqlite":
        url = sqlite_url_for_dir(tmp_path / "fresh")
        upgrade(url)
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    with fresh_schema(db_engine.url.render_as_string(hide_password=False)) as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def test_the_copied_schema_is_the_one_the_migrations_make(
    db_engine: Engine, tmp_path: Path
) -> None:
    copied = describe(db_engine)
    assert copied["revision"] == head_revision()
    assert {"campaigns", "interviews", "messages"} <= set(copied["tables"])
    with freshly_migrated(db_engine, tmp_path) as fresh:
        assert copied == describe(fresh)


@pytest.mark.parametrize("round_", [1, 2])
def test_what_a_test_writes_stays_in_its_database(db_engine: Engine, round_: int) -> None:
    # Both rounds start from copies of one worker's template: neither sees the other's row.
    with db_engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM campaigns")).scalar() == 0
        connection.execute(
            text(
                "INSERT INTO campaigns (slug, name, guide_name, guide_version,"
                " guide_source, consent_text, open_link, created_at) VALUES"
                " (:slug, 'C', 'g', '1', 'builtin', 'ok?', false, CURRENT_TIMESTAMP)"
            ),
            {"slug": f"round-{round_}"},
        )
