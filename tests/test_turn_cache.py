"""The turn's hot path: the revision-checked interview cache and the Core statements.

Each service instance stands for a server process with its own cache. Whatever mix of
processes answers an interview, and however their turns interleave, the result must be
what one process would have stored: no turn may act on state another one changed.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.service.access_tokens import hash_token
from bot.service.campaigns import create_campaign
from bot.service.errors import InterviewNotFound
from bot.service.interview_cache import InterviewCache
from bot.service.interviews import InterviewService
from bot.service.links import Links
from bot.web.schemas import TurnView, turn_json, turn_view
from storage import queries
from storage.engines import make_engine, make_session_factory
from storage.models import Message

CAMPAIGN = "cache-campaign"
# A whole short conversation: consent, problem, first step with its questions.
SCRIPT = [
    ("yes", None),
    (None, "I was charged twice for my broadband"),
    (None, "I called them"),
    (None, "phone"),
    ("2", None),
    (None, "that this would never end"),
    (None, "40 minutes"),
]


@pytest.fixture
def sessions(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with session_factory.begin() as session:
        create_campaign(session, slug=CAMPAIGN, name="Cache", open_link=True)
    return session_factory


def _say(service: InterviewService, interview_id: str, n: int) -> tuple[object, ...]:
    choice, text = SCRIPT[n]
    result = service.handle_message(
        interview_id=interview_id, text=text or "", choice=choice, channel_message_id=f"m{n}"
    )
    return result.replies


def _revision(sessions: sessionmaker[Session], interview_id: str) -> int:
    with sessions() as session:
        row = queries.get_interview(session, interview_id)
        assert row is not None
        return row.revision


def _inbound(sessions: sessionmaker[Session], interview_id: str) -> list[str | None]:
    with sessions() as session:
        interview = queries.get_interview(session, interview_id)
        assert interview is not None
        return list(
            session.scalars(
                select(Message.channel_message_id)
                .where(Message.interview_id == interview.id, Message.direction == "in")
                .order_by(Message.id)
            )
        )


def test_alternating_processes_answer_as_one_would(sessions: sessionmaker[Session]) -> None:
    alone = InterviewService(sessions)
    reference_id = alone.start_interview(campaign_slug=CAMPAIGN, channel="test").interview_id
    expected = [_say(alone, reference_id, n) for n in range(len(SCRIPT))]

    first, second = InterviewService(sessions), InterviewService(sessions)
    interview_id = first.start_interview(campaign_slug=CAMPAIGN, channel="test").interview_id
    started = _revision(sessions, interview_id)
    # Each turn goes to the other "process": every cached copy is stale by then.
    got = [_say((first, second)[n % 2], interview_id, n) for n in range(len(SCRIPT))]
    assert got == expected
    assert _inbound(sessions, interview_id) == [f"m{n}" for n in range(len(SCRIPT))]
    assert _revision(sessions, interview_id) == started + len(SCRIPT)  # one per stored turn


def test_a_rolled_back_turn_leaves_the_cache_usable(sessions: sessionmaker[Session]) -> None:
    service = InterviewService(sessions)
    interview_id = service.start_interview(campaign_slug=CAMPAIGN, channel="test").interview_id
    _say(service, interview_id, 0)
    with pytest.raises(InterviewNotFound):  # wrong token: rejected inside the transaction
        service.handle_message(interview_id=interview_id, text="hi", access_token="wrong")
    _say(service, interview_id, 1)
    assert _inbound(sessions, interview_id) == ["m0", "m1"]


def test_an_orm_write_elsewhere_is_seen(sessions: sessionmaker[Session]) -> None:
    # The web process caches the interview with its token; another process re-issues
    # the token (an ORM write). The old token must stop working at once.
    web = InterviewService(sessions)
    token = "first-token"
    snapshot = web.start_anonymous(
        campaign_slug=CAMPAIGN, channel="web", access_token_hash=hash_token(token)
    )
    interview_id = snapshot.interview_id
    web.handle_message(interview_id=interview_id, choice="yes", access_token=token)
    new_token = Links(sessions, InterviewService(sessions)).grant(interview_id)
    with pytest.raises(InterviewNotFound):
        web.handle_message(interview_id=interview_id, text="My bill", access_token=token)
    result = web.handle_message(interview_id=interview_id, text="My bill", access_token=new_token)
    assert not result.duplicate


def test_concurrent_turns_from_many_processes_keep_every_message_once(
    sessions: sessionmaker[Session], db_engine: Engine
) -> None:
    """Many "processes" post distinct messages, and re-post them, to one interview at
    the same time: each is stored exactly once, every answer is the stored one."""
    opener = InterviewService(sessions)
    interview_id = opener.start_interview(campaign_slug=CAMPAIGN, channel="test").interview_id
    opener.handle_message(interview_id=interview_id, choice="yes", channel_message_id="c")
    consented = _revision(sessions, interview_id)
    errors: list[BaseException] = []
    first_answers: dict[str, tuple[object, ...]] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        engine = make_engine(db_engine.url)
        try:
            service = InterviewService(make_session_factory(engine), cache=InterviewCache())
            barrier.wait()
            for n in range(6):
                # Every worker posts every message id: only one delivery of each stores.
                delivery = f"d{n}"
                result = service.handle_message(
                    interview_id=interview_id, text=f"answer {n}", channel_message_id=delivery
                )
                with lock:
                    earlier = first_answers.setdefault(delivery, result.replies)
                assert result.replies == earlier, (name, delivery)
        except BaseException as error:  # reported to the main thread below
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker, args=(str(i),)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    stored = _inbound(sessions, interview_id)
    assert sorted(str(s) for s in stored) == sorted(["c", *(f"d{n}" for n in range(6))])
    assert len(stored) == len(set(stored))
    assert _revision(sessions, interview_id) == consented + 6  # six stored turns, no more


def test_open_link_start_is_what_a_reread_shows(sessions: sessionmaker[Session]) -> None:
    service = InterviewService(sessions)
    started = service.start_anonymous(
        campaign_slug=CAMPAIGN, channel="web", access_token_hash=hash_token("t")
    )
    assert service.snapshot(started.interview_id) == started
    # The cached copy is used for the first turn and agrees with a fresh process.
    fresh = InterviewService(sessions)
    answered = service.handle_message(interview_id=started.interview_id, choice="yes")
    assert answered.replies[-1] == fresh.pending(started.interview_id).replies[-1]


def test_turn_json_is_the_documented_view(sessions: sessionmaker[Session]) -> None:
    service = InterviewService(sessions)
    interview_id = service.start_interview(campaign_slug=CAMPAIGN, channel="test").interview_id
    for n in range(len(SCRIPT)):
        choice, text = SCRIPT[n]
        result = service.handle_message(interview_id=interview_id, text=text or "", choice=choice)
        assert TurnView.model_validate_json(turn_json(result)) == turn_view(result)
