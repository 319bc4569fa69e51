"""Retention: deleting the transcripts of ended interviews once their campaign's
``retention_days`` have passed, keeping the anonymous step facts maps count.

What goes: every message of the interview, the free text of its steps (what they did,
thought, the words around channel, duration, people and pains) and of its answers
(problem, moment of truth, improvement, anything else, extra answers), the engine state
(which holds the same words) but for its few word-free fields (``KEPT_STATE_KEYS``),
the steps' links to messages, and the customer's Slack deliveries of that time. What
stays: per step the channel, feeling, duration in minutes, people and tools
(vocabulary values), pains (vocabulary values) and provenance; per interview its
status, consent, resolution, effort and dates. ``doing`` is NOT NULL, so it becomes the
empty string.

An interview has ended when it is completed or declined, at ``completed_at`` (or its
last change when that is missing). One still open is left alone: erase it by person.
``interviews.transcript_deleted_at`` marks the work done, so a run is idempotent and a
second one finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Select, and_, delete, func, select, update
from sqlalchemy.orm import Session

from storage.erasure import slack_events_of
from storage.models import Campaign, Interview, Message, Participant, SlackEvent, StepRecord

# What of the engine state (``bot.conversation.state.InterviewState``) retention keeps:
# the fields a finished interview is read back with, none of them customer text.
KEPT_STATE_KEYS = frozenset(
    {
        "guide_id",
        "guide_version",
        "status",
        "consent",
        "resolved",
        "effort",
        "moment_of_truth_step",
        "steps_closed",
        "playback_confirmed",
        "language",
        "turns",
    }
)
# Interview statuses that end an interview (``bot.conversation.vocabulary``'s
# FINISHED_STATUSES; storage does not import the vocabulary).
ENDED = ("completed", "declined")


@dataclass(frozen=True)
class CampaignRetention:
    slug: str
    days: int
    interviews: int
    messages: int
    steps: int
    slack_events: int


@dataclass
class RetentionReport:
    dry_run: bool
    campaigns: list[CampaignRetention] = field(default_factory=list)

    @property
    def interviews(self) -> int:
        return sum(c.interviews for c in self.campaigns)

    @property
    def messages(self) -> int:
        return sum(c.messages for c in self.campaigns)


def set_retention(session: Session, *, campaign_slug: str, days: int | None) -> bool:
    """Set (``None``: clear) a campaign's retention; False when there is no such campaign."""
    if days is not None and days < 1:
        raise ValueError("retention must be at least one day")
    result = session.execute(
        update(Campaign).where(Campaign.slug == campaign_slug).values(retention_days=days)
    )
    return bool(cast("CursorResult[Any]", result).rowcount)


def apply_retention(session: Session, *, now: datetime, dry_run: bool = False) -> RetentionReport:
    """Delete (or with ``dry_run`` only count) the transcripts due under each campaign's
    retention, in the caller's transaction."""
    report = RetentionReport(dry_run=dry_run)
    campaigns = session.execute(
        select(Campaign.id, Campaign.slug, Campaign.retention_days)
        .where(Campaign.retention_days.is_not(None))
        .order_by(Campaign.slug)
    ).all()
    for campaign in campaigns:
        cutoff = now - timedelta(days=campaign.retention_days)
        due = list(
            session.scalars(
                select(Interview.id).where(
                    Interview.campaign_id == campaign.id,
                    Interview.status.in_(ENDED),
                    Interview.transcript_deleted_at.is_(None),
                    func.coalesce(Interview.completed_at, Interview.updated_at) <= cutoff,
                )
            )
        )
        slack = _slack_deliveries(session, campaign.id, cutoff)
        messages = _count(session, select(func.count()).where(Message.interview_id.in_(due)))
        steps = _count(session, select(func.count()).where(StepRecord.interview_id.in_(due)))
        events = _count(session, select(func.count()).select_from(SlackEvent).where(slack))
        if not dry_run:
            _delete_transcripts(session, due, now=now)
            session.execute(delete(SlackEvent).where(slack))
        if due or events:
            report.campaigns.append(
                CampaignRetention(
                    slug=campaign.slug,
                    days=campaign.retention_days,
                    interviews=len(due),
                    messages=messages,
                    steps=steps,
                    slack_events=events,
                )
            )
    session.flush()
    return report


def _delete_transcripts(session: Session, interview_ids: list[int], *, now: datetime) -> None:
    if not interview_ids:
        return
    session.execute(
        update(Message).where(Message.interview_id.in_(interview_ids)).values(in_reply_to_id=None)
    )
    session.execute(delete(Message).where(Message.interview_id.in_(interview_ids)))
    session.execute(
        update(StepRecord)
        .where(StepRecord.interview_id.in_(interview_ids))
        .values(
            doing="",
            channel_text=None,
            thinking=None,
            duration_text=None,
            people_tools_text=None,
            pain_text=None,
            source_message_ids=[],
        )
    )
    # The engine state keeps what reading a finished interview needs and no words.
    states = session.execute(
        select(Interview.id, Interview.engine_state).where(Interview.id.in_(interview_ids))
    ).all()
    for interview_id, state in states:
        kept = {k: v for k, v in (state or {}).items() if k in KEPT_STATE_KEYS}
        session.execute(
            update(Interview).where(Interview.id == interview_id).values(engine_state=kept)
        )
    # A Core UPDATE: the mapper's revision counter guards turns, and no turn runs on an
    # ended interview; bumping it anyway tells a stale reader (a process's cache of
    # interviews) that its copy is old.
    session.execute(
        update(Interview)
        .where(Interview.id.in_(interview_ids))
        .values(
            problem=None,
            moment_of_truth=None,
            improvement=None,
            anything_else=None,
            extra_answers={},
            transcript_deleted_at=now,
            revision=Interview.revision + 1,
        )
    )


def _slack_deliveries(session: Session, campaign_id: int, cutoff: datetime) -> ColumnElement[bool]:
    """Done Slack deliveries older than the cutoff of the campaign's Slack participants."""
    users = session.execute(
        select(Participant.slack_team_id, Participant.slack_user_id).where(
            Participant.campaign_id == campaign_id, Participant.slack_user_id.is_not(None)
        )
    ).all()
    return and_(
        SlackEvent.created_at <= cutoff,
        SlackEvent.done_at.is_not(None),
        slack_events_of((team or "", user) for team, user in users if user),
    )


def _count(session: Session, statement: Select[int]) -> int:
    return int(session.scalar(statement) or 0)
