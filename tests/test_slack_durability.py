"""Work acked to Slack is never lost: claimed with its work item before the ack, done
after it, retried on failure, and re-driven by the next process after a crash (SQLite
and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from slack_bolt import BoltRequest
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.vocabulary import Slot
from bot.service.campaigns import create_campaign
from bot.service.interviews import InterviewService
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
from storage.engines import make_engine, make_session_factory, sqlite_url_for_dir
from storage.migrate import upgrade
from storage.models import SlackEvent
from storage.slack_deliveries import SlackDeliveryStore

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
    yield from _harness(session_factory)


@pytest.fixture
def sqlite_harness(tmp_path: Path) -> Iterator[Harness]:
    url = sqlite_url_for_dir(tmp_path)
    upgrade(url)
    engine = make_engine(url)
    try:
        yield from _harness(make_session_factory(engine))
    finally:
        engine.dispose()


def _harness(session_factory: sessionmaker[Session]) -> Iterator[Harness]:
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


@contextmanager
def after_the_lease() -> Iterator[None]:
    """The clock ten minutes on: every hold taken before now has lapsed."""
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=10), tick=True):
        yield


class Calls(threading.Event):
    """Set once a wrapped method has returned ``at_least`` times; ``results`` holds what
    each call returned."""

    def __init__(self, at_least: int) -> None:
        super().__init__()
        self.at_least = at_least
        self.results: list[Any] = []


def counted_redrives(bot: SlackBot, *, at_least: int) -> Calls:
    """Set once ``bot`` has re-driven ``at_least`` times (results: how many it queued)."""
    return _counted(bot.deliveries, "redrive", at_least)


def counted_ticks(bot: SlackBot, *, at_least: int) -> Calls:
    """Set once ``bot``'s deliveries have ticked (renewed) ``at_least`` times."""
    return _counted(bot.deliveries, "_tick", at_least)


def _counted(target: Any, name: str, at_least: int) -> Calls:
    original = getattr(target, name)
    calls = Calls(at_least)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        calls.results.append(result)
        if len(calls.results) >= at_least:
            calls.set()
        return result

    setattr(target, name, wrapper)
    return calls


def fail_once(
    monkeypatch: pytest.MonkeyPatch, target: Any, name: str, error: Exception
) -> list[str]:
    """Make ``target.name`` raise ``error`` on its first call and work after; the list
    returned names the method once it has failed."""
    original = getattr(target, name)
    failures: list[str] = []

    def failing_once(*args: Any, **kwargs: Any) -> Any:
        if not failures:
            failures.append(name)
            raise error
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, failing_once)
    return failures


def counting(
    bot: SlackBot, calls: list[WorkItem], monkeypatch: pytest.MonkeyPatch, *, delay: float = 0.0
) -> None:
    """Record every work item `bot` runs (after `delay` seconds, to widen races)."""
    handle = bot.interviews.handle

    def counted(item: WorkItem, *, event_id: int, redo: bool = False) -> None:
        calls.append(item)
        time.sleep(delay)
        handle(item, event_id=event_id, redo=redo)

    monkeypatch.setattr(bot.interviews, "handle", counted)


def test_work_acked_before_a_crash_is_done_by_the_next_process(harness: Harness) -> None:
    first = harness.bot()
    harness.consented(first)
    posts = len(harness.fake.posted())
    acked_then_crashed(first, "My bill was wrong")
    assert len(harness.fake.posted()) == posts  # nothing happened after the ack ...
    [*_, row] = harness.rows()
    assert row.done_at is None and row.attempts == 1  # ... but the work is stored, held
    assert row.payload is not None and row.payload["text"] == "My bill was wrong"
    assert row.payload["kind"] == "message" and row.payload["user"] == "U1"

    with after_the_lease():  # the dead process's hold has lapsed
        second = harness.bot()
        second.start()  # re-drives at start-up
        settle(second)
    assert harness.inbound_texts().count("My bill was wrong") == 1
    assert len(harness.fake.posted()) == posts + 1  # the next question, once
    assert harness.pending_slot() == Slot.STEP
    [*_, row] = harness.rows()
    assert row.done_at is not None and row.attempts == 2

    with after_the_lease():
        third = harness.bot()
        third.start()  # nothing left to do
        settle(third)
    assert len(harness.fake.posted()) == posts + 1
    assert harness.inbound_texts().count("My bill was wrong") == 1


