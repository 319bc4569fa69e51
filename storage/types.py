"""Column types shared by the models: UTC-aware datetimes and portable JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (the default for every timestamp column)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is stored in UTC and always comes back timezone-aware.

    PostgreSQL keeps the offset (``timestamptz``) but SQLite silently drops tzinfo, so
    values are normalised to UTC on the way in and re-labelled as UTC on the way out.
    Naive datetimes are rejected: their meaning depends on the machine's clock setting,
    which is exactly the bug this type exists to prevent.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime (e.g. UTC)")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # SQLite's DATETIME storage format has no offset; store UTC wall-clock time.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def json_type() -> TypeEngine[Any]:
    """JSON everywhere, stored as JSONB on PostgreSQL (indexable, compact, no duplicate keys)."""
    return JSON().with_variant(JSONB(), "postgresql")


def document_json_type() -> TypeEngine[Any]:
    """JSON stored as checked text everywhere (``json``, not ``JSONB``, on PostgreSQL).

    For a document that is always written and read whole and never queried inside, such
    as the engine state a chat turn rewrites: PostgreSQL then only checks the text
    instead of converting it to JSONB's binary form on every write (``bench.state_column``
    measures the difference).
    """
    return JSON()


def big_id_type() -> TypeEngine[int]:
    """A 64-bit id that still autoincrements on SQLite (only ``INTEGER PRIMARY KEY`` does)."""
    return BigInteger().with_variant(Integer(), "sqlite")
