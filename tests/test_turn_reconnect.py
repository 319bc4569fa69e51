"""A turn on PostgreSQL survives the server dropping its connection (a restart, a
failover, an idle-connection reaper): the turn store checks no connection before use
(`storage.turn_store.postgresql`), so the first statement on a dead one fails; the pool
is emptied and the service runs the turn once more on a fresh connection. The customer gets
the real answer, not the apology, and the message is stored once."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.service.campaigns import create_campaign
from bot.service.interviews import InterviewService
from bot.service.turns import ERROR_REPLY
from storage.engines import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Message
from storage.turn_store.postgresql import PostgresTurnStore


@pytest.fixture
def sessions(postgres_schema_url: str) -> Iterator[sessionmaker[Session]]:
    upgrade(postgres_schema_url)
    engine = make_engine(postgres_schema_url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        create_campaign(session, slug="reconnect", name="Reconnect", open_link=True)
    yield factory
    engine.dispose()


def _backend_pid(engine: Engine) -> int:
    """The server process behind the turn engine's one pooled connection (the turns so
    far ran one after the other, so they all used it)."""
    with engine.connect() as connection:
        pid: int = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        return pid


def test_a_turn_runs_again_on_a_fresh_connection_when_the_server_dropped_it(
    sessions: sessionmaker[Session],
    postgres_server_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = InterviewService(sessions)
    started = service.start_anonymous(
        campaign_slug="reconnect", channel="web", access_token_hash=None
    )
    first = service.handle_message(
        interview_id=started.interview_id, choice="yes", channel_message_id="web:1"
    )
    assert ERROR_REPLY not in [reply.text for reply in first.replies]
    admin = make_engine(postgres_server_url)
    try:
        with admin.connect() as connection:
            store = service.store
            assert isinstance(store, PostgresTurnStore)
            pid = _backend_pid(store.engine)
            assert connection.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
    finally:
        admin.dispose()

    with caplog.at_level(logging.WARNING, logger="bot.service.turns"):
        second = service.handle_message(
            interview_id=started.interview_id,
            text="I chatted with support about a late parcel",
            channel_message_id="web:2",
        )
    assert ERROR_REPLY not in [reply.text for reply in second.replies]
    assert not second.duplicate
    assert "running it again" in caplog.text
    with sessions() as session:
        inbound = session.execute(
            select(Message.text, Message.choice)
            .where(Message.direction == "in")
            .order_by(Message.id)
        ).all()
        assert [tuple(row) for row in inbound] == [
            ("", "yes"),
            ("I chatted with support about a late parcel", None),
        ]
        # The bot's replies were stored with them.
        assert (session.scalar(select(func.count()).select_from(Message)) or 0) > len(inbound)
    assert "late parcel" not in caplog.text  # customer text stays out of the log
