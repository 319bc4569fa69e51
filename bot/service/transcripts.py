"""What a client shows of an interview: transcript, status, pending question, progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.conversation import engine
from bot.conversation.messages import Choice, Reply
from bot.conversation.progress import Progress, progress
from bot.conversation.state import InterviewState
from bot.conversation.vocabulary import InterviewStatus
from bot.service.campaign_guides import guide_for
from storage import queries
from storage.models import Interview


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
