"""Wiring: settings -> database engine -> session factory -> interview service.

The composition root builds these once per command (or per server process) and passes
them down; nothing below `journeyline/` reads settings or environment variables.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.service.interviews import InterviewService
from bot.service.limits import InterviewCaps, StartLimits
from bot.service.listener import Listener
from journeyline.settings import Settings
from storage.engines import make_engine, make_read_session_factory, make_session_factory, masked_url
from storage.migrate import current_revision, head_revision, upgrade
from storage.turn_store import open_turn_store


class SchemaOutdated(RuntimeError):
    def __init__(self, url: str, current: str | None, head: str | None) -> None:
        super().__init__(
            f"the database at {url} is at revision {current or 'none'}, this version needs "
            f"{head}. Run `journeyline db upgrade` first."
        )


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    service: InterviewService

    def close(self) -> None:
        self.engine.dispose()


def open_runtime(settings: Settings, *, migrate: bool | None = None) -> Runtime:
    """Connect to the configured database and check (or bring) its schema up to date.

    `migrate=None` means: migrate the embedded SQLite database automatically (nobody
    else shares it), but only check a server database, whose upgrades an operator runs
    deliberately with `journeyline db upgrade`.
    """
    url = settings.resolved_database_url()
    engine = make_engine(url, sqlite_synchronous=settings.sqlite_synchronous)
    if migrate is None:
        migrate = make_url(url).get_backend_name() == "sqlite"
    if migrate:
        upgrade(engine)
    else:
        current, head = current_revision(engine), head_revision()
        if current != head:
            engine.dispose()
            raise SchemaOutdated(masked_url(url), current, head)
    sessions = make_session_factory(engine)
    service = make_service(settings, sessions=sessions, engine=engine)
    return Runtime(settings=settings, engine=engine, sessions=sessions, service=service)


def make_service(
    settings: Settings, *, sessions: sessionmaker[Session], engine: Engine
) -> InterviewService:
    """The interview service: offline, or with a model listening when one is configured."""
    read_sessions = make_read_session_factory(engine)
    # As many PostgreSQL connections for turns as threads that run them.
    store = open_turn_store(engine, connections=settings.web_threads)
    listener: Listener | None = None
    if settings.llm_enabled:
        # Imported only when used: the offline path needs none of the model packages.
        from bot.llm.interviewer import Interviewer
        from bot.llm.model_listener import ModelListener
        from journeyline.llm_wiring import structured_caller

        listener = ModelListener(
            sessions,
            interviewer=Interviewer(structured_caller(settings)),
            max_usd_per_interview=settings.llm_max_usd_per_interview,
            turn_budget_seconds=settings.llm_timeout_seconds * 2,
            read_sessions=read_sessions,
        )
    return InterviewService(
        sessions,
        store=store,
        read_sessions=read_sessions,
        listener=listener,
        max_message_chars=settings.max_message_chars,
        start_limits=StartLimits(
            per_client=settings.open_starts_per_client_per_hour,
            per_campaign=settings.open_starts_per_campaign_per_hour,
            overall=settings.open_starts_per_hour,
        ),
        caps=InterviewCaps(
            messages=settings.max_messages_per_interview, chars=settings.max_chars_per_interview
        ),
    )
