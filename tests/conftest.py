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

The real migrations run once per worker and database, not once per test (a third of a
second each, a good part of the suite's time): each test's database gets a copy of what
they made. ``tests/test_db_fixtures.py`` checks that the copy is the schema a fresh
migration makes; tests of the migrations themselves start from ``blank_db_url``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from storage.engines import (
    DatabaseUnavailable,
    make_engine,
    make_session_factory,
    sqlite_url_for_dir,
)
from storage.migrate import upgrade
from tests.postgres_schemas import fresh_schema

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.browser_support import Watched, WebServer

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
    with fresh_schema(postgres_server_url) as url:
        yield url


@pytest.fixture(params=DATABASES)
def blank_db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of an empty, never-migrated database: SQLite file or fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return sqlite_url_for_dir(tmp_path_factory.mktemp("data"))
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


Statements = list[tuple[str, Any]]


@pytest.fixture(scope="session")
def sqlite_migrated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file the migrations brought to the newest revision, once per worker."""
    url = sqlite_url_for_dir(tmp_path_factory.mktemp("migrated"))
    upgrade(url)  # disposes its engine: the WAL is checkpointed into the file
    path = Path(make_url(url).database or "")
    assert not path.with_name(path.name + "-wal").exists(), "copy would miss the WAL"
    return path


@pytest.fixture(scope="session")
def postgres_migration(postgres_server_url: str) -> Statements:
    """The statements (and parameters) the migrations run on a blank PostgreSQL schema,
    recorded once per worker in a schema of their own, dropped afterwards."""
    recorded: Statements = []

    def record(*args: Any) -> None:
        _connection, _cursor, statement, parameters, _context, _many = args
        recorded.append((statement, parameters))

    with fresh_schema(postgres_server_url) as url:
        engine = make_engine(url)
        event.listen(engine, "before_cursor_execute", record)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
    return recorded


def replay(url: str, statements: Statements) -> None:
    """Run recorded statements in one transaction on ``url`` (its schema, by search_path)."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for statement, parameters in statements:
                if parameters:
                    connection.exec_driver_sql(statement, parameters)
                else:  # as executed: no parameters, so a % is literal
                    connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.fixture
def db_url(blank_db_url: str, request: pytest.FixtureRequest) -> str:
    """URL of a database at the newest revision (parametrised: SQLite, PostgreSQL): a copy
    of the worker's migrated SQLite file, or the migrations' statements replayed in the
    test's PostgreSQL schema."""
    target = make_url(blank_db_url)
    if target.get_backend_name() == "sqlite":
        migrated: Path = request.getfixturevalue("sqlite_migrated_file")
        shutil.copyfile(migrated, target.database or "")
    else:
        replay(blank_db_url, request.getfixturevalue("postgres_migration"))
    return blank_db_url


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    """An engine on the migrated test database, disposed after the test. SQLite with
    ``synchronous=NORMAL``: no test simulates a power loss, and a flush per commit would
    only slow the suite (and take turns off the event loop, see
    ``tests/test_turn_store.py``, which checks the FULL default on its own)."""
    engine = make_engine(db_url, sqlite_synchronous="normal")
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(db_engine: Engine) -> sessionmaker[Session]:
    """The production session factory on the migrated test database."""
    return make_session_factory(db_engine)


# --- real Chromium (the browser tests) ---------------------------------------------
# Each browser test module starts its own `server` (tests.browser_support.run_server);
# these two fixtures are the same in all of them. playwright is imported only when a
# browser test asks for them.


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per test module."""
    from tests.browser_support import open_chromium

    yield from open_chromium()


@pytest.fixture(params=["laptop", "phone"])
def watched(
    request: pytest.FixtureRequest, browser: Browser, server: WebServer
) -> Iterator[Watched]:
    """A console page of the module's server, at laptop and at phone width, watched for
    CSP violations and console errors."""
    from tests.browser_support import LAPTOP, PHONE, watch_console_page

    seen = watch_console_page(browser, server, LAPTOP if request.param == "laptop" else PHONE)
    yield seen
    seen.page.context.close()
