"""A real server process stopped right after acking, by SIGTERM or SIGKILL: nothing acked
is lost.

The Slack endpoint runs in a process of its own (``bench.slack_ack.server``, the app of
``journeyline serve`` with slowed turns), on SQLite and on PostgreSQL. It acks a burst of
messages, each stored before its ack, and is stopped while their turns are queued or
running. SIGTERM drains: the running turns finish and what was queued is released, so
the next process runs it at once. After SIGKILL the next process re-drives what the dead
one held once its holds lapse. Either way each acked message is then answered exactly
once: stored once, its delivery done, every stored reply posted to Slack once.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.service.campaigns import create_campaign
from bot.service.interviews import InterviewService
from bot.slack.bolt_app import create_slack_bot
from bot.slack.web_client import make_client
from fakes.deadlines import scaled
from fakes.slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    dm_event,
    event_callback,
    new_event_id,
    signed_headers,
)
from storage.models import Interview, Message, Participant, SlackEvent

pytestmark = pytest.mark.slow

CAMPAIGN = "bench"
USERS = ("U1", "U2", "U3")
ANSWERS = ("yes", "My bill was wrong", "I called them", "angry")
# Seconds per turn: after SIGKILL anything is left undone; SIGTERM lets queued work run
# for the shutdown's grace (10 s), so each customer's turns must take longer than that.
TURN_SECONDS = {signal.SIGKILL: 0.5, signal.SIGTERM: 3.5}


@pytest.fixture(params=[signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill-9"])
def stop(request: pytest.FixtureRequest) -> signal.Signals:
    return signal.Signals(request.param)


@pytest.fixture
def server_port(
    db_url: str, tmp_path: Path, fake: FakeSlack, stop: signal.Signals
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "bench.slack_ack.server", "--database", db_url,
            "--slack-api", fake.url, "--port", str(port), "--data-dir", str(tmp_path),
            "--turn-seconds", str(TURN_SECONDS[stop]), "--campaign", CAMPAIGN,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + scaled(60)
        while True:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield port, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        log.close()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


def test_acked_work_survives_the_process_and_is_answered_once(
    stop: signal.Signals,
    session_factory: sessionmaker[Session],
    fake: FakeSlack,
    server_port: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, process = server_port
    with session_factory.begin() as session:
        create_campaign(session, slug=CAMPAIGN, name="Bench", open_link=True)
    url = f"http://127.0.0.1:{port}/slack/events"
    acked: list[str] = []
    with httpx.Client(timeout=3) as client:
        for text in ("hi", *ANSWERS):
            for user in USERS:
                event_id = new_event_id()
                body = event_callback(dm_event(text, user=user), event_id=event_id)
                headers = {"content-type": "application/json", **signed_headers(body)}
                assert client.post(url, content=body, headers=headers).status_code == 200
                acked.append(event_id)
    process.send_signal(stop)  # the turns are queued or running
    assert process.wait(scaled(60)) is not None

    stored = _keys(session_factory)
    assert {f"event:T0TEAM:{event_id}" for event_id in acked} <= stored
    assert _undone(session_factory) > 0  # work left undone, but not its claim
    if stop == signal.SIGTERM:
        assert _held(session_factory) == 0  # drained: nothing left held

    # The next process. After SIGKILL the dead one's holds are treated as lapsed (lease
    # 0); after SIGTERM there are none, and the usual lease changes nothing.
    service = InterviewService(session_factory)
    lease = timedelta(0) if stop == signal.SIGKILL else timedelta(minutes=10)
    bot = create_slack_bot(
        client=make_client(token=BOT_TOKEN, base_url=fake.url),
        signing_secret=SIGNING_SECRET,
        service=service,
        default_campaign=CAMPAIGN,
        lease=lease,
    )
    try:
        bot.start()
        deadline = time.monotonic() + scaled(60)
        while _undone(session_factory):
            assert time.monotonic() < deadline, "the acked work was not re-driven"
            bot.deliveries.redrive()
            assert bot.executor.join(scaled(30))
    finally:
        bot.close(timeout=5)
    with session_factory() as session:
        for user in USERS:
            inbound = session.scalars(
                select(Message.text)
                .join(Interview, Interview.id == Message.interview_id)
                .join(Participant, Participant.id == Interview.participant_id)
                .where(Participant.slack_user_id == user, Message.direction == "in")
                .order_by(Message.id)
            ).all()
            # The opening "hi", then each answer once, in order.
            assert [text for text in inbound if text] == ["hi", *ANSWERS]
        stored_out = Counter(
            {
                str(user): int(count)
                for user, count in session.execute(
                    select(Participant.slack_user_id, func.count(Message.id))
                    .join(Interview, Interview.participant_id == Participant.id)
                    .join(Message, Message.interview_id == Interview.id)
                    .where(Message.direction == "out")
                    .group_by(Participant.slack_user_id)
                )
            }
        )
    posted = Counter(str(post["channel"])[1:] for post in fake.posted())
    assert posted == stored_out  # every stored reply reached Slack exactly once


def _keys(sessions: sessionmaker[Session]) -> set[str]:
    with sessions() as session:
        return set(session.scalars(select(SlackEvent.key)))


def _held(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        count = session.scalar(
            select(func.count())
            .select_from(SlackEvent)
            .where(SlackEvent.done_at.is_(None), SlackEvent.picked_at.is_not(None))
        )
        return int(count or 0)


def _undone(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        count = session.scalar(
            select(func.count()).select_from(SlackEvent).where(SlackEvent.done_at.is_(None))
        )
        return int(count or 0)
