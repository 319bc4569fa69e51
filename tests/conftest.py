"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and sessions on it.

Use ``session_factory`` in any test that needs storage; it is parametrised, so the test
runs once per database::

    def test_something(session_factory: sessionmaker[Session]) -> None:
        with session_factory.begin() as session:  # commits at the end of the block
            ...

PostgreSQL comes from ``JOURNEYLINE_TEST_POSTGRES_URL`` (default: the local server).
Each PostgreSQL test gets a fresh schema, selected through the connection's
search_path, so tests can run in parallel (pytest-xdist); each SQLite test gets a file
in its own ``tmp_path``. An unreachable PostgreSQL skips its tests, except under
``CI=true``, where it fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from storage.engines import (
    DatabaseUnavailable,
    make_engine,
    make_session_factory,
    sqlite_url_for_dir,
)
from storage.migrate import upgrade

POSTGRES_URL_ENV = "JOURNEYLINE_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def running_in_ci() -> bool:
    """True when the CI environment variable says so (then PostgreSQL is mandatory)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The PostgreSQL server URL for tests, checked once per worker; skips if unreachable."""
    url = os.environ.get(POSTGRES_URL_ENV) or DEFAULT_POSTGRES_URL
    try:
        make_engine(url).dispose()
    except DatabaseUnavailable as exc:
        message = (
            f"PostgreSQL is not reachable at {exc.url} ({exc.reason}); start it or point "
            f"{POSTGRES_URL_ENV} at a server"
        )
        if running_in_ci():
            pytest.fail(f"{message} (CI=true: PostgreSQL tests must run)")
        pytest.skip(message)
    return url


@pytest.fixture
def postgres_schema_url(postgres_server_url: str) -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema, dropped after the test."""
    schema = f"t_{uuid.uuid4().hex}"
    admin = make_engine(postgres_server_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(postgres_server_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        yield url.render_as_string(hide_password=False)
        with admin.begin() as connection:
            # A connection the test leaked would block the DROP forever; fail loudly instead.
            connection.execute(text("SET LOCAL lock_timeout = '20s'"))
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture(params=DATABASES)
def blank_db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of an empty, never-migrated database: SQLite file or fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return sqlite_url_for_dir(tmp_path_factory.mktemp("data"))
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def db_url(blank_db_url: str) -> str:
    """URL of a database migrated to the newest revision (parametrised: SQLite, PostgreSQL)."""
    upgrade(blank_db_url)
    return blank_db_url


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    """An engine on the migrated test database, disposed after the test."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(db_engine: Engine) -> sessionmaker[Session]:
    """The production session factory on the migrated test database."""
    return make_session_factory(db_engine)
