"""One settings object for the whole application, read from `JOURNEYLINE_*` variables.

Built by `load_settings()` when a command runs, never at import time, so tests and tools
can set the environment first. Every setting is documented in README.md (a test checks).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import sqlite_url_for_dir


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="JOURNEYLINE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        default=Path("journeyline-data"),
        description="Folder for the embedded SQLite database and exports.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database, e.g. "
            "postgresql+psycopg://user@host:5432/journeyline. Empty: SQLite in data_dir."
        ),
    )
    max_message_chars: int = Field(
        default=4000,
        ge=100,
        le=100_000,
        description="Longest customer message taken as an answer (longer ones are kept, "
        "and the customer is asked for a shorter version).",
    )
    default_guide: str = Field(
        default="support_journey",
        description="Interview guide for new campaigns: a built-in name or a YAML path.",
    )

    def resolved_database_url(self) -> str:
        return self.database_url or sqlite_url_for_dir(self.data_dir)


def load_settings() -> Settings:
    return Settings()
