"""Run the Alembic migrations programmatically, from any working directory.

The scripts are located through this package's own path, so this works from a source
checkout and from an installed wheel alike.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError

from storage.engines import make_engine, unavailable

_PACKAGE_DIR = Path(__file__).resolve().parent


def alembic_config() -> Config:
    """An Alembic ``Config`` pointing at ``storage/migrations``, independent of the cwd."""
    config = Config(str(_PACKAGE_DIR / "alembic.ini"))
    # Config values go through configparser interpolation: a literal % must be doubled.
    config.set_main_option("script_location", str(_PACKAGE_DIR / "migrations").replace("%", "%%"))
    return config


def upgrade(engine_or_url: Engine | str | URL, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the newest) in one transaction.

    Takes an engine, or a URL for which a temporary engine is created and disposed.
    The migration runs on a connection of that engine, so per-connection settings such
    as a PostgreSQL ``search_path`` decide which schema is migrated. Raises
    :class:`storage.engines.DatabaseUnavailable` if the database cannot be reached.
    """
    if isinstance(engine_or_url, Engine):
        _upgrade(engine_or_url, revision)
        return
    engine = make_engine(engine_or_url)
    try:
        _upgrade(engine, revision)
    finally:
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` if it was never migrated."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise unavailable(engine.url, exc) from exc


def head_revision() -> str | None:
    """The newest revision the code ships (what ``upgrade()`` migrates to)."""

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _upgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    try:
        connection = engine.connect()
    except (OperationalError, DBAPIError) as exc:
        raise unavailable(engine.url, exc) from exc
    with connection, connection.begin():
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
