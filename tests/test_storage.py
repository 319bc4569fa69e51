"""Storage: migrations, schema/model agreement, round trips and the query functions."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Integer, MetaData, Table, inspect, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from storage import queries as q
from storage.engines import (
    DatabaseUnavailable,
    make_engine,
    make_session_factory,
    sqlite_url_for_dir,
)
from storage.migrate import alembic_config, current_revision, head_revision, upgrade
from storage.models import Base, Campaign, Interview, Message, Participant, StepRecord

TABLES = {"campaigns", "participants", "interviews", "messages", "step_records"}


def _campaign(session: Session, slug: str = "support-2025") -> Campaign:
    return q.create_campaign(
        session,
        slug=slug,
        name="Support journeys",
        guide_name="support",
        guide_version="1.0",
        guide_source="name: support\nquestions: []\n",
        consent_text="May we store your answers?",
        open_link=True,
    )


def _interview(session: Session, campaign: Campaign, *, external_id: str = "cust-1") -> Interview:
    participant = q.get_or_create_participant(
        session, campaign=campaign, external_id=external_id, attributes={"plan": "pro"}
    )
    return q.create_interview(
        session,
        campaign=campaign,
        participant=participant,
        channel="web",
        status="awaiting_consent",
        engine_state={"slot": "consent", "steps": []},
    )


def _reload(session: Session, interview_id: int) -> Interview:
    interview = session.get(Interview, interview_id)
    assert interview is not None
    return interview


def _by_public_id(session: Session, public_id: str) -> Interview:
    interview = q.get_interview(session, public_id)
    assert interview is not None
    return interview


# --- migrations --------------------------------------------------------------------------


def test_migrations_upgrade_downgrade_and_upgrade_again(blank_db_url: str) -> None:
    engine = make_engine(blank_db_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) >= TABLES
        upgrade(engine)  # already at head: a no-op, not an error
        assert current_revision(engine) == head_revision()

        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert not TABLES & set(inspect(engine).get_table_names())
        upgrade(engine)
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_engine_state_becomes_lz4_json_and_existing_states_survive(
    postgres_schema_url: str,
) -> None:
    engine = make_engine(postgres_schema_url)
    config = alembic_config()
    state = {"status": "active", "steps": [{"doing": "rang them", "pains": ["long_wait"]}]}
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0005")
            connection.execute(
                text(
                    "INSERT INTO campaigns (slug, name, guide_name, guide_version,"
                    " guide_source, consent_text, open_link, created_at) VALUES"
                    " ('m', 'M', 'g', '1', 'builtin', 'ok?', false, now())"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO interviews (public_id, campaign_id, channel, status,"
                    " engine_state, extra_answers, started_at, updated_at, revision)"
                    " SELECT 'p1', id, 'web', 'active', CAST(:state AS JSONB), '{}',"
                    " now(), now(), 0 FROM campaigns"
                ),
                {"state": json.dumps(state)},
            )
        upgrade(engine)
        with engine.connect() as connection:
            kind = connection.execute(
                text(
                    "SELECT atttypid::regtype::text, attcompression FROM pg_attribute"
                    " WHERE attrelid = 'interviews'::regclass AND attname = 'engine_state'"
                )
            ).one()
        assert kind[0] == "json"
        lz4 = "lz4" in _toast_compressions(engine)
        assert kind[1] == ("l" if lz4 else "")
        with Session(engine) as session:
            assert _by_public_id(session, "p1").engine_state == state
    finally:
        engine.dispose()


def _toast_compressions(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        ).scalar()
    return list(found or [])


def test_upgrade_works_from_any_working_directory(
    blank_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no alembic.ini or migrations folder here
    upgrade(blank_db_url)
    engine = make_engine(blank_db_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_migrated_schema_matches_models(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []

        # Guard against a comparison that can never fail: a model-only table must show up.
        extra = MetaData()
        for table in Base.metadata.tables.values():
            table.to_metadata(extra)
        Table("not_migrated", extra, Column("id", Integer, primary_key=True))
        diffs = compare_metadata(context, extra)
    assert [diff[0] for diff in diffs] == ["add_table"]


# --- round trips ------------------------------------------------------------------------


def test_round_trip_of_every_table(session_factory: sessionmaker[Session]) -> None:
    consent_at = datetime(2025, 3, 1, 14, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    with session_factory.begin() as session:
        campaign = _campaign(session)
        interview = _interview(session, campaign)
        interview.consent = True
        interview.consent_at = consent_at
        interview.problem = "Charged twice 💳"
        interview.moment_of_truth = "The refund email"
        interview.moment_of_truth_step = 2
        interview.resolved = "partly"
        interview.effort = 5
        interview.improvement = "Call me back"
        interview.anything_else = "no"
        interview.extra_answers = {"nps": 3, "tags": ["billing"]}
        inbound = q.add_message(
            session,
            interview=interview,
            direction="in",
            text="yes",
            choice="yes",
            slot="consent",
            channel_message_id="slack-1",
        )
        q.add_message(
            session,
            interview=interview,
            direction="out",
            text="What happened first?",
            slot="step",
            choices=[{"value": "phone", "label": "Phone"}],
            in_reply_to=inbound,
        )
        q.replace_step_records(
            session,
            interview=interview,
            steps=[
                q.StepRecordData(
                    ordinal=1,
                    doing="Called support",
                    channel="phone",
                    channel_text="rang them",
                    feeling=2,
                    thinking="Why so slow?",
                    duration_minutes=45,
                    duration_text="about 45 minutes",
                    people=("agent",),
                    tools=("IVR",),
                    people_tools_text="an agent and the phone menu",
                    pains=("long_wait", "transferred"),
                    pain_text="waited forever",
                    source_message_ids=(inbound.id,),
                )
            ],
        )
        public_id = interview.public_id
        inbound_id = inbound.id

    with session_factory() as session:
        loaded = q.get_interview(session, public_id)
        assert loaded is not None
        assert len(loaded.public_id) == 36
        assert loaded.campaign.slug == "support-2025"
        assert loaded.campaign.open_link is True
        assert (loaded.campaign.name, loaded.campaign.guide_name) == ("Support journeys", "support")
        assert loaded.campaign.guide_version == "1.0"
        assert loaded.campaign.guide_source == "name: support\nquestions: []\n"
        assert loaded.campaign.consent_text == "May we store your answers?"
        assert (loaded.channel, loaded.status, loaded.consent) == ("web", "awaiting_consent", True)
        assert loaded.campaign.created_at.tzinfo is not None
        participant = loaded.participant
        assert participant is not None
        assert participant.attributes == {"plan": "pro"}
        assert participant.created_at.utcoffset() == timedelta(0)
        assert loaded.consent_at == consent_at  # same instant ...
        assert loaded.consent_at is not None
        assert loaded.consent_at.tzinfo is UTC  # ... reported in UTC
        assert loaded.consent_at.hour == 12
        assert loaded.consent_at.microsecond == 123456
        for stamp in (loaded.started_at, loaded.updated_at):
            assert stamp.tzinfo is UTC
            assert abs(datetime.now(UTC) - stamp) < timedelta(minutes=5)
        assert loaded.completed_at is None
        assert loaded.engine_state == {"slot": "consent", "steps": []}
        assert loaded.extra_answers == {"nps": 3, "tags": ["billing"]}
        assert (loaded.problem, loaded.resolved, loaded.effort) == ("Charged twice 💳", "partly", 5)
        assert (loaded.moment_of_truth_step, loaded.improvement) == (2, "Call me back")

        first, second = loaded.messages
        assert (first.direction, first.text, first.choice, first.slot) == (
            "in",
            "yes",
            "yes",
            "consent",
        )
        assert first.channel_message_id == "slack-1"
        assert first.redacted is False
        assert first.choices is None
        assert first.created_at.tzinfo is UTC
        assert second.choices == [{"value": "phone", "label": "Phone"}]
        assert second.in_reply_to_id == inbound_id
        assert second.in_reply_to is first

        (step,) = loaded.steps
        assert q.step_data(step) == q.StepRecordData(
            ordinal=1,
            doing="Called support",
            channel="phone",
            channel_text="rang them",
            feeling=2,
            thinking="Why so slow?",
            duration_minutes=45,
            duration_text="about 45 minutes",
            people=("agent",),
            tools=("IVR",),
            people_tools_text="an agent and the phone menu",
            pains=("long_wait", "transferred"),
            pain_text="waited forever",
            source_message_ids=(inbound_id,),
        )


def test_naive_datetimes_are_rejected(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        interview = _interview(session, _campaign(session))
        interview.completed_at = datetime(2025, 1, 1, 12, 0)
        with pytest.raises(StatementError, match="naive datetime"):
            session.flush()


def test_revision_counts_updates_and_guards_against_lost_updates(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        public_id = _interview(session, _campaign(session)).public_id
    with session_factory.begin() as session:
        interview = _by_public_id(session, public_id)
        assert interview.revision == 0
        interview.status = "active"
    with session_factory.begin() as session:
        interview = _by_public_id(session, public_id)
        assert interview.revision == 1

    # A writer holding a stale copy must not overwrite the newer turn.
    with session_factory() as stale_session:
        stale = q.get_interview(stale_session, public_id)
        assert stale is not None
        stale_session.commit()  # release the read transaction (SQLite holds a write lock)
        with session_factory.begin() as session:
            fresh = q.get_interview(session, public_id)
            assert fresh is not None
            fresh.status = "paused"
        stale.status = "completed"
        with pytest.raises(StaleDataError):
            stale_session.commit()


def test_deleting_an_interview_deletes_its_messages_and_steps(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        campaign = _campaign(session)
        interview = _interview(session, campaign)
        inbound = q.add_message(session, interview=interview, direction="in", text="hi")
        q.add_message(
            session, interview=interview, direction="out", text="Hi!", in_reply_to=inbound
        )
        q.replace_step_records(
            session, interview=interview, steps=[q.StepRecordData(ordinal=1, doing="x")]
        )
        public_id = interview.public_id
    with session_factory.begin() as session:
        interview = _by_public_id(session, public_id)
        session.delete(interview)
    with session_factory() as session:
        assert q.count_messages(session) == 0
        assert session.scalars(select(StepRecord)).all() == []
        assert len(session.scalars(select(Participant)).all()) == 1


# --- campaigns and participants -----------------------------------------------------------


def test_campaign_slugs_are_unique(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        _campaign(session, "a")
        with pytest.raises(q.DuplicateSlug, match="'a'"):
            _campaign(session, "a")
        _campaign(session, "b")  # the transaction is still usable
    with session_factory() as session:
        assert [c.slug for c in q.list_campaigns(session)] == ["a", "b"]
        found = q.get_campaign_by_slug(session, "b")
        assert found is not None
        assert found.slug == "b"
        assert q.get_campaign_by_slug(session, "missing") is None


def test_campaign_slug_constraint_backs_the_check(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_factory.begin() as session:
        _campaign(session, "a")
    # A concurrent insert the up-front lookup could not see yet: only the constraint knows.
    monkeypatch.setattr(q, "get_campaign_by_slug", lambda session, slug: None)
    with session_factory.begin() as session:
        with pytest.raises(q.DuplicateSlug):
            _campaign(session, "a")
        _campaign(session, "b")  # the savepoint kept the transaction usable
    with session_factory() as session:
        assert [c.slug for c in q.list_campaigns(session)] == ["a", "b"]


def test_get_or_create_participant(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        campaign = _campaign(session)
        first = q.get_or_create_participant(
            session,
            campaign=campaign,
            external_id="u1",
            display_name="Ada",
            attributes={"plan": "pro", "region": "eu"},
        )
        again = q.get_or_create_participant(
            session,
            campaign=campaign,
            external_id="u1",
            email="ada@example.com",
            attributes={"plan": "free"},
        )
        assert again is first
        assert (again.display_name, again.email) == ("Ada", "ada@example.com")
        assert again.attributes == {"plan": "free", "region": "eu"}
        anonymous = [
            q.get_or_create_participant(session, campaign=campaign, external_id=None)
            for _ in range(2)
        ]
        assert anonymous[0].id != anonymous[1].id
        other_campaign = _campaign(session, "other")
        elsewhere = q.get_or_create_participant(session, campaign=other_campaign, external_id="u1")
        assert elsewhere.id != first.id
    with session_factory() as session:
        stored = session.get(Participant, first.id)
        assert stored is not None
        assert stored.attributes == {"plan": "free", "region": "eu"}


# --- messages -----------------------------------------------------------------------------


def test_inbound_channel_message_id_is_unique_per_interview(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        campaign = _campaign(session)
        interview = _interview(session, campaign)
        other = _interview(session, campaign, external_id="cust-2")
        inbound = q.add_message(
            session, interview=interview, direction="in", text="hi", channel_message_id="m1"
        )
        # The same channel id is fine in another interview, and on outbound messages.
        q.add_message(session, interview=other, direction="in", text="hi", channel_message_id="m1")
        q.add_message(
            session, interview=interview, direction="out", text="a", channel_message_id="m1"
        )
        q.add_message(
            session, interview=interview, direction="out", text="b", channel_message_id="m1"
        )
        interview_id = interview.id
        inbound_id = inbound.id

    with session_factory() as session:
        interview = _reload(session, interview_id)
        with pytest.raises(IntegrityError):
            q.add_message(
                session, interview=interview, direction="in", text="hi", channel_message_id="m1"
            )
        session.rollback()
        found = q.find_inbound(session, interview_id=interview_id, channel_message_id="m1")
        assert found is not None
        assert found.id == inbound_id
        assert q.find_inbound(session, interview_id=interview_id, channel_message_id="m2") is None


def test_replies_transcript_and_counts(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        interview = _interview(session, _campaign(session))
        greeting = q.add_message(session, interview=interview, direction="out", text="Hello")
        answer = q.add_message(session, interview=interview, direction="in", text="hi")
        replies = [
            q.add_message(session, interview=interview, direction="out", text=t, in_reply_to=answer)
            for t in ("Thanks", "Next question?")
        ]
        with pytest.raises(ValueError, match="direction"):
            q.add_message(session, interview=interview, direction="sideways", text="?")
        interview_id = interview.id
        answer_id = answer.id
        expected_order = [greeting.id, answer.id, *(r.id for r in replies)]

    with session_factory() as session:
        assert [m.text for m in q.replies_to(session, answer_id)] == ["Thanks", "Next question?"]
        assert q.replies_to(session, expected_order[0]) == []
        assert [m.id for m in q.transcript(session, interview_id)] == expected_order
        assert q.count_messages(session) == 4
        assert q.count_messages(session, interview_id=interview_id, direction="out") == 3
        assert q.count_messages(session, direction="in") == 1
        assert q.count_messages(session, interview_id=interview_id + 1000) == 0


def test_redact_inbound_except(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        interview = _interview(session, _campaign(session))
        other = _interview(session, interview.campaign, external_id="cust-2")
        early = [
            q.add_message(session, interview=interview, direction="in", text=f"secret {i}")
            for i in range(3)
        ]
        question = q.add_message(session, interview=interview, direction="out", text="Consent?")
        decline = q.add_message(
            session, interview=interview, direction="in", text="no", choice="no"
        )
        untouched = q.add_message(session, interview=other, direction="in", text="mine")
        early[0].choice = "yes"

        assert (
            q.redact_inbound_except(session, interview=interview, keep_message_id=decline.id) == 3
        )
        # The in-session objects see the change too (synchronize_session="fetch").
        assert {m.text for m in early} == {""}
        assert (
            q.redact_inbound_except(session, interview=interview, keep_message_id=decline.id) == 0
        )
        ids = {"early": [m.id for m in early], "kept": [question.id, decline.id, untouched.id]}

    with session_factory() as session:
        for message_id in ids["early"]:
            message = session.get(Message, message_id)
            assert message is not None
            assert (message.text, message.redacted) == ("", True)
        kept = [session.get(Message, message_id) for message_id in ids["kept"]]
        assert [(m.text, m.redacted) for m in kept if m is not None] == [
            ("Consent?", False),
            ("no", False),
            ("mine", False),
        ]
        first = session.get(Message, ids["early"][0])
        assert first is not None
        assert first.choice == "yes"


# --- steps --------------------------------------------------------------------------------


def test_replace_step_records_upserts_and_deletes(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        interview = _interview(session, _campaign(session))
        q.replace_step_records(
            session,
            interview=interview,
            steps=[q.StepRecordData(ordinal=n, doing=f"step {n}") for n in (1, 2, 3)],
        )
        ids_before = {s.ordinal: s.id for s in interview.steps}
        interview_id = interview.id

    with session_factory.begin() as session:
        interview = _reload(session, interview_id)
        q.replace_step_records(
            session,
            interview=interview,
            steps=[
                q.StepRecordData(ordinal=4, doing="step 4", pains=("bot_loop",)),
                q.StepRecordData(ordinal=1, doing="step 1, told better", feeling=1),
                q.StepRecordData(ordinal=3, doing="step 3"),
            ],
        )

    with session_factory() as session:
        steps = session.scalars(
            select(StepRecord)
            .where(StepRecord.interview_id == interview_id)
            .order_by(StepRecord.ordinal)
        ).all()
        assert [(s.ordinal, s.doing, s.feeling) for s in steps] == [
            (1, "step 1, told better", 1),
            (3, "step 3", None),
            (4, "step 4", None),
        ]
        assert steps[0].id == ids_before[1]
        assert steps[1].id == ids_before[3]
        assert steps[2].pains == ["bot_loop"]
        assert steps[2].people == []

        interview = _reload(session, interview_id)
        with pytest.raises(ValueError, match="twice"):
            q.replace_step_records(
                session,
                interview=interview,
                steps=[
                    q.StepRecordData(ordinal=1, doing="a"),
                    q.StepRecordData(ordinal=1, doing="b"),
                ],
            )
        with pytest.raises(ValueError, match="1-based"):
            q.replace_step_records(
                session, interview=interview, steps=[q.StepRecordData(ordinal=0, doing="a")]
            )
        q.replace_step_records(session, interview=interview, steps=[])
        assert session.scalars(select(StepRecord)).all() == []


def test_feeling_is_checked_by_the_database(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        interview = _interview(session, _campaign(session))
        with pytest.raises(IntegrityError):
            q.replace_step_records(
                session,
                interview=interview,
                steps=[q.StepRecordData(ordinal=1, doing="x", feeling=6)],
            )


# --- listing and locking -----------------------------------------------------------------


def test_list_interviews_filters_and_orders_newest_first(
    session_factory: sessionmaker[Session],
) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with session_factory.begin() as session:
        a, b = _campaign(session, "a"), _campaign(session, "b")
        made = []
        for n, (campaign, status) in enumerate(
            [(a, "active"), (b, "completed"), (a, "completed"), (a, "declined")]
        ):
            interview = _interview(session, campaign, external_id=f"p{n}")
            interview.status = status
            interview.started_at = start + timedelta(hours=n)
            made.append(interview.public_id)

    with session_factory() as session:
        newest_first = [i.public_id for i in q.list_interviews(session)]
        assert newest_first == made[::-1]
        assert [i.public_id for i in q.list_interviews(session, campaign_slug="a")] == [
            made[3],
            made[2],
            made[0],
        ]
        assert [
            i.public_id for i in q.list_interviews(session, campaign_slug="a", status="completed")
        ] == [made[2]]
        assert [i.public_id for i in q.list_interviews(session, limit=2)] == made[:1:-1]
        assert q.list_interviews(session, campaign_slug="missing") == []


def test_get_interview_for_update(
    session_factory: sessionmaker[Session], db_engine: Engine
) -> None:
    with session_factory.begin() as session:
        public_id = _interview(session, _campaign(session)).public_id
    with session_factory() as session:
        assert q.get_interview(session, "no-such-id") is None

    with session_factory() as holder:
        locked = q.get_interview(holder, public_id, for_update=True)
        assert locked is not None
        if db_engine.dialect.name != "postgresql":
            return  # SQLite: BEGIN IMMEDIATE already serialises the whole transaction
        with session_factory() as other:
            other.execute(text("SET LOCAL lock_timeout = '200ms'"))
            with pytest.raises(OperationalError, match="lock"):
                q.get_interview(other, public_id, for_update=True)
            other.rollback()
            assert q.get_interview(other, public_id) is not None  # plain reads don't wait


# --- engines ------------------------------------------------------------------------------


def test_unreachable_postgres_raises_database_unavailable() -> None:
    url = "postgresql+psycopg://journey:s3cret@127.0.0.1:1/test"
    with pytest.raises(DatabaseUnavailable) as caught:
        make_engine(url)
    message = str(caught.value)
    assert "s3cret" not in message
    assert "postgresql+psycopg://journey:***@127.0.0.1:1/test" in message
    assert "127.0.0.1:1" in caught.value.hint
    assert caught.value.url == "postgresql+psycopg://journey:***@127.0.0.1:1/test"

    with pytest.raises(DatabaseUnavailable):
        upgrade(url)


def test_unusable_sqlite_path_raises_database_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(DatabaseUnavailable, match="directory"):
        make_engine(sqlite_url_for_dir(blocker / "data"))


def test_sqlite_engine_settings(tmp_path: Path) -> None:
    url = sqlite_url_for_dir(tmp_path / "nested" / "data")
    assert url == f"sqlite:///{tmp_path}/nested/data/journeyline.db"
    engine = make_engine(url)
    try:
        assert (tmp_path / "nested" / "data").is_dir()
        with engine.connect() as connection:
            pragmas = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
        assert pragmas == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": 5000,
            "synchronous": 2,  # FULL: an acknowledged answer survives a power loss
        }
    finally:
        engine.dispose()


def test_concurrent_sqlite_writers_serialise(tmp_path: Path) -> None:
    url = sqlite_url_for_dir(tmp_path)
    upgrade(url)
    setup = make_engine(url)
    with make_session_factory(setup).begin() as session:
        interview = _interview(session, _campaign(session))
        interview.effort = 0
        public_id = interview.public_id
    setup.dispose()

    rounds = 50
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer(name: str) -> None:
        # One engine per thread, like two worker processes sharing the file.
        engine = make_engine(url)
        factory = make_session_factory(engine)
        try:
            barrier.wait()
            for n in range(rounds):
                # Read, then write: the pattern that deadlocks under deferred BEGIN.
                with factory.begin() as session:
                    row = q.get_interview(session, public_id, for_update=True)
                    assert row is not None
                    row.effort = (row.effort or 0) + 1
                    q.add_message(session, interview=row, direction="in", text=f"{name} {n}")
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert not any(thread.is_alive() for thread in threads)

    check = make_engine(url)
    try:
        with make_session_factory(check)() as session:
            interview_row = q.get_interview(session, public_id)
            assert interview_row is not None
            assert interview_row.effort == 2 * rounds  # no lost updates
            assert interview_row.revision == 1 + 2 * rounds
            assert q.count_messages(session, interview_id=interview_row.id) == 2 * rounds
    finally:
        check.dispose()
