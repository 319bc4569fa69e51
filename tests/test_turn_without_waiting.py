"""Turns that must not wait (`InterviewService.handle_message_now`, the web's event loop).

On SQLite a turn that can write at once runs right away; one that would have to wait for
another writer (another process's connection, another thread of this process) stores
nothing and says so, and the caller's waiting path then answers it exactly once. On
PostgreSQL, and with a language model, turns are never run that way.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation import engine as engine_module
from bot.conversation.engine import EngineResult
from bot.conversation.guide import Guide
from bot.conversation.messages import Inbound
from bot.conversation.state import InterviewState
from bot.service.campaigns import create_campaign
from bot.service.errors import TurnBusy
from bot.service.interviews import InterviewService
from bot.service.links import Links
from bot.service.results import TurnResult
from journeyline.runtime import open_runtime
from journeyline.settings import Settings
from journeyline.web.app import create_app
from storage.engines import (
    make_engine,
    make_read_session_factory,
    make_session_factory,
    sqlite_url_for_dir,
)
from storage.migrate import upgrade
from storage.models import Message

CAMPAIGN = "no-wait"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = sqlite_url_for_dir(tmp_path)
    upgrade(url)
    return url


def _sessions_on(url: str) -> Iterator[sessionmaker[Session]]:
    # NORMAL: the mode in which SQLite turns run on the event loop (with FULL every
    # commit waits for the disk, so turns run in threads; see tests/test_turn_store.py).
    engine = make_engine(url, sqlite_synchronous="normal")
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        create_campaign(session, slug=CAMPAIGN, name="No wait", open_link=True)
    yield sessions
    engine.dispose()


@pytest.fixture
def sessions(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    """A SQLite database: the one where turns can run without waiting."""
    yield from _sessions_on(sqlite_url)


@pytest.fixture
def postgres_sessions(postgres_schema_url: str) -> Iterator[sessionmaker[Session]]:
    upgrade(postgres_schema_url)
    yield from _sessions_on(postgres_schema_url)


def _messages(sessions: sessionmaker[Session]) -> int:
    # A read-only transaction: it must not queue for the write lock the test holds.
    bind = sessions.kw["bind"]
    with make_read_session_factory(bind)() as session:
        return session.scalar(select(func.count()).select_from(Message)) or 0


def _sqlite_file(sessions: sessionmaker[Session]) -> str:
    path: str | None = sessions.kw["bind"].url.database
    assert path is not None
    return path


@contextmanager
def _another_writer(path: str) -> Iterator[None]:
    """Another process's connection holding SQLite's write lock."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_free_database_answers_at_once(sessions: sessionmaker[Session]) -> None:
    service = InterviewService(sessions)
    assert service.answers_without_waiting
    started = service.start_anonymous(
        campaign_slug=CAMPAIGN, channel="web", access_token_hash=None, wait=False
    )
    result = service.handle_message_now(
        interview_id=started.interview_id, choice="yes", channel_message_id="m1"
    )
    assert result is not None
    assert not result.duplicate
    again = service.handle_message_now(
        interview_id=started.interview_id, choice="yes", channel_message_id="m1"
    )
    assert again is not None
    assert again.duplicate
    assert again.replies == result.replies


def test_another_process_writing_means_nothing_is_done_until_the_waiting_path(
    sessions: sessionmaker[Session],
) -> None:
    path = _sqlite_file(sessions)
    service = InterviewService(sessions)
    started = service.start_anonymous(campaign_slug=CAMPAIGN, channel="web", access_token_hash=None)
    before = _messages(sessions)
    with _another_writer(path):
        asked = time.monotonic()
        result = service.handle_message_now(
            interview_id=started.interview_id, choice="yes", channel_message_id="m1"
        )
        assert result is None
        # At once: not after the busy timeout (SQLITE_BUSY_TIMEOUT_MS, 5 s).
        assert time.monotonic() - asked < 1.0
        with pytest.raises(TurnBusy):
            service.start_anonymous(
                campaign_slug=CAMPAIGN, channel="web", access_token_hash=None, wait=False
            )
    assert _messages(sessions) == before
    # The waiting path then stores the message once, and the busy timeout is back: a
    # writer that holds the lock for a moment is waited for, not failed.
    answered: list[TurnResult] = []
    with _another_writer(path):
        waiting = threading.Thread(
            target=lambda: answered.append(
                service.handle_message(
                    interview_id=started.interview_id, choice="yes", channel_message_id="m1"
                )
            )
        )
        waiting.start()
        waiting.join(0.3)
        assert waiting.is_alive()  # waiting for the other writer
    waiting.join(10)
    assert [result.duplicate for result in answered] == [False]
    assert _messages(sessions) == before + 1 + len(answered[0].replies)


