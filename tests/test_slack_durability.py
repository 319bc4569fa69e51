"""Work acked to Slack is never lost: claimed with its work item before the ack, done
after it, retried on failure, and re-driven by the next process after a crash (SQLite
and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from slack_bolt import BoltRequest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.vocabulary import Slot
from bot.service.campaigns import create_campaign
from bot.service.turns import InterviewService
from bot.slack.bolt_app import SlackBot, create_slack_bot
from bot.slack.outbox import WorkItem
from bot.slack.web_client import make_client
from fakes.slack import (
    BOT_TOKEN,
    CAMPAIGN,
    SIGNING_SECRET,
    TEAM,
    FakeSlack,
    block_actions,
    dm_event,
    event_callback,
    new_event_id,
    signed_headers,
    with_users,
)
from storage import queries
from storage.models import SlackEvent

FAST_RETRIES = (0.01, 0.02, 0.04)


@dataclass
class Harness:
    """Bots built straight from `create_slack_bot` (each one a server process) on one
    database and one fake Slack."""

    fake: FakeSlack
    sessions: sessionmaker[Session]
    bots: list[SlackBot] = field(default_factory=list)

    def bot(self, **options: Any) -> SlackBot:
        options.setdefault("retry_delays", FAST_RETRIES)
        bot = create_slack_bot(
            client=make_client(token=BOT_TOKEN, base_url=self.fake.url),
            signing_secret=SIGNING_SECRET,
            sessions=self.sessions,
            service=InterviewService(self.sessions),
            default_campaign=CAMPAIGN,
            **options,
        )
        self.bots.append(bot)
        return bot

    def consented(self, bot: SlackBot, user: str = "U1") -> None:
        """Start the user's interview and agree to the consent question."""
        assert say(bot, "hi", user=user) == 200
        settle(bot)
        consent = self.fake.posted()[-1]
        assert click(bot, consent, "yes", user=user) == 200
        settle(bot)
        assert self.pending_slot(user) == Slot.PROBLEM

    def inbound_texts(self, user: str = "U1") -> list[str]:
        with self.sessions() as session:
            interview = queries.find_open_slack_interview(
                session, team_id=TEAM, user_id=user, finished_statuses=()
            )
            assert interview is not None
            return [m.text for m in interview.messages if m.direction == "in"]

    def pending_slot(self, user: str = "U1") -> str | None:
        with self.sessions() as session:
            interview = queries.find_open_slack_interview(
                session, team_id=TEAM, user_id=user, finished_statuses=()
            )
            assert interview is not None
            public_id = interview.public_id
        replies = InterviewService(self.sessions).pending(public_id).replies
        return replies[-1].slot if replies else None

    def rows(self) -> list[SlackEvent]:
        with self.sessions() as session:
            return list(session.scalars(select(SlackEvent).order_by(SlackEvent.id)))


@pytest.fixture
def harness(session_factory: sessionmaker[Session]) -> Iterator[Harness]:
    with session_factory.begin() as session:
        create_campaign(session, slug=CAMPAIGN, name="Acme support", open_link=True)
    with FakeSlack() as fake:
        harness = Harness(with_users(fake), session_factory)
        try:
            yield harness
        finally:
            for bot in harness.bots:
                bot.close(timeout=5)


def deliver(bot: SlackBot, body: str, *, content_type: str = "application/json") -> int:
    headers: dict[str, str | Sequence[str]] = {
        "content-type": content_type,
        **signed_headers(body),
    }
    return bot.app.dispatch(BoltRequest(body=body, headers=headers)).status


def say(bot: SlackBot, text: str, *, user: str = "U1", event_id: str | None = None) -> int:
    body = event_callback(dm_event(text, user=user), event_id=event_id or new_event_id())
    return deliver(bot, body)


def click(bot: SlackBot, message: dict[str, Any], value: str, *, user: str = "U1") -> int:
    body = block_actions(user=user, message=message, value=value)
    return deliver(bot, body, content_type="application/x-www-form-urlencoded")


def settle(bot: SlackBot) -> None:
    assert bot.executor.join(30), "Slack work did not finish"


def acked_then_crashed(bot: SlackBot, text: str, *, user: str = "U1") -> None:
    """Slack gets its ack for `text`, then the process dies before the work runs: the
    customer's queue is held by a task, the delivery queues behind it, and the executor
    is shut down without waiting (queued work dropped, as a killed process drops it)."""
    hold = threading.Event()

    def held() -> None:
        hold.wait(10)

    bot.executor.submit(f"{TEAM}:{user}", held)
    assert say(bot, text, user=user) == 200
    bot.executor.shutdown(wait=False)
    hold.set()
    bot.deliveries.stop()


