"""An interview's transcript as the review console shows it: every message in order,
each with its anchor (``#m{id}``) so a quote opens at its message, the steps each
customer message told, and the stage each step is in on the map."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.service.review.errors import TranscriptNotFound
from bot.service.review.masking import mask_text_of
from bot.understanding.personal_data import given_names
from storage import queries
from storage.models import Interview, Message
from synthesis.model import JourneyMap
from synthesis.step_index import StepIndex


@dataclass(frozen=True)
class MessageView:
    id: int
    direction: str
    text: str
    created_at: datetime
    # The step ordinals this customer message told (it is their source message).
    steps: tuple[int, ...]


@dataclass(frozen=True)
class StepPlace:
    ordinal: int
    stage_id: str | None
    stage_name: str | None


@dataclass(frozen=True)
class TranscriptView:
    interview_id: str
    campaign: str
    status: str
    channel: str
    started_at: datetime
    completed_at: datetime | None
    # Label -> value of who the participant is; None when the role may not see it.
    participant: dict[str, str] | None
    messages: list[MessageView]
    steps: list[StepPlace]
    masked: bool


def transcript_view(
    session: Session,
    *,
    journey_map: JourneyMap,
    index: StepIndex,
    interview_id: str,
    masked: bool,
) -> TranscriptView:
    """The transcript of one of the map's interviews (:class:`TranscriptNotFound` for any
    other: a map page opens only the interviews it was drawn from)."""
    if interview_id not in set(journey_map.interview_ids):
        raise TranscriptNotFound(interview_id)
    interview = queries.get_interview(session, interview_id)
    if interview is None or interview.campaign.slug != journey_map.campaign:
        raise TranscriptNotFound(interview_id)
    told: dict[int, list[int]] = {}
    for (owner, ordinal), sources in index.sources.items():
        if owner == interview_id:
            for message_id in sources:
                told.setdefault(message_id, []).append(ordinal)
    stored = [m for m in queries.transcript(session, interview.id) if not m.redacted]
    names = _their_names(interview, stored) if masked else frozenset()
    messages = [
        MessageView(
            id=m.id,
            direction=m.direction,
            text=mask_text_of(m.text, names) if masked else m.text,
            created_at=m.created_at,
            steps=tuple(sorted(told.get(m.id, ()))) if m.direction == "in" else (),
        )
        for m in stored
    ]
    stage_of = {(r.interview_id, r.ordinal): s for s in journey_map.stages for r in s.steps}
    steps = [
        StepPlace(
            ordinal=ordinal,
            stage_id=stage_of[(owner, ordinal)].id if (owner, ordinal) in stage_of else None,
            stage_name=stage_of[(owner, ordinal)].name if (owner, ordinal) in stage_of else None,
        )
        for owner, ordinal in sorted(index.steps)
        if owner == interview_id
    ]
    participant = None
    if not masked and interview.participant is not None:
        person = interview.participant
        details = {
            "Name": person.display_name,
            "Email": person.email,
            "Id": person.external_id,
            "Slack user": person.slack_user_id,
        }
        participant = {k: v for k, v in details.items() if v}
        participant.update({str(k): str(v) for k, v in sorted((person.attributes or {}).items())})
    return TranscriptView(
        interview_id=interview.public_id,
        campaign=interview.campaign.name,
        status=interview.status,
        channel=interview.channel,
        started_at=interview.started_at,
        completed_at=interview.completed_at,
        participant=participant,
        messages=messages,
        steps=steps,
        masked=masked,
    )


def _their_names(interview: Interview, messages: list[Message]) -> frozenset[str]:
    """The customer's own names, to mask wherever they appear in the transcript ("Ana
    here again", the bot's "Thanks, Ana"): the ones they gave in their messages ("my name
    is Ana Lima") and the participant's name on the campaign's list."""
    found = set(given_names(m.text for m in messages if m.direction == "in"))
    person = interview.participant
    if person is not None and person.display_name:
        found.update(w for w in person.display_name.split() if len(w) > 1 and w[:1].isupper())
    return frozenset(found)