def test_a_slow_turn_of_another_thread_holds_no_lock(sessions: sessionmaker[Session]) -> None:
    """A turn computes before it writes: while one customer's turn is slow (a model, a
    busy machine), another customer's turn is stored at once, without waiting."""
    inside, leave = threading.Event(), threading.Event()

    def slow_engine(state: InterviewState, inbound: Inbound, guide: Guide) -> EngineResult:
        if inbound.choice == "slow":
            inside.set()
            leave.wait(10)
        return engine_module.handle(state, inbound, guide)

    service = InterviewService(sessions, handler=slow_engine)
    first = service.start_anonymous(campaign_slug=CAMPAIGN, channel="web", access_token_hash=None)
    second = service.start_anonymous(campaign_slug=CAMPAIGN, channel="web", access_token_hash=None)
    slow_result: list[TurnResult] = []
    busy = threading.Thread(
        target=lambda: slow_result.append(
            service.handle_message(
                interview_id=first.interview_id, choice="slow", channel_message_id="a"
            )
        )
    )
    busy.start()
    try:
        assert inside.wait(10)
        before = _messages(sessions)
        asked = time.monotonic()
        result = service.handle_message_now(
            interview_id=second.interview_id, choice="yes", channel_message_id="b"
        )
        assert result is not None and not result.duplicate
        assert time.monotonic() - asked < 1.0
        assert _messages(sessions) == before + 1 + len(result.replies)
    finally:
        leave.set()
        busy.join(10)
    assert len(slow_result) == 1 and not slow_result[0].duplicate


@pytest.mark.postgres
def test_postgresql_turns_always_wait(postgres_sessions: sessionmaker[Session]) -> None:
    sessions = postgres_sessions
    service = InterviewService(sessions)
    started = service.start_interview(campaign_slug=CAMPAIGN, channel="web")
    assert not service.answers_without_waiting
    assert (
        service.handle_message_now(
            interview_id=started.interview_id, choice="yes", channel_message_id="m1"
        )
        is None
    )
    assert service.handle_message(
        interview_id=started.interview_id, choice="yes", channel_message_id="m1"
    ).replies


def test_the_web_loop_keeps_serving_while_a_turn_waits_for_the_database(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message post that finds the database busy waits in a thread: meanwhile the same
    event loop answers other requests; then the post is answered, stored once."""
    runtime = open_runtime(
        Settings(database_url=sqlite_url, rate_limit_per_client=0, data_dir=tmp_path),
        migrate=False,
    )
    try:
        path = _sqlite_file(runtime.sessions)
        with runtime.sessions.begin() as session:
            create_campaign(session, slug=CAMPAIGN, name="No wait", open_link=True)
        token = Links(runtime.sessions, runtime.service).create_invite(
            campaign_slug=CAMPAIGN, participant_external_id="p1"
        )
        waiting = threading.Event()  # the post reached the waiting path, in a thread
        handle_message = runtime.service.handle_message

        def handle_waiting(**kwargs: Any) -> TurnResult:
            waiting.set()
            return handle_message(**kwargs)

        monkeypatch.setattr(runtime.service, "handle_message", handle_waiting)
        app = create_app(runtime)
        asyncio.run(_post_while_busy(app, path, token, runtime.sessions, waiting))
    finally:
        runtime.close()


async def _post_while_busy(
    app: object, path: str, invite: str, sessions: sessionmaker[Session], waiting: threading.Event
) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        opened = (await client.post("/api/v1/interviews", json={"invite_token": invite})).json()
        before = _messages(sessions)
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        post = asyncio.create_task(
            client.post(
                f"/api/v1/interviews/{opened['interview_id']}/messages",
                json={"choice": "yes", "client_message_id": "c1"},
                headers={"Authorization": f"Bearer {opened['token']}"},
            )
        )
        assert await asyncio.to_thread(waiting.wait, 5), "the post never waited in a thread"
        assert not post.done()  # waiting for the other writer
        health = await asyncio.wait_for(client.get("/healthz"), 5)
        assert health.status_code == 200  # the loop was free meanwhile
        assert not post.done()
        writer.execute("ROLLBACK")
        writer.close()
        answered = await asyncio.wait_for(post, 10)
        assert answered.status_code == 200
        assert answered.json()["duplicate"] is False
    assert _messages(sessions) == before + 1 + len(answered.json()["replies"])
