"""The turn's statements on the database driver (`storage.turns`), on SQLite and PostgreSQL.

They bypass SQLAlchemy, so these tests hold them to what SQLAlchemy would have written:
the ORM must read back every value exactly (aware UTC timestamps, JSON columns, booleans),
and driver errors must surface as SQLAlchemy's exception classes with the transaction
rolled back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.service.campaigns import create_campaign
from storage import queries, turns
from storage.engines import make_turn_engine
from storage.models import Interview, Message, StepRecord
from storage.queries import StepRecordData

NOW = datetime(2026, 12, 2, 6, 30, 15, 120034, tzinfo=UTC)


@pytest.fixture
def campaign_id(session_factory: sessionmaker[Session]) -> int:
    with session_factory.begin() as session:
        campaign = create_campaign(session, slug="driver-turns", name="Driver", open_link=True)
        session.flush()
        return campaign.id


def _new_interview(engine: Engine, campaign_id: int) -> tuple[int, str]:
    with turns.begin(engine) as connection:
        return turns.insert_interview(
            connection,
            campaign_id=campaign_id,
            channel="web",
            status="consent",
            engine_state_json='{"status": "consent"}',
            access_token_hash="ab" * 32,
            now=NOW,
        )


def test_a_whole_turn_reads_back_through_the_orm(
    db_engine: Engine, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    interview_id, public_id = _new_interview(db_engine, campaign_id)
    later = NOW + timedelta(minutes=3)
    choices = [{"value": "1", "label": "😠 very bad"}, {"value": "5", "label": "😄 great"}]
    with turns.begin(db_engine) as connection:
        inbound = turns.insert_inbound(
            connection,
            interview_id=interview_id,
            text="called them <b>twice</b>",
            choice=None,
            slot="step",
            channel_message_id="web:m1",
            now=later,
        )
        assert inbound is not None
        turns.insert_replies(
            connection,
            interview_id=interview_id,
            in_reply_to_id=inbound,
            replies=[
                turns.ReplyRow("Thanks.", None, None, None),
                turns.ReplyRow("How did you feel?", "feeling", choices, ["a", "b"]),
            ],
            now=later,
        )
        turns.update_interview(
            connection,
            interview_id=interview_id,
            revision=1,
            values={
                "engine_state": '{"status": "active", "steps": []}',
                "status": "active",
                "consent": True,
                "extra_answers": {"team": "billing"},
                "updated_at": later,
                "consent_at": later,
            },
        )
        turns.save_steps(
            connection,
            interview_id=interview_id,
            changed=[
                StepRecordData(
                    ordinal=1,
                    doing="called them",
                    channel="phone",
                    feeling=2,
                    people=("agent",),
                    pains=("on hold",),
                    source_message_ids=(inbound,),
                )
            ],
        )
        assert turns.replies_to(connection, inbound)[1].choices == choices

    with session_factory() as session:
        interview = queries.get_interview(session, public_id)
        assert interview is not None
        assert interview.revision == 1
        assert interview.status == "active"
        assert interview.consent is True
        assert interview.engine_state == {"status": "active", "steps": []}
        assert interview.extra_answers == {"team": "billing"}
        assert interview.started_at == NOW
        assert interview.updated_at == later
        assert interview.consent_at == later
        assert interview.updated_at.tzinfo is not None
        assert interview.access_token_hash == "ab" * 32
        messages = session.scalars(
            select(Message).where(Message.interview_id == interview_id).order_by(Message.id)
        ).all()
        assert [(m.direction, m.text, m.slot) for m in messages] == [
            ("in", "called them <b>twice</b>", "step"),
            ("out", "Thanks.", None),
            ("out", "How did you feel?", "feeling"),
        ]
        assert [m.created_at for m in messages] == [later] * 3
        assert messages[2].choices == choices
        assert messages[2].items == ["a", "b"]
        assert messages[1].choices is None
        assert [m.redacted for m in messages] == [False] * 3
        assert [m.in_reply_to_id for m in messages] == [None, inbound, inbound]
        step = session.scalars(select(StepRecord)).one()
        assert (step.ordinal, step.doing, step.channel, step.feeling) == (
            1,
            "called them",
            "phone",
            2,
        )
        assert (step.people, step.tools, step.pains) == (["agent"], [], ["on hold"])
        assert step.source_message_ids == [inbound]


def test_a_redelivery_stores_nothing_and_is_found(db_engine: Engine, campaign_id: int) -> None:
    interview_id, _ = _new_interview(db_engine, campaign_id)
    with turns.begin(db_engine) as connection:

        def deliver() -> int | None:
            return turns.insert_inbound(
                connection,
                interview_id=interview_id,
                text="hi",
                choice=None,
                slot=None,
                channel_message_id="web:x",
                now=NOW,
            )

        first, again = deliver(), deliver()
        assert first is not None
        assert again is None
        assert (
            turns.find_inbound_id(connection, interview_id=interview_id, channel_message_id="web:x")
            == first
        )


def test_steps_are_upserted_and_removed_by_ordinal(
    db_engine: Engine, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    interview_id, _ = _new_interview(db_engine, campaign_id)
    with turns.begin(db_engine) as connection:
        steps = [StepRecordData(ordinal=n, doing=f"step {n}") for n in (1, 2, 3)]
        turns.save_steps(connection, interview_id=interview_id, changed=steps)
    with turns.begin(db_engine) as connection:
        turns.save_steps(
            connection,
            interview_id=interview_id,
            changed=[StepRecordData(ordinal=2, doing="step two, reworded", feeling=4)],
            removed=[3],
        )
    with session_factory() as session:
        rows = session.scalars(select(StepRecord).order_by(StepRecord.ordinal)).all()
        assert [(r.ordinal, r.doing, r.feeling) for r in rows] == [
            (1, "step 1", None),
            (2, "step two, reworded", 4),
        ]


def test_driver_errors_are_sqlalchemy_errors_and_roll_the_turn_back(
    db_engine: Engine, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    interview_id, public_id = _new_interview(db_engine, campaign_id)

    def turn() -> None:
        with turns.begin(db_engine) as connection:
            turns.update_interview(
                connection, interview_id=interview_id, revision=7, values={"status": "active"}
            )
            # No interview 999999: the foreign key refuses the message.
            turns.insert_inbound(
                connection,
                interview_id=999_999,
                text="lost?",
                choice=None,
                slot=None,
                channel_message_id="web:y",
                now=NOW,
            )

    with pytest.raises(IntegrityError):
        turn()
    with session_factory() as session:
        interview = queries.get_interview(session, public_id)
        assert interview is not None
        assert (interview.revision, interview.status) == (0, "consent")
    # The pool's connection is usable again.
    with turns.begin(db_engine) as connection:
        assert turns.lock_revision(connection, interview_id) == 0


def test_lookups_of_what_is_not_there(db_engine: Engine, campaign_id: int) -> None:
    with turns.begin(db_engine) as connection:
        assert turns.load_interview(connection, "no-such-interview", lock=True) is None
        assert turns.campaign_by_slug(connection, "no-such-campaign") is None
        assert turns.lock_revision(connection, 999_999) is None
        campaign = turns.campaign_by_slug(connection, "driver-turns")
        assert campaign is not None
        assert (campaign.id, campaign.open_link) == (campaign_id, True)


def test_an_unknown_column_is_refused(db_engine: Engine, campaign_id: int) -> None:
    interview_id, _ = _new_interview(db_engine, campaign_id)
    with pytest.raises(ValueError, match="revision"), turns.begin(db_engine) as connection:
        turns.update_interview(
            connection, interview_id=interview_id, revision=1, values={"revision": 5}
        )


def test_sqlite_timestamps_are_the_text_sqlalchemy_writes() -> None:
    process = sqlite.DATETIME().bind_processor(sqlite.dialect())  # type: ignore[no-untyped-call]
    assert process is not None
    for value in (NOW, NOW.replace(microsecond=0), datetime(1999, 1, 2, 3, 4, 5, 6, UTC)):
        assert turns.SQLITE.timestamp(value) == process(value.replace(tzinfo=None))
    # Any offset is stored as UTC; a naive time is refused (its meaning is unknown).
    plus_two = NOW.astimezone(timezone(timedelta(hours=2)))
    assert turns.SQLITE.timestamp(plus_two) == turns.SQLITE.timestamp(NOW)
    with pytest.raises(ValueError, match="naive"):
        turns.SQLITE.timestamp(NOW.replace(tzinfo=None))
    assert turns.POSTGRESQL.timestamp(plus_two) == NOW


def test_placeholders_per_database() -> None:
    template = "UPDATE t SET a = ?, b = ?j WHERE id = ?{lock}"
    assert turns.SQLITE.sql(template) == "UPDATE t SET a = ?, b = ? WHERE id = ?"
    assert turns.POSTGRESQL.sql(template) == (
        "UPDATE t SET a = $1, b = CAST($2 AS JSONB) WHERE id = $3 FOR UPDATE OF interviews"
    )


def test_orm_and_driver_writes_share_the_revision(
    db_engine: Engine, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    interview_id, public_id = _new_interview(db_engine, campaign_id)
    with session_factory.begin() as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        interview.problem = "set by the ORM"
    with turns.begin(db_engine) as connection:
        # The ORM's version counter moved the revision on; the driver sees it.
        assert turns.lock_revision(connection, interview_id) == 1
        row = turns.load_interview(connection, public_id, lock=False)
        assert row is not None
        assert (row.revision, row.engine_state, row.consent, row.completed) == (
            1,
            {"status": "consent"},
            None,
            False,
        )


@pytest.mark.parametrize("engine_kind", ["session engine", "turn engine"])
def test_a_claim_stores_the_message_only_at_the_expected_revision(
    db_engine: Engine,
    session_factory: sessionmaker[Session],
    campaign_id: int,
    engine_kind: str,
) -> None:
    engine = db_engine if engine_kind == "session engine" else make_turn_engine(db_engine)
    interview_id, _ = _new_interview(engine, campaign_id)

    def claim(expected: int, delivery: str, interview: int = interview_id) -> turns.Claim:
        with turns.begin(engine) as connection:
            return turns.lock_and_insert_inbound(
                connection,
                interview_id=interview,
                expected_revision=expected,
                text="I called <b>twice</b>",
                choice=None,
                slot="step",
                channel_message_id=delivery,
                now=NOW,
            )

    # A cached copy at another revision: nothing stored, the current revision told.
    assert claim(3, "web:a") == turns.Claim(revision=0, inbound_id=None)
    stored = claim(0, "web:a")
    assert stored.revision == 0
    assert stored.inbound_id is not None
    # The same delivery again stores nothing; an unknown interview has no revision.
    assert claim(0, "web:a") == turns.Claim(revision=0, inbound_id=None)
    assert claim(0, "web:b", interview=999_999) == turns.Claim(revision=None, inbound_id=None)
    with session_factory() as session:
        rows = session.scalars(select(Message).where(Message.interview_id == interview_id)).all()
        assert [(m.id, m.text, m.slot, m.channel_message_id, m.created_at) for m in rows] == [
            (stored.inbound_id, "I called <b>twice</b>", "step", "web:a", NOW)
        ]


def test_the_last_writes_commit_with_them_or_roll_everything_back(
    db_engine: Engine, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    engine = make_turn_engine(db_engine)
    interview_id, public_id = _new_interview(engine, campaign_id)

    def failing_turn() -> None:
        with turns.begin(engine) as connection:
            assert turns.lock_revision(connection, interview_id) == 0
            turns.insert_inbound(
                connection,
                interview_id=interview_id,
                text="kept only if the rest is",
                choice=None,
                slot=None,
                channel_message_id="web:c",
                now=NOW,
            )
            with connection.last_writes():
                turns.update_interview(
                    connection, interview_id=interview_id, revision=1, values={"status": "active"}
                )
                # A reply to a message that does not exist: refused when the block sends it.
                turns.insert_replies(
                    connection,
                    interview_id=interview_id,
                    in_reply_to_id=999_999,
                    replies=[turns.ReplyRow("Thanks.", None, None, None)],
                    now=NOW,
                )

    with pytest.raises(IntegrityError):
        failing_turn()
    with session_factory() as session:
        interview = queries.get_interview(session, public_id)
        assert interview is not None
        assert (interview.revision, interview.status) == (0, "consent")
        assert session.scalars(select(Message)).all() == []
    with turns.begin(engine) as connection:
        turns.insert_inbound(
            connection,
            interview_id=interview_id,
            text="now it is",
            choice=None,
            slot=None,
            channel_message_id="web:c",
            now=NOW,
        )
        with connection.last_writes():
            turns.update_interview(
                connection, interview_id=interview_id, revision=1, values={"status": "active"}
            )
        assert not connection.in_transaction  # committed by the block, not after it
    with session_factory() as session:
        interview = queries.get_interview(session, public_id)
        assert interview is not None
        assert (interview.revision, interview.status) == (1, "active")
        assert [m.text for m in session.scalars(select(Message))] == ["now it is"]


def test_the_turn_engine_on_postgresql(db_engine: Engine) -> None:
    engine = make_turn_engine(db_engine, connections=3)
    if db_engine.dialect.name == "sqlite":
        assert engine is db_engine  # one file, one engine
        return
    assert engine is not db_engine
    assert engine.pool.size() == 3  # type: ignore[attr-defined]
    with turns.begin(engine) as connection:
        # Autocommit mode: the transaction is ours, begun with the first statement.
        assert connection.driver.autocommit
        assert not connection.in_transaction
        turns.lock_revision(connection, 1)
        assert connection.in_transaction
    db_engine.dispose()
    assert engine.pool.checkedin() == 0


def test_last_writes_with_nothing_before_them_are_still_one_transaction(
    db_engine: Engine, session_factory: sessionmaker[Session], campaign_id: int
) -> None:
    engine = make_turn_engine(db_engine)
    interview_id, public_id = _new_interview(engine, campaign_id)

    def writes_only() -> None:
        with turns.begin(engine) as connection, connection.last_writes():
            turns.update_interview(
                connection, interview_id=interview_id, revision=1, values={"status": "active"}
            )
            turns.insert_replies(
                connection,
                interview_id=interview_id,
                in_reply_to_id=999_999,  # no such message: refused
                replies=[turns.ReplyRow("Thanks.", None, None, None)],
                now=NOW,
            )

    with pytest.raises(IntegrityError):
        writes_only()
    with session_factory() as session:
        interview = queries.get_interview(session, public_id)
        assert interview is not None
        # Nothing of the block stands, though PostgreSQL's turn connection autocommits
        # any statement sent outside a transaction.
        assert (interview.revision, interview.status) == (0, "consent")


def test_a_last_write_has_no_rows_to_read_on_postgresql(
    db_engine: Engine, campaign_id: int
) -> None:
    # On PostgreSQL the last writes are sent when the block ends: reading a row from one
    # inside it is a mistake, said so, rather than the rows of an earlier statement.
    # SQLite runs each statement at once, so there the rows are there.
    engine = make_turn_engine(db_engine)
    interview_id, _ = _new_interview(engine, campaign_id)

    def store_reply(connection: turns.TurnConnection) -> list[int]:
        return turns.insert_replies(
            connection,
            interview_id=interview_id,
            in_reply_to_id=None,
            replies=[turns.ReplyRow("Thanks.", None, None, None)],
            now=NOW,
            returning_ids=True,
        )

    with turns.begin(engine) as connection:
        assert turns.lock_revision(connection, interview_id) == 0
        if db_engine.dialect.name == "sqlite":
            with connection.last_writes():
                assert len(store_reply(connection)) == 1
            return
        with pytest.raises(RuntimeError, match="no rows to read"), connection.last_writes():
            store_reply(connection)