def counting(
    bot: SlackBot, calls: list[WorkItem], monkeypatch: pytest.MonkeyPatch, *, delay: float = 0.0
) -> None:
    """Record every work item `bot` runs (after `delay` seconds, to widen races)."""
    handle = bot.interviews.handle

    def counted(item: WorkItem, *, event_id: int) -> None:
        calls.append(item)
        time.sleep(delay)
        handle(item, event_id=event_id)

    monkeypatch.setattr(bot.interviews, "handle", counted)


def test_work_acked_before_a_crash_is_done_by_the_next_process(harness: Harness) -> None:
    first = harness.bot()
    harness.consented(first)
    posts = len(harness.fake.posted())
    acked_then_crashed(first, "My bill was wrong")
    assert len(harness.fake.posted()) == posts  # nothing happened after the ack ...
    [*_, row] = harness.rows()
    assert row.done_at is None and row.attempts == 0  # ... but the work is stored
    assert row.payload is not None and row.payload["text"] == "My bill was wrong"
    assert row.payload["kind"] == "message" and row.payload["user"] == "U1"

    second = harness.bot(redrive_after=timedelta(0))
    second.start()  # re-drives at start-up
    settle(second)
    assert harness.inbound_texts().count("My bill was wrong") == 1
    assert len(harness.fake.posted()) == posts + 1  # the next question, once
    assert harness.pending_slot() == Slot.STEP
    [*_, row] = harness.rows()
    assert row.done_at is not None and row.attempts == 1

    third = harness.bot(redrive_after=timedelta(0))
    third.start()  # nothing left to do
    settle(third)
    assert len(harness.fake.posted()) == posts + 1
    assert harness.inbound_texts().count("My bill was wrong") == 1


def test_a_crash_before_the_opening_is_redone_as_a_start(harness: Harness) -> None:
    first = harness.bot()
    acked_then_crashed(first, "hi")
    second = harness.bot(redrive_after=timedelta(0))
    second.start()
    settle(second)
    assert len(harness.fake.posted()) == 2  # the introduction and the consent question
    assert harness.pending_slot() == Slot.CONSENT
    assert harness.inbound_texts() == []  # "hi" started it; it is not an answer


def test_young_work_is_left_to_its_process_until_the_grace_period_ends(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = harness.bot()
    harness.consented(first)
    acked_then_crashed(first, "My bill was wrong")
    second = harness.bot(redrive_every=0.05)  # the default 60 s grace
    queued: list[int] = []  # what each re-drive tick queued
    three_ticks = threading.Event()
    redrive = second.deliveries.redrive

    def counted() -> int:
        queued.append(redrive())
        if len(queued) >= 3:
            three_ticks.set()
        return queued[-1]

    monkeypatch.setattr(second.deliveries, "redrive", counted)
    second.start()
    assert three_ticks.wait(5), "the periodic re-drive did not tick"
    settle(second)
    assert set(queued) == {0}  # every tick so far ran, and left the young work alone
    assert "My bill was wrong" not in harness.inbound_texts()
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=2), tick=True):
        deadline = time.monotonic() + 5
        while "My bill was wrong" not in harness.inbound_texts():
            assert time.monotonic() < deadline, "the periodic re-drive did not run"
            time.sleep(0.02)
        settle(second)
    assert harness.inbound_texts().count("My bill was wrong") == 1
    assert harness.rows()[-1].done_at is not None


