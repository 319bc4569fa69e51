"""Reading an interview back: what a client shows (transcript, status, pending
question, progress) and the question to resume at."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation import engine
from bot.conversation.messages import Choice, Reply
from bot.conversation.progress import Progress, progress
from bot.conversation.state import InterviewState
from bot.conversation.vocabulary import InterviewStatus
from bot.service.campaign_guides import guide_for
from bot.service.campaign_states import refuse_unless_open
from bot.service.errors import CampaignClosed, InterviewNotFound
from bot.service.quotas import quota_attributes, refuse_full_cell
from bot.service.results import TurnResult
from storage import queries
from storage.models import Campaign, Interview
from storage.types import utcnow


@dataclass(frozen=True)
class StoredMessage:
    id: int
    direction: str
    text: str
    slot: str | None
    choices: tuple[Choice, ...]
    items: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class InterviewSnapshot:
    interview_id: str
    status: InterviewStatus
    messages: tuple[StoredMessage, ...]
    pending: tuple[Reply, ...]
    progress: Progress


def snapshot_of(session: Session, interview: Interview) -> InterviewSnapshot:
    """The snapshot of an interview loaded in `session`."""
    guide = guide_for(interview.campaign)
    state = InterviewState.model_validate(interview.engine_state)
    messages = tuple(
        StoredMessage(
            id=m.id,
            direction=m.direction,
            text=m.text,
            slot=m.slot,
            choices=tuple(Choice(**c) for c in (m.choices or [])),
            items=tuple(m.items or ()),
            created_at=m.created_at,
        )
        for m in queries.transcript(session, interview.id)
        if not m.redacted
    )
    return InterviewSnapshot(
        interview_id=interview.public_id,
        status=InterviewStatus(interview.status),
        messages=messages,
        pending=tuple(engine.current_question(state, guide)),
        progress=progress(state, guide),
    )


class Transcripts:
    """Reads interviews (through ``read_sessions``: no write lock is taken)."""

    def __init__(self, read_sessions: sessionmaker[Session]) -> None:
        self._sessions = read_sessions

    def snapshot(self, interview_id: str) -> InterviewSnapshot:
        """Everything a client shows: transcript, status, pending question and progress."""
        with self._sessions() as session:
            return snapshot_of(session, self._interview(session, interview_id))

    def pending(self, interview_id: str) -> TurnResult:
        """The question the interview waits on (to resume after a restart)."""
        with self._sessions() as session:
            interview = self._interview(session, interview_id)
            state = InterviewState.model_validate(interview.engine_state)
            replies = engine.current_question(state, guide_for(interview.campaign))
            return TurnResult(
                interview.public_id, InterviewStatus(interview.status), tuple(replies)
            )

    @staticmethod
    def _interview(session: Session, interview_id: str) -> Interview:
        interview = queries.get_interview(session, interview_id)
        if interview is None:
            raise InterviewNotFound(interview_id)
        return interview


@dataclass(frozen=True)
class CampaignFace:
    """How a campaign presents itself to a customer: its name, the company asking and
    the consent wording."""

    slug: str
    name: str
    company: str
    consent_text: str


def campaign_face(campaign: Campaign) -> CampaignFace:
    guide = guide_for(campaign)
    return CampaignFace(campaign.slug, campaign.name, guide.company, guide.say("consent"))


@dataclass(frozen=True)
class OpenLinkEntry:
    """An open link as a visitor arrives at it: the campaign's face, the quota
    attributes their link named, and why they are turned away (None: welcome)."""

    face: CampaignFace
    attributes: dict[str, str]
    refusal: CampaignClosed | None


class CampaignFaces:
    """Reads what pages show of campaigns (through ``read_sessions``)."""

    def __init__(self, read_sessions: sessionmaker[Session]) -> None:
        self._sessions = read_sessions

    def open_link(self, slug: str, given: Mapping[str, Any] | None = None) -> OpenLinkEntry | None:
        """The campaign behind the open link ``slug``; None unless it has an open link.
        ``given``: what the link's address names of the visitor (``?plan=pro``), of which
        the attributes that pick a quota cell are kept. The entry says why it turns the
        visitor away, if it does (closed, not open yet, their quota cell full)."""
        with self._sessions() as session:
            campaign = queries.get_campaign_by_slug(session, slug)
            if campaign is None or not campaign.open_link:
                return None
            attributes = quota_attributes(campaign, given or {})
            refusal: CampaignClosed | None = None
            try:
                refuse_unless_open(
                    slug,
                    status=campaign.status,
                    starts_at=campaign.starts_at,
                    ends_at=campaign.ends_at,
                    now=utcnow(),
                )
                refuse_full_cell(session, campaign, attributes)
            except CampaignClosed as refused:
                refusal = refused
            return OpenLinkEntry(campaign_face(campaign), attributes, refusal)

    def of_interview(self, interview_id: str) -> CampaignFace:
        """The campaign of interview ``interview_id`` (or `InterviewNotFound`)."""
        with self._sessions() as session:
            interview = queries.get_interview(session, interview_id)
            if interview is None:
                raise InterviewNotFound(interview_id)
            return campaign_face(interview.campaign)
