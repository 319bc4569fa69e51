"""Agreeing to hear back (issue 18, item 6): a second "yes" on the consent question,
stored with the consent on SQLite and PostgreSQL, whichever channel takes it (web chat,
Slack button, terminal), and never a question more for the customer."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.questions import CONSENT_CHOICES, HEAR_BACK
from bot.importer import import_lines
from bot.service.campaigns import create_campaign
from bot.service.interviews import InterviewService
from bot.slack.blocks import reply_blocks
from bot.terminal import render_reply, run_chat
from storage import queries

CAMPAIGN = "hear-back"


@pytest.fixture
def service(session_factory: sessionmaker[Session]) -> InterviewService:
    with session_factory.begin() as session:
        create_campaign(session, slug=CAMPAIGN, name="Hear back", company="Acme Bank")
    return InterviewService(session_factory)


def _stored(sessions: sessionmaker[Session], public_id: str) -> tuple[bool | None, bool]:
    with sessions() as session:
        interview = queries.get_interview(session, public_id)
        assert interview is not None
        return interview.consent, interview.hear_back


@pytest.mark.parametrize(
    ("text", "choice", "expected"),
    [
        ("Yes, and tell me what you change", HEAR_BACK, (True, True)),
        ("Yes, that's fine", "yes", (True, False)),
        ("yes, and keep me posted please", None, (True, True)),
        ("sure", None, (True, False)),
        ("No thanks, and don't keep me posted", None, (False, False)),
    ],
)
def test_the_consent_answer_stores_whether_to_hear_back(
    service: InterviewService,
    session_factory: sessionmaker[Session],
    text: str,
    choice: str | None,
    expected: tuple[bool, bool],
) -> None:
    public_id = service.start_interview(campaign_slug=CAMPAIGN, channel="web").interview_id
    service.handle_message(interview_id=public_id, text=text, choice=choice)
    assert _stored(session_factory, public_id) == expected


def test_hearing_back_asks_the_customer_nothing_more(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    """The same next question after either yes: the interview is no longer."""
    plain = service.start_interview(campaign_slug=CAMPAIGN, channel="web").interview_id
    told = service.start_interview(campaign_slug=CAMPAIGN, channel="web").interview_id
    first = service.handle_message(interview_id=plain, text="Yes", choice="yes")
    second = service.handle_message(interview_id=told, text="Yes", choice=HEAR_BACK)
    assert [r.text for r in first.replies] == [r.text for r in second.replies]
    assert first.progress == second.progress


def test_the_choice_is_offered_on_every_channel(service: InterviewService) -> None:
    start = service.start_interview(campaign_slug=CAMPAIGN, channel="web")
    consent = start.replies[-1]
    assert [c.value for c in consent.choices] == [c.value for c in CONSENT_CHOICES]
    # Slack: a button carrying the value.
    buttons = json.dumps(reply_blocks(consent))
    assert f'"value": "{HEAR_BACK}"' in buttons
    assert "Yes, and tell me what you change" in buttons
    # Terminal: listed, and typing its label picks it.
    assert "[ Yes, and tell me what you change ]" in render_reply(consent, width=200)


def test_typing_the_label_in_the_terminal_picks_hearing_back(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    public_id = service.start_interview(campaign_slug=CAMPAIGN, channel="terminal").interview_id
    written: list[str] = []
    run_chat(
        service,
        public_id,
        lines=["Yes, and tell me what you change"],
        write=written.append,
    )
    assert _stored(session_factory, public_id) == (True, True)


def test_an_imported_interview_carries_its_hear_back(
    service: InterviewService, session_factory: sessionmaker[Session]
) -> None:
    """Transcripts from elsewhere say whether the customer asked to hear back."""
    lines = [
        json.dumps(
            {
                "external_id": f"imp-{n}",
                "participant": {"id": f"p{n}", "email": f"p{n}@example.org"},
                "steps": [{"doing": "I called the bank", "channel": "phone", "feeling": 2}],
                **({"hear_back": True} if n else {}),
            }
        )
        for n in range(2)
    ]
    report = import_lines(session_factory, lines, campaign_slug=CAMPAIGN)
    assert report.problems == [] and len(report.imported) == 2
    stored = [_stored(session_factory, public_id) for public_id in report.imported]
    assert stored == [(True, False), (True, True)]
