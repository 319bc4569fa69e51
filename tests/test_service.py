"""The interview service on real databases (SQLite and PostgreSQL): every turn stored,
redeliveries idempotent, resumable after a restart, nothing lost on failure."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation import engine as engine_module
from bot.conversation.engine import EngineResult
from bot.conversation.guide import Guide
from bot.conversation.messages import Inbound
from bot.conversation.state import InterviewState
from bot.conversation.vocabulary import InterviewStatus, Slot
from bot.service.campaigns import create_campaign
from bot.service.errors import InterviewNotFound
from bot.service.interviews import InterviewService
from bot.service.log_context import LogContextFilter
from bot.service.results import TurnResult
from storage import queries
from storage.engines import make_engine, make_session_factory
from storage.models import Interview, Message, StepRecord

CAMPAIGN = "test-campaign"


@pytest.fixture
def service(session_factory: sessionmaker[Session]) -> InterviewService:
    with session_factory.begin() as session:
        create_campaign(session, slug=CAMPAIGN, name="Test", company="Acme Bank")
    return InterviewService(session_factory)


def start(service: InterviewService) -> TurnResult:
    return service.start_interview(campaign_slug=CAMPAIGN, channel="test")


def count(session_factory: sessionmaker[Session], model: type[Message] | type[StepRecord]) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def interview_row(session_factory: sessionmaker[Session], public_id: str) -> Interview:
    with session_factory() as session:
        interview = queries.get_interview(session, public_id)
        assert interview is not None
        _ = interview.steps, interview.messages  # load before the session closes
        return interview


def test_a_turn_stores_message_facts_and_replies(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    opening = start(service)
    assert "Acme Bank" in " ".join(r.text for r in opening.replies)
    service.handle_message(
        interview_id=opening.interview_id, choice="yes", text="Yes", channel_message_id="m1"
    )
    service.handle_message(
        interview_id=opening.interview_id, text="Locked out of my account", channel_message_id="m2"
    )
    result = service.handle_message(
        interview_id=opening.interview_id,
        text="called them, sat on hold 40 min, furious",
        channel_message_id="m3",
    )
    # What the words state outright is stored; the rest is shown back for one tap.
    assert result.replies[-1].slot == Slot.CONFIRM
    row = interview_row(session_factory, opening.interview_id)
    assert row.status == InterviewStatus.ACTIVE
    assert row.consent is True and row.consent_at is not None
    assert row.problem == "Locked out of my account"
    [step] = row.steps
    assert (step.channel, step.duration_minutes) == ("phone", 40)
    inbound = [m for m in row.messages if m.direction == "in"]
    assert [m.text for m in inbound][-1] == "called them, sat on hold 40 min, furious"
    assert step.source_message_ids == [inbound[-1].id]
    # every reply points at the message that caused it
    outbound = [
        m for m in row.messages if m.direction == "out" and m.in_reply_to_id == inbound[-1].id
    ]
    assert [m.slot for m in outbound][-1] == "confirm"
    assert step.provenance == {"channel": "inferred", "duration": "inferred"}
    assert step.feeling is None and step.pains == []  # probable: not stored unconfirmed
    confirmed = service.handle_message(
        interview_id=opening.interview_id, choice="yes", text="Yes", channel_message_id="m4"
    )
    assert confirmed.replies[-1].slot == Slot.FEELING
    [step] = interview_row(session_factory, opening.interview_id).steps
    assert step.feeling is None and step.pains == ["long_wait"]
    assert step.provenance == dict.fromkeys(("channel", "duration", "pains"), "confirmed")


def test_redelivery_is_idempotent(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    interview_id = start(service).interview_id
    first = service.handle_message(
        interview_id=interview_id, choice="yes", channel_message_id="evt-1"
    )
    messages_after_first = count(session_factory, Message)
    revision_after_first = interview_row(session_factory, interview_id).revision
    for _ in range(3):
        again = service.handle_message(
            interview_id=interview_id, choice="yes", channel_message_id="evt-1"
        )
        assert again.duplicate
        assert again.replies == first.replies
    assert count(session_factory, Message) == messages_after_first
    assert interview_row(session_factory, interview_id).revision == revision_after_first


def test_concurrent_redeliveries_store_one_message(
    service: InterviewService, db_engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    interview_id = start(service).interview_id
    service.handle_message(interview_id=interview_id, choice="yes", channel_message_id="c0")
    results: list[TurnResult] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        # A separate engine per thread, like separate worker processes.
        other = make_engine(db_engine.url)
        try:
            own = InterviewService(make_session_factory(other))
            results.append(
                own.handle_message(
                    interview_id=interview_id, text="My bill is wrong", channel_message_id="dup"
                )
            )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            other.dispose()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(not r.duplicate for r in results) == 1
    assert len({tuple(r.replies) for r in results}) == 1
    with session_factory() as session:
        texts = session.scalars(select(Message.text).where(Message.direction == "in")).all()
    assert texts.count("My bill is wrong") == 1


def test_resume_after_restart_asks_the_pending_question(
    db_engine: Engine, service: InterviewService
) -> None:
    interview_id = start(service).interview_id
    service.handle_message(interview_id=interview_id, choice="yes")
    service.handle_message(interview_id=interview_id, text="Parcel never arrived")
    before = service.handle_message(interview_id=interview_id, text="emailed them")
    # A new process: fresh engine, fresh service, nothing in memory.
    fresh_engine = make_engine(db_engine.url)
    try:
        fresh = InterviewService(make_session_factory(fresh_engine))
        pending = fresh.pending(interview_id)
        assert pending.replies[-1] == before.replies[-1]
        after = fresh.handle_message(interview_id=interview_id, choice="2")
        assert after.replies[-1].slot == Slot.THINKING
    finally:
        fresh_engine.dispose()


def test_pause_back_skip_through_the_service(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    interview_id = start(service).interview_id
    service.handle_message(interview_id=interview_id, choice="yes")
    service.handle_message(interview_id=interview_id, text="Wrong size shoes")
    service.handle_message(interview_id=interview_id, text="went into the store")
    service.handle_message(interview_id=interview_id, choice="4")
    service.handle_message(interview_id=interview_id, text="back")
    assert interview_row(session_factory, interview_id).steps[0].feeling is None
    service.handle_message(interview_id=interview_id, choice="2")
    paused = service.handle_message(interview_id=interview_id, text="pause")
    assert paused.status == InterviewStatus.PAUSED
    assert interview_row(session_factory, interview_id).status == InterviewStatus.PAUSED
    resumed = service.handle_message(interview_id=interview_id, text="hello")
    assert resumed.status == InterviewStatus.ACTIVE
    assert resumed.replies[-1].slot == Slot.THINKING
    skipped = service.handle_message(interview_id=interview_id, text="skip")
    assert skipped.replies[-1].slot == Slot.DURATION
    assert interview_row(session_factory, interview_id).steps[0].feeling == 2


def test_declined_consent_keeps_only_the_decline(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    interview_id = start(service).interview_id
    service.handle_message(
        interview_id=interview_id, text="my name is Jo Bloggs and my bank is awful"
    )
    result = service.handle_message(interview_id=interview_id, text="no")
    assert result.status == InterviewStatus.DECLINED
    later = service.handle_message(interview_id=interview_id, text="actually here is my story")
    assert later.finished
    row = interview_row(session_factory, interview_id)
    assert row.consent is False
    inbound = [m for m in row.messages if m.direction == "in"]
    assert [m.text for m in inbound if m.text] == ["[declined]"]
    assert all(m.redacted for m in inbound if m.text == "")
    assert row.steps == [] and row.problem is None


def test_bad_input_gets_a_clear_reply_and_loses_nothing(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    interview_id = start(service).interview_id
    service.handle_message(interview_id=interview_id, choice="yes")
    empty = service.handle_message(interview_id=interview_id, text="   \n ")
    assert "didn't get any text" in empty.replies[0].text
    assert empty.replies[-1].slot == Slot.PROBLEM
    long_text = "My story. " * 500
    too_long = service.handle_message(interview_id=interview_id, text=long_text)
    assert "long message" in too_long.replies[0].text
    assert too_long.replies[-1].slot == Slot.PROBLEM
    html = "<img src=x onerror=alert(1)>"
    service.handle_message(interview_id=interview_id, text=html)
    service.handle_message(interview_id=interview_id, text=b"caf\xc3\xa9 \xff bad bytes\x00")
    row = interview_row(session_factory, interview_id)
    texts = [m.text for m in row.messages if m.direction == "in"]
    assert long_text.strip() in texts
    assert html in texts
    assert row.problem == html
    assert any(t.startswith("café") and "\x00" not in t for t in texts)


def test_unknown_interview(service: InterviewService) -> None:
    with pytest.raises(InterviewNotFound):
        service.handle_message(interview_id="nope", text="hello")
    with pytest.raises(InterviewNotFound):
        service.pending("nope")


def test_message_to_a_finished_interview(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    interview_id = start(service).interview_id
    service.handle_message(interview_id=interview_id, choice="yes")
    result: TurnResult | None = None
    for _ in range(60):
        result = service.handle_message(interview_id=interview_id, text="skip")
        if result.finished:
            break
    assert result is not None and result.status == InterviewStatus.COMPLETED
    late = service.handle_message(interview_id=interview_id, text="oh and one more thing")
    assert late.finished
    assert "already finished" in late.replies[-1].text
    row = interview_row(session_factory, interview_id)
    assert row.completed_at is not None
    assert "oh and one more thing" in [m.text for m in row.messages]


@pytest.fixture
def failing_once() -> list[int]:
    return []


def test_engine_failure_keeps_the_message(
    session_factory: sessionmaker[Session],
    failing_once: list[int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with session_factory.begin() as session:
        create_campaign(session, slug=CAMPAIGN, name="Test")

    def flaky(state: InterviewState, inbound: Inbound, guide: Guide) -> EngineResult:
        failing_once.append(1)
        if len(failing_once) == 2:
            raise RuntimeError("boom")
        return engine_module.handle(state, inbound, guide)

    service = InterviewService(session_factory, handler=flaky)
    interview_id = service.start_interview(campaign_slug=CAMPAIGN, channel="test").interview_id
    service.handle_message(interview_id=interview_id, choice="yes")
    caplog.handler.addFilter(LogContextFilter())
    with caplog.at_level(logging.ERROR, logger="bot.service.turns"):
        failed = service.handle_message(interview_id=interview_id, text="The app charged me twice")
    # The failure's log line names the interview (every record of a turn does).
    assert [getattr(r, "interview_id", None) for r in caplog.records] == [interview_id]
    assert "went wrong" in failed.replies[0].text
    assert failed.replies[-1].slot == Slot.PROBLEM
    row = interview_row(session_factory, interview_id)
    assert "The app charged me twice" in [m.text for m in row.messages]
    ok = service.handle_message(interview_id=interview_id, text="The app charged me twice")
    assert ok.replies[-1].slot == Slot.STEP


def test_two_processes_answering_one_interview_at_once_both_count(
    db_engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    """Two server processes compute a turn of the same interview on the same revision;
    the first commit wins, the other finds the revision moved on and computes its turn
    again on the new state: both answers are stored once, in order, nothing overwritten."""
    with session_factory.begin() as session:
        create_campaign(session, slug=CAMPAIGN, name="Test")
    first = InterviewService(session_factory)
    interview_id = first.start_interview(campaign_slug=CAMPAIGN, channel="test").interview_id
    first.handle_message(interview_id=interview_id, choice="yes", channel_message_id="c0")
    revision = interview_row(session_factory, interview_id).revision
    both_computed = threading.Barrier(2, timeout=10)
    computed: list[str] = []

    def meeting(state: InterviewState, inbound: Inbound, guide: Guide) -> EngineResult:
        result = engine_module.handle(state, inbound, guide)
        computed.append(inbound.text)
        if len(computed) <= 2:
            both_computed.wait()  # each process has computed on the same revision
        return result

    results: dict[str, TurnResult] = {}
    errors: list[BaseException] = []

    def answer(text: str) -> None:
        other = make_engine(db_engine.url)  # a process of its own: engine, cache, store
        try:
            own = InterviewService(make_session_factory(other), handler=meeting)
            results[text] = own.handle_message(
                interview_id=interview_id, text=text, channel_message_id=f"m-{text}"
            )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            other.dispose()

    threads = [
        threading.Thread(target=answer, args=(text,))
        for text in ("My bill was wrong", "I called them")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(computed) == 3  # one of the two turns was computed again
    assert not any(result.duplicate for result in results.values())
    row = interview_row(session_factory, interview_id)
    inbound = [(m.text, m.slot) for m in row.messages if m.direction == "in"][1:]
    winner, loser = inbound[0][0], inbound[1][0]
    assert computed[2] == loser  # the loser recomputed on the winner's state
    assert [slot for _, slot in inbound] == [Slot.PROBLEM, Slot.STEP]
    assert row.problem == winner
    assert [step.doing for step in row.steps] == [loser]
    assert row.revision == revision + 2  # one revision per answer
    # The first process's cached copy is stale now: its next turn notices and reloads.
    later = first.handle_message(interview_id=interview_id, text="phone", channel_message_id="c3")
    assert not later.duplicate
    assert interview_row(session_factory, interview_id).steps[0].channel == "phone"


def test_facts_cite_the_stored_message_not_a_placeholder(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    """A turn is computed before its message is stored; every citation in the stored
    state and steps is the id the message got."""
    interview_id = start(service).interview_id
    for number, (text, choice) in enumerate(
        [
            ("", "yes"),
            ("My bill was wrong", None),
            ("I rang them and waited 40 minutes, furious", None),
            ("back", None),
            ("I rang them and waited 40 minutes, furious", None),
        ]
    ):
        service.handle_message(
            interview_id=interview_id, text=text, choice=choice, channel_message_id=f"m{number}"
        )
    row = interview_row(session_factory, interview_id)
    inbound_ids = {m.id for m in row.messages if m.direction == "in"}
    state = InterviewState.model_validate(row.engine_state)
    cited = set(state.answer_message_ids.values())
    cited |= {answer.message_id for answer in state.answers if answer.message_id is not None}
    for step in state.steps:
        cited |= set(step.source_message_ids)
    for record in row.steps:
        cited |= set(record.source_message_ids)
    assert cited and cited <= inbound_ids
