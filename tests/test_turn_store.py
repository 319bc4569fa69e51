"""The turn store (`storage.turn_store`) on SQLite and PostgreSQL.

Its statements are compiled from the models and run on the driver, so these tests hold
it to what the ORM reads back (aware UTC timestamps, JSON columns, booleans), and to its
promises: one transaction per turn, a revision check that stores nothing on conflict, a
redelivery that stores nothing and returns the first replies, and a failure that rolls
everything back.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.service.campaigns import create_campaign
from storage.engines import make_engine, sqlite_url_for_dir
from storage.models import Interview, LlmCall, Message, StepRecord
from storage.queries import StepRecordData
from storage.turn_store import (
    Committed,
    Conflict,
    Duplicate,
    InboundMessage,
    InterviewUpdate,
    ModelCallRow,
    NewInterview,
    ReplyRow,
    StoreBusy,
    TurnStore,
    TurnWrites,
    open_turn_store,
)

NOW = datetime(2026, 12, 2, 6, 30, 15, 120034, tzinfo=UTC)
CHOICES = [{"value": "1", "label": "😠 very bad"}, {"value": "5", "label": "😄 great"}]


@pytest.fixture
def store(db_engine: Engine) -> TurnStore:
    return open_turn_store(db_engine, connections=2)


@pytest.fixture
def campaign_id(session_factory: sessionmaker[Session]) -> int:
    with session_factory.begin() as session:
        campaign = create_campaign(session, slug="turn-store", name="Store", open_link=True)
        session.flush()
        return campaign.id


def _start(store: TurnStore, campaign_id: int) -> tuple[int, str]:
    started = store.start(
        NewInterview(
            campaign_id=campaign_id,
            channel="web",
            status="consent",
            engine_state_json='{"status": "consent", "n": [1, 2]}',
            replies=[
                ReplyRow("Hello!", None, None, None),
                ReplyRow("Agree?", "consent", CHOICES, None),
            ],
            now=NOW,
            access_token_hash="ab" * 32,
        )
    )
    assert len(started.reply_ids) == 2 and started.reply_ids[0] < started.reply_ids[1]
    return started.id, started.public_id


def _inbound(interview_id: int, revision: int, delivery: str, **changes: object) -> InboundMessage:
    values: dict[str, object] = {
        "interview_id": interview_id,
        "expected_revision": revision,
        "text": "called them <b>twice</b> 😠 'quoted' \\ back",
        "choice": None,
        "slot": "step",
        "channel_message_id": delivery,
        "now": NOW + timedelta(minutes=3),
    }
    values.update(changes)
    return InboundMessage(**values)  # type: ignore[arg-type]


def _update(**changes: object) -> InterviewUpdate:
    values: dict[str, object] = {
        "engine_state_json": '{"status": "active"}',
        "status": "active",
        "consent": True,
        "problem": "a wrong bill",
        "moment_of_truth": None,
        "moment_of_truth_step": None,
        "resolved": None,
        "effort": None,
        "improvement": None,
        "anything_else": None,
        "extra_answers": {"plan": "family"},
        "consent_at": NOW + timedelta(minutes=3),
        "completed_at": None,
    }
    values.update(changes)
    return InterviewUpdate(**values)  # type: ignore[arg-type]


def _step(ordinal: int, cited: int, **changes: object) -> StepRecordData:
    values: dict[str, object] = {
        "ordinal": ordinal,
        "doing": f"step {ordinal}",
        "channel": "phone",
        "feeling": 2,
        "duration_minutes": 40,
        "people": ("agent",),
        "tools": ("app", "website"),
        "pains": ("long_wait",),
        "source_message_ids": (cited,),
    }
    values.update(changes)
    return StepRecordData(**values)  # type: ignore[arg-type]


def test_a_start_reads_back_through_the_orm(
    store: TurnStore, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    interview_id, public_id = _start(store, campaign_id)
    row = store.load(public_id)
    assert row is not None and row.id == interview_id and row.revision == 0
    assert row.engine_state == {"status": "consent", "n": [1, 2]} and row.consent is None
    assert not row.completed and row.access_token_hash == "ab" * 32
    with session_factory() as session:
        interview = session.scalars(select(Interview).where(Interview.id == interview_id)).one()
        assert interview.public_id == public_id
        assert interview.started_at == NOW and interview.started_at.tzinfo is not None
        assert interview.extra_answers == {} and interview.revision == 0
        replies = [(m.text, m.slot, m.choices, m.redacted) for m in interview.messages]
        assert replies == [("Hello!", None, None, False), ("Agree?", "consent", CHOICES, False)]
    assert store.load("no-such-interview") is None


def test_a_whole_turn_reads_back_through_the_orm(
    store: TurnStore, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    interview_id, _ = _start(store, campaign_id)
    seen: list[int] = []

    def writes(inbound_id: int) -> TurnWrites:
        seen.append(inbound_id)
        return TurnWrites(
            replies=[
                ReplyRow("Thanks.", None, None, None),
                ReplyRow("How did you feel?", "feeling", CHOICES, ["a", "b"]),
            ],
            interview=_update(),
            changed_steps=[_step(1, inbound_id), _step(2, inbound_id, channel=None, pains=())],
            model_calls=[
                ModelCallRow("listen", "listen/v3", "gpt-test", "ok", 900, 60, 812.5, 0.0002)
            ],
        )

    outcome = store.commit_turn(_inbound(interview_id, 0, "web:m1"), writes)
    assert isinstance(outcome, Committed)
    assert outcome.revision == 1 and seen == [outcome.inbound_id]
    later = NOW + timedelta(minutes=3)
    with session_factory() as session:
        interview = session.scalars(select(Interview).where(Interview.id == interview_id)).one()
        assert interview.revision == 1 and interview.status == "active"
        assert interview.engine_state == {"status": "active"}
        assert interview.consent is True and interview.consent_at == later
        assert interview.updated_at == later and interview.completed_at is None
        assert interview.extra_answers == {"plan": "family"}
        inbound, *replies = [m for m in interview.messages if m.created_at == later]
        assert inbound.id == outcome.inbound_id and inbound.direction == "in"
        assert inbound.text == "called them <b>twice</b> 😠 'quoted' \\ back"
        assert inbound.slot == "step" and inbound.channel_message_id == "web:m1"
        assert [(r.text, r.choices, r.items, r.in_reply_to_id) for r in replies] == [
            ("Thanks.", None, None, inbound.id),
            ("How did you feel?", CHOICES, ["a", "b"], inbound.id),
        ]
        steps = session.scalars(select(StepRecord).order_by(StepRecord.ordinal)).all()
        assert [(s.ordinal, s.channel, s.tools, s.pains, s.source_message_ids) for s in steps] == [
            (1, "phone", ["app", "website"], ["long_wait"], [inbound.id]),
            (2, None, ["app", "website"], [], [inbound.id]),
        ]
        call = session.scalars(select(LlmCall)).one()
        assert (call.interview_id, call.purpose, call.cost_usd) == (interview_id, "listen", 0.0002)
        assert call.created_at == later


def test_steps_are_upserted_and_removed_and_first_times_kept(
    store: TurnStore, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    interview_id, _ = _start(store, campaign_id)
    first = store.commit_turn(
        _inbound(interview_id, 0, "m1"),
        lambda i: TurnWrites(
            replies=[], interview=_update(), changed_steps=[_step(1, i), _step(2, i)]
        ),
    )
    assert isinstance(first, Committed)
    # A later turn: a new consent time and a completion, a step rewritten, one gone.
    later = NOW + timedelta(hours=1)
    second = store.commit_turn(
        _inbound(interview_id, 1, "m2", now=later),
        lambda i: TurnWrites(
            replies=[ReplyRow("Done, thanks!", "done", None, None)],
            interview=_update(status="completed", consent_at=later, completed_at=later),
            changed_steps=[_step(1, i, doing="rang them again", feeling=1)],
            removed_steps=[2],
        ),
    )
    assert isinstance(second, Committed) and second.revision == 2
    with session_factory() as session:
        interview = session.scalars(select(Interview).where(Interview.id == interview_id)).one()
        assert interview.consent_at == NOW + timedelta(minutes=3)  # the first time stays
        assert interview.completed_at == later
        steps = session.scalars(select(StepRecord)).all()
        assert [(s.ordinal, s.doing, s.feeling) for s in steps] == [(1, "rang them again", 1)]
    loaded = store.load(_public(session_factory, interview_id))
    assert loaded is not None and loaded.completed and loaded.revision == 2


def test_a_stale_revision_stores_nothing(
    store: TurnStore, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    interview_id, _ = _start(store, campaign_id)
    done = store.commit_turn(
        _inbound(interview_id, 0, "m1"), lambda i: TurnWrites(replies=[], interview=_update())
    )
    assert isinstance(done, Committed)
    before = _count(session_factory, Message)
    called: list[int] = []

    def writes(inbound_id: int) -> TurnWrites:
        called.append(inbound_id)
        return TurnWrites(replies=[ReplyRow("never", None, None, None)], interview=_update())

    late = store.commit_turn(_inbound(interview_id, 0, "m2"), writes)
    assert late == Conflict(1)
    assert called == [] and _count(session_factory, Message) == before
    gone = store.commit_turn(_inbound(interview_id + 999, 0, "m3"), writes)
    assert gone == Conflict(None)


def test_a_redelivery_stores_nothing_and_returns_the_first_replies(
    store: TurnStore, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    interview_id, _ = _start(store, campaign_id)
    replies = [ReplyRow("Thanks.", None, None, None), ReplyRow("Feel?", "feeling", CHOICES, None)]
    first = store.commit_turn(
        _inbound(interview_id, 0, "web:m1"),
        lambda i: TurnWrites(replies=replies, interview=None),  # no state change
    )
    assert isinstance(first, Committed) and first.revision == 0
    before = _count(session_factory, Message)
    again = store.commit_turn(
        _inbound(interview_id, 0, "web:m1"), lambda i: TurnWrites(replies=replies)
    )
    assert again == Duplicate(replies)
    assert _count(session_factory, Message) == before
    assert store.earlier_replies(interview_id, "web:m1") == replies
    assert store.earlier_replies(interview_id, "web:never") is None


def test_a_failure_while_writing_rolls_the_whole_turn_back(
    store: TurnStore, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    interview_id, public_id = _start(store, campaign_id)
    before = _count(session_factory, Message)

    def broken(inbound_id: int) -> TurnWrites:
        raise RuntimeError("the engine's state would not serialise")

    with pytest.raises(RuntimeError):
        store.commit_turn(_inbound(interview_id, 0, "m1"), broken)
    # A step with a feeling out of range fails the database's check: rolled back too.
    with pytest.raises(Exception, match="feeling"):
        store.commit_turn(
            _inbound(interview_id, 0, "m1"),
            lambda i: TurnWrites(
                replies=[], interview=_update(), changed_steps=[_step(1, i, feeling=9)]
            ),
        )
    assert _count(session_factory, Message) == before
    loaded = store.load(public_id)
    assert loaded is not None and loaded.revision == 0
    # The store works on: the same delivery is stored now.
    assert isinstance(
        store.commit_turn(_inbound(interview_id, 0, "m1"), lambda i: TurnWrites(replies=[])),
        Committed,
    )


def test_a_refusal_keeps_no_other_words(
    store: TurnStore, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    interview_id, _ = _start(store, campaign_id)
    store.commit_turn(
        _inbound(interview_id, 0, "m1", text="my email is a@b.c"), lambda i: TurnWrites(replies=[])
    )
    refusal = store.commit_turn(
        _inbound(interview_id, 0, "m2", text="no thanks"),
        lambda i: TurnWrites(
            replies=[],
            interview=_update(status="declined", consent=False),
            redact_other_inbound=True,
        ),
    )
    assert isinstance(refusal, Committed)
    with session_factory() as session:
        inbound = session.scalars(
            select(Message).where(Message.direction == "in").order_by(Message.id)
        ).all()
        assert [(m.text, m.redacted) for m in inbound] == [("", True), ("no thanks", False)]


def test_timestamps_in_any_zone_are_stored_in_utc(
    store: TurnStore, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    interview_id, _ = _start(store, campaign_id)
    tokyo = (NOW + timedelta(hours=2)).astimezone(timezone(timedelta(hours=9)))
    store.commit_turn(_inbound(interview_id, 0, "m1", now=tokyo), lambda i: TurnWrites(replies=[]))
    with session_factory() as session:
        message = session.scalars(select(Message).where(Message.direction == "in")).one()
        assert message.created_at == NOW + timedelta(hours=2)
        assert message.created_at.utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="naive"):
        store.commit_turn(
            _inbound(interview_id, 0, "m2", now=datetime(2026, 12, 2, 6, 30)),
            lambda i: TurnWrites(replies=[]),
        )


def test_sqlite_without_waiting_gives_up_at_once_when_another_writer_holds_the_lock(
    tmp_path: object, campaign_id: int, store: TurnStore, db_engine: Engine
) -> None:
    if db_engine.dialect.name != "sqlite":
        assert not store.answers_without_waiting
        return
    assert store.answers_without_waiting
    interview_id, _ = _start(store, campaign_id)
    path = db_engine.url.database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        asked = time.monotonic()
        with pytest.raises(StoreBusy):
            store.commit_turn(
                _inbound(interview_id, 0, "m1"), lambda i: TurnWrites(replies=[]), wait=False
            )
        assert time.monotonic() - asked < 1.0  # not after the busy timeout
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert isinstance(
        store.commit_turn(
            _inbound(interview_id, 0, "m1"), lambda i: TurnWrites(replies=[]), wait=False
        ),
        Committed,
    )


def _count(sessions: sessionmaker[Session], model: type[Message]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _public(sessions: sessionmaker[Session], interview_id: int) -> str:
    with sessions() as session:
        public = session.scalar(select(Interview.public_id).where(Interview.id == interview_id))
        assert public is not None
        return public


def test_sqlite_turns_leave_the_event_loop_when_every_commit_waits_for_the_disk(
    tmp_path: Path,
) -> None:
    # synchronous=FULL (the default) flushes each commit: a turn run on the event loop
    # would stall every other request for that flush (bench.web_load: 0.26x the
    # baseline inline, 0.43x in threads), so the store says it may wait.
    url = sqlite_url_for_dir(tmp_path)
    for mode, inline in (("full", False), ("normal", True)):
        engine = make_engine(url, sqlite_synchronous=mode)
        try:
            assert open_turn_store(engine).answers_without_waiting is inline
        finally:
            engine.dispose()