def test_a_crash_before_the_opening_is_redone_as_a_start(harness: Harness) -> None:
    first = harness.bot()
    acked_then_crashed(first, "hi")
    with after_the_lease():
        second = harness.bot()
        second.start()
        settle(second)
    assert len(harness.fake.posted()) == 2  # the introduction and the consent question
    assert harness.pending_slot() == Slot.CONSENT
    assert harness.inbound_texts() == ["hi"]  # "hi" started it; it answers nothing


def test_an_opening_that_never_reached_slack_is_posted_by_the_redo(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interview was started (stored), then posting its opening failed: the redo
    finds the "hi" already answered and posts that opening, once, instead of taking
    "hi" for the answer to the consent question."""
    bot = harness.bot()
    failures = fail_once(
        monkeypatch, bot.interviews, "_post", ConnectionError("Slack is unreachable")
    )
    assert say(bot, "hi") == 200
    settle(bot)
    assert failures
    assert [p["text"] for p in harness.fake.posted()][-1].startswith("Your answers are stored")
    assert len(harness.fake.posted()) == 2  # the opening, once
    assert harness.pending_slot() == Slot.CONSENT
    assert harness.rows()[-1].done_at is not None


def test_an_opening_half_posted_by_a_dead_process_is_finished_not_repeated(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first process posted the introduction, then lost Slack for good (or died)
    before the consent question: the next process posts the consent question only."""
    first = harness.bot()
    client = first.interviews._client
    post = client.chat_postMessage

    def only_the_first(**kwargs: Any) -> Any:
        if harness.fake.posted():
            raise ConnectionError("Slack is unreachable")
        return post(**kwargs)

    monkeypatch.setattr(client, "chat_postMessage", only_the_first)
    assert say(first, "hi") == 200
    settle(first)
    assert len(harness.fake.posted()) == 1  # the introduction
    assert harness.rows()[-1].done_at is None
    with after_the_lease():
        second = harness.bot()
        second.start()
        settle(second)
    texts = [p["text"] for p in harness.fake.posted()]
    assert len(texts) == 2 and texts[-1].startswith("Your answers are stored")
    assert harness.rows()[-1].done_at is not None
    # The consent question's ts was recorded: its buttons answer it.
    assert click(second, harness.fake.posted()[-1], "yes") == 200
    settle(second)
    assert harness.pending_slot() == Slot.PROBLEM


def test_replies_posted_before_a_crash_are_not_posted_again_by_the_next_process(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process posted every reply, then died before recording it: the redo finds
    them in Slack (by their metadata), posts nothing and records the question's ts."""
    first = harness.bot()

    def dies_before_recording(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("the process died here")

    monkeypatch.setattr(first.interviews._directory, "posted", dies_before_recording)
    assert say(first, "hi") == 200
    settle(first)
    assert len(harness.fake.posted()) == 2
    assert harness.rows()[-1].done_at is None
    with after_the_lease():
        second = harness.bot()
        second.start()
        settle(second)
    assert len(harness.fake.posted()) == 2  # nothing posted twice
    assert harness.fake.calls_to("conversations.history")  # it looked before posting
    assert harness.rows()[-1].done_at is not None
    assert click(second, harness.fake.posted()[-1], "yes") == 200
    settle(second)
    assert harness.pending_slot() == Slot.PROBLEM


def test_a_retry_after_posting_posts_nothing_again(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = harness.bot()
    harness.consented(bot)
    posts = len(harness.fake.posted())
    failures = fail_once(
        monkeypatch,
        bot.interviews._directory,
        "posted",
        OperationalError("UPDATE ...", {}, Exception("database is locked")),
    )
    assert say(bot, "My bill was wrong") == 200
    settle(bot)
    assert failures
    assert len(harness.fake.posted()) == posts + 1
    assert harness.rows()[-1].done_at is not None


def test_a_first_run_never_reads_the_history(harness: Harness) -> None:
    bot = harness.bot()
    harness.consented(bot)
    assert say(bot, "My bill was wrong") == 200
    settle(bot)
    assert not harness.fake.calls_to("conversations.history")


def test_work_held_by_a_crashed_process_waits_for_its_lease(harness: Harness) -> None:
    first = harness.bot()
    harness.consented(first)
    acked_then_crashed(first, "My bill was wrong")
    second = harness.bot(tick_every=0.01, redrive_every=0.01)
    redrives = counted_redrives(second, at_least=3)
    second.start()
    assert redrives.wait(5), "the periodic re-drive did not run"
    settle(second)
    # Three re-drives ran while the crashed process's hold was young: none took it.
    assert set(redrives.results) == {0}
    assert "My bill was wrong" not in harness.inbound_texts()
    with after_the_lease():
        deadline = time.monotonic() + 5
        while "My bill was wrong" not in harness.inbound_texts():
            assert time.monotonic() < deadline, "the periodic re-drive did not run"
            time.sleep(0.02)
        settle(second)
    assert harness.inbound_texts().count("My bill was wrong") == 1
    assert harness.rows()[-1].done_at is not None


def test_a_live_process_keeps_its_queued_work_past_the_lease(harness: Harness) -> None:
    """Holds are renewed while the work waits in this process's queue, so another
    process does not take (and run twice) what this one is about to run."""
    slow = threading.Event()
    first = harness.bot(tick_every=0.01)
    harness.consented(first)
    first.start()

    def busy() -> None:
        slow.wait(10)

    first.executor.submit(f"{TEAM}:U1", busy)  # the customer's queue is busy
    assert say(first, "My bill was wrong") == 200
    with after_the_lease():
        renewed = counted_ticks(first, at_least=2)
        assert renewed.wait(5)
        other = harness.bot()
        assert other.deliveries.redrive() == 0  # held, renewed by a live process
        slow.set()
        settle(first)
    assert harness.inbound_texts().count("My bill was wrong") == 1


def test_a_message_waits_for_the_customers_earlier_one_a_dead_process_held(
    harness: Harness,
) -> None:
    """A customer's messages are answered in order across processes: one arriving at a
    new process while the dead one's hold on an earlier message is young waits for it,
    then both are answered, the earlier first."""
    first = harness.bot()
    harness.consented(first)
    acked_then_crashed(first, "My bill was wrong")
    second = harness.bot()
    polls = _counted(second.deliveries._outbox, "undone_of", 3)
    assert say(second, "I phoned them") == 200
    assert polls.wait(5), "the waiting delivery did not look for the earlier one"
    # Three looks while the earlier message was held: nothing answered out of order.
    assert not {"My bill was wrong", "I phoned them"} & set(harness.inbound_texts())
    with after_the_lease():  # the dead process's hold lapses: the wait takes it over
        settle(second)
    assert harness.inbound_texts()[-2:] == ["My bill was wrong", "I phoned them"]
    assert all(row.done_at is not None for row in harness.rows())


def test_a_message_after_a_shutdown_runs_the_released_ones_first_at_once(
    harness: Harness,
) -> None:
    first = harness.bot()
    harness.consented(first)
    running, leave = threading.Event(), threading.Event()

    def busy() -> None:
        running.set()
        leave.wait(10)

    first.executor.submit(f"{TEAM}:U1", busy)
    assert say(first, "My bill was wrong") == 200
    assert running.wait(5)
    closing = threading.Thread(target=lambda: first.close(timeout=0.1))
    closing.start()
    deadline = time.monotonic() + 5
    while harness.rows()[-1].picked_at is not None:  # released by the shutdown
        assert time.monotonic() < deadline
        time.sleep(0.01)
    leave.set()
    closing.join(10)
    second = harness.bot()  # not started: no re-drive; the new message finds it
    assert say(second, "I phoned them") == 200
    settle(second)
    assert harness.inbound_texts()[-2:] == ["My bill was wrong", "I phoned them"]


def test_a_graceful_shutdown_releases_queued_work_for_the_next_start(harness: Harness) -> None:
    """SIGTERM: the work running finishes, the work queued is released, and the next
    process runs it at start-up without waiting for a lease."""
    first = harness.bot()
    harness.consented(first)
    posts = len(harness.fake.posted())
    running, leave = threading.Event(), threading.Event()

    def busy() -> None:
        running.set()
        leave.wait(10)

    first.executor.submit(f"{TEAM}:U1", busy)
    assert say(first, "My bill was wrong") == 200
    assert running.wait(5)
    closing = threading.Thread(target=lambda: first.close(timeout=0.2))
    closing.start()
    # The close waits 0.2 s for the queue, then drops the queued delivery and releases
    # it, then waits for the running task (a turn is never cut in half).
    deadline = time.monotonic() + 5
    while harness.rows()[-1].picked_at is not None:
        assert time.monotonic() < deadline, "the queued delivery was not released"
        time.sleep(0.01)
    assert closing.is_alive()  # still waiting for the running task
    leave.set()
    closing.join(10)
    [*_, row] = harness.rows()
    assert row.done_at is None and row.picked_at is None  # released, not lost
    second = harness.bot()  # no lease to wait for
    second.start()
    settle(second)
    assert harness.inbound_texts().count("My bill was wrong") == 1
    assert len(harness.fake.posted()) == posts + 1


def test_a_delivery_failing_twice_with_a_database_error_is_done_once(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = harness.bot()
    harness.consented(bot)
    posts = len(harness.fake.posted())
    handle = bot.interviews.handle
    tries: list[str] = []

    def flaky(item: WorkItem, *, event_id: int, redo: bool = False) -> None:
        tries.append(item.key)
        if len(tries) <= 2:
            raise OperationalError("INSERT INTO messages ...", {}, Exception("database is locked"))
        handle(item, event_id=event_id, redo=redo)

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
    failures = fail_once(
        monkeypatch, bot.interviews, "_post", ConnectionError("Slack is unreachable")
    )
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

    def broken(item: WorkItem, *, event_id: int, redo: bool = False) -> None:
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
    with after_the_lease():
        racers = [harness.bot() for _ in range(2)]
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
    store = SlackDeliveryStore(session_factory.kw["bind"])
    now = datetime.now(UTC)
    done = store.claim(key="done", customer="T:U1", payload={"v": 1}, now=now)
    undone = store.claim(key="undone", customer="T:U1", payload={"v": 1}, now=now)
    assert done is not None and undone is not None
    assert [earlier.id for earlier in undone.earlier] == [done.id]  # not done yet
    assert store.claim(key="done", customer="T:U1", payload={"v": 1}, now=now) is None
    store.finish(done.id, now=now)
    assert store.forget(before=now + timedelta(days=2)) == 1
    with session_factory() as session:
        assert [row.key for row in session.scalars(select(SlackEvent))] == ["undone"]


class TransactionCounter:
    """Counts the transactions SQLite runs on an engine's connections: each BEGIN, and
    each statement run outside one (SQLite wraps it in a transaction of its own)."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []
        self._open: set[int] = set()
        self._lock = threading.Lock()

    def watch(self, engine: Engine) -> None:
        engine.dispose()  # every connection from now on is a new, traced one

        @event.listens_for(engine, "connect")
        def _trace(dbapi_connection: Any, _record: Any) -> None:
            key = id(dbapi_connection)
            dbapi_connection.set_trace_callback(lambda sql: self._seen(key, sql))

    def _seen(self, connection: int, sql: str) -> None:
        word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        with self._lock:
            if word == "PRAGMA":
                return
            self.statements.append(sql)
            if word == "BEGIN":
                self.count += 1
                self._open.add(connection)
            elif word in ("COMMIT", "ROLLBACK", "END"):
                self._open.discard(connection)
            elif connection not in self._open:
                self.count += 1


def test_an_answer_costs_three_transactions(sqlite_harness: Harness) -> None:
    """Counted with SQLite's statement trace (the same code runs on PostgreSQL)."""
    harness = sqlite_harness
    engine = harness.sessions.kw["bind"]
    bot = harness.bot()
    harness.consented(bot)
    counter = TransactionCounter()
    counter.watch(engine)
    assert say(bot, "My bill was wrong") == 200
    settle(bot)
    # The claim before the ack, the turn, and the posted question with the delivery done.
    assert counter.count == 3, counter.statements
    assert harness.inbound_texts().count("My bill was wrong") == 1
    assert all(row.done_at is not None for row in harness.rows())
