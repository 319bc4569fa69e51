"""A declined consent stores only the choice (issue 19): not the refusal's words in the
message row, not in the engine state's answer log, on SQLite and PostgreSQL, whichever
way the turn is taken."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.engine import replay
from bot.conversation.state import InterviewState
from bot.conversation.vocabulary import InterviewStatus
from bot.service.campaign_guides import guide_for
from bot.service.campaigns import create_campaign
from bot.service.interviews import InterviewService
from bot.service.refusals import DECLINED_CHOICE, DECLINED_TEXT
from storage import queries
from storage.models import Interview, Message

CAMPAIGN = "consent-campaign"
REFUSAL = "No thanks. Do not contact me again at jo.bloggs@example.com or +44 7700 900123"
SECRETS = ("jo.bloggs", "example.com", "7700", "contact me")


@pytest.fixture
def service(session_factory: sessionmaker[Session]) -> InterviewService:
    with session_factory.begin() as session:
        create_campaign(session, slug=CAMPAIGN, name="Consent", company="Acme Bank")
    return InterviewService(session_factory)


def _everything_stored(sessions: sessionmaker[Session], public_id: str) -> str:
    """Every message row and the engine state of the interview, as one text."""
    with sessions() as session:
        interview = queries.get_interview(session, public_id)
        assert interview is not None
        messages = session.scalars(select(Message).where(Message.interview_id == interview.id))
        rows = [(m.direction, m.text, m.choice) for m in messages]
        return json.dumps([rows, interview.engine_state], ensure_ascii=False)


def _stored(sessions: sessionmaker[Session], public_id: str) -> tuple[Interview, list[Message]]:
    with sessions() as session:
        interview = queries.get_interview(session, public_id)
        assert interview is not None
        return interview, [m for m in interview.messages if m.direction == "in"]


def _check_only_the_choice_is_kept(
    sessions: sessionmaker[Session], public_id: str, *, typed_before: str | None = None
) -> None:
    interview, inbound = _stored(sessions, public_id)
    assert interview.status == InterviewStatus.DECLINED and interview.consent is False
    refusal = inbound[-1]
    assert (refusal.text, refusal.choice) == (DECLINED_TEXT, DECLINED_CHOICE)
    everything = _everything_stored(sessions, public_id)
    for secret in SECRETS:
        assert secret not in everything
    if typed_before is not None:
        assert typed_before not in everything
    state = InterviewState.model_validate(interview.engine_state)
    assert [(a.text, a.choice, a.message_id) for a in state.answers] == [
        (DECLINED_TEXT, DECLINED_CHOICE, refusal.id)
    ]
    # The log still says what happened: replaying it declines again.
    with sessions() as session:
        stored = queries.get_interview(session, public_id)
        assert stored is not None
        guide = guide_for(stored.campaign)
    assert replay(state.answers, guide).status == InterviewStatus.DECLINED


def test_a_typed_refusal_keeps_only_the_choice(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    public_id = service.start_interview(campaign_slug=CAMPAIGN, channel="test").interview_id
    before = "who is asking? my number is 07700 900123"
    service.handle_message(interview_id=public_id, text=before)
    result = service.handle_message(interview_id=public_id, text=REFUSAL)
    assert result.status == InterviewStatus.DECLINED
    _check_only_the_choice_is_kept(session_factory, public_id, typed_before="who is asking")


def test_a_clicked_refusal_keeps_only_the_choice(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    public_id = service.start_interview(campaign_slug=CAMPAIGN, channel="test").interview_id
    result = service.handle_message(interview_id=public_id, text="No thanks", choice="no")
    assert result.status == InterviewStatus.DECLINED
    _check_only_the_choice_is_kept(session_factory, public_id)


def test_a_refusal_taken_without_waiting_keeps_only_the_choice(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    public_id = service.start_interview(campaign_slug=CAMPAIGN, channel="web").interview_id
    result = service.handle_message_now(interview_id=public_id, text=REFUSAL)
    if result is None:  # PostgreSQL answers in a worker thread: the same turn
        assert not service.answers_without_waiting
        result = service.handle_message(interview_id=public_id, text=REFUSAL)
    assert result.status == InterviewStatus.DECLINED
    _check_only_the_choice_is_kept(session_factory, public_id)


def test_a_redelivered_refusal_stores_nothing_more(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    public_id = service.start_interview(campaign_slug=CAMPAIGN, channel="slack").interview_id
    first = service.handle_message(interview_id=public_id, text=REFUSAL, channel_message_id="e1")
    again = service.handle_message(interview_id=public_id, text=REFUSAL, channel_message_id="e1")
    assert again.duplicate and [r.text for r in again.replies] == [r.text for r in first.replies]
    _check_only_the_choice_is_kept(session_factory, public_id)


def test_consent_given_keeps_the_words(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    public_id = service.start_interview(campaign_slug=CAMPAIGN, channel="test").interview_id
    service.handle_message(interview_id=public_id, text="yes, happy to help")
    _, inbound = _stored(session_factory, public_id)
    assert [m.text for m in inbound] == ["yes, happy to help"]