def test_a_delivery_failing_twice_with_a_database_error_is_done_once(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = harness.bot()
    harness.consented(bot)
    posts = len(harness.fake.posted())
    handle = bot.interviews.handle
    tries: list[str] = []

    def flaky(item: WorkItem, *, event_id: int) -> None:
        tries.append(item.key)
        if len(tries) <= 2:
            raise OperationalError("INSERT INTO messages ...", {}, Exception("database is locked"))
        handle(item, event_id=event_id)

    monkeypatch.setattr(bot.interviews, "handle", flaky)
    assert say(bot, "My bill was wrong") == 200
    settle(bot)
    assert len(tries) == 3
    assert harness.inbound_texts().count("My bill was wrong") == 1
    assert len(harness.fake.posted()) == posts + 1
    row = harness.rows()[-1]
    assert row.done_at is not None and row.attempts == 1  # one take, three tries


def test_replies_lost_after_the_turn_was_stored_are_posted_by_the_redo(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = harness.bot()
    harness.consented(bot)
    posts = len(harness.fake.posted())
    post = bot.interviews._post
    failures: list[str] = []

    def post_fails_once(*args: Any) -> None:
        if not failures:
            failures.append("chat.postMessage")
            raise ConnectionError("Slack is unreachable")
        post(*args)

    monkeypatch.setattr(bot.interviews, "_post", post_fails_once)
    assert say(bot, "My bill was wrong") == 200
    settle(bot)
    assert failures
    assert harness.inbound_texts().count("My bill was wrong") == 1
    assert len(harness.fake.posted()) == posts + 1  # posted by the second try, once
    assert harness.rows()[-1].done_at is not None


def test_a_delivery_failing_every_try_stays_undone_for_a_later_redrive(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = harness.bot()
    harness.consented(bot)

    def broken(item: WorkItem, *, event_id: int) -> None:
        raise OperationalError("SELECT ...", {}, Exception("database is locked"))

    handle = bot.interviews.handle
    monkeypatch.setattr(bot.interviews, "handle", broken)
    assert say(bot, "My bill was wrong") == 200
    settle(bot)
    row = harness.rows()[-1]
    assert row.done_at is None and row.picked_at is not None and row.attempts == 1
    monkeypatch.setattr(bot.interviews, "handle", handle)
    assert bot.deliveries.redrive() == 0  # held (leased) by the process that failed it
    later = datetime.now(UTC) + timedelta(minutes=10)
    with time_machine.travel(later, tick=True):  # the lease has run out
        assert bot.deliveries.redrive() == 1
        settle(bot)
    assert harness.inbound_texts().count("My bill was wrong") == 1
    assert harness.rows()[-1].done_at is not None


def test_two_processes_redriving_at_once_run_a_delivery_once(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = harness.bot()
    harness.consented(first)
    posts = len(harness.fake.posted())
    acked_then_crashed(first, "My bill was wrong")
    acked_then_crashed(harness.bot(), "I phoned them")
    calls: list[WorkItem] = []
    racers = [harness.bot(redrive_after=timedelta(0)) for _ in range(2)]
    for racer in racers:
        counting(racer, calls, monkeypatch, delay=0.1)
    barrier = threading.Barrier(len(racers))

    def start(bot: SlackBot) -> None:
        barrier.wait(5)
        bot.start()

    threads = [threading.Thread(target=start, args=(racer,)) for racer in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    for racer in racers:
        settle(racer)
    assert sorted(item.key for item in calls) == sorted({item.key for item in calls})
    assert len(calls) == 2
    texts = harness.inbound_texts()
    assert texts[-2:] == ["My bill was wrong", "I phoned them"]  # in order, once each
    assert [p["text"] for p in harness.fake.posted()[posts:]] == [
        "And what was the first thing you did about it?",
        "Got it: phone.",
        "How did you feel at that point, from 1 (very bad) to 5 (great)?",
    ]
    assert all(row.done_at is not None for row in harness.rows())


def test_a_delivery_that_cannot_be_stored_is_not_acked(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = harness.bot()

    def storage_down(item: WorkItem) -> int | None:
        raise OperationalError("INSERT INTO slack_events ...", {}, Exception("server gone"))

    claim = bot.deliveries.claim
    monkeypatch.setattr(bot.deliveries, "claim", storage_down)
    body = event_callback(dm_event("hi", user="U1"), event_id="EvDOWN")
    assert deliver(bot, body) != 200  # Slack will send it again
    monkeypatch.setattr(bot.deliveries, "claim", claim)
    assert deliver(bot, body) == 200  # the retry
    settle(bot)
    assert len(harness.fake.posted()) == 2


def test_pruning_forgets_only_done_deliveries(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        done = queries.claim_slack_event(session, key="done", payload={"v": 1})
        undone = queries.claim_slack_event(session, key="undone", payload={"v": 1})
        assert done is not None and undone is not None
        assert queries.claim_slack_event(session, key="done") is None  # a repeat
        queries.finish_slack_event(session, event_id=done, now=datetime.now(UTC))
    with session_factory.begin() as session:
        later = datetime.now(UTC) + timedelta(days=2)
        assert queries.forget_slack_events(session, before=later) == 1
    with session_factory() as session:
        assert [row.key for row in session.scalars(select(SlackEvent))] == ["undone"]
