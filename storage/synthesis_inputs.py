"""Reads of what synthesis works from: a campaign's interviews, steps and customer words.

Column queries over the whole campaign instead of ORM objects and a query per
interview, so loading stays linear and cheap at tens of thousands of interviews. Like
``storage.queries``, the ``Session`` comes first and nothing commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from storage.models import Campaign, Interview, Message, Participant, StepRecord
from storage.queries import INBOUND

# Bounded IN lists.
CHUNK = 500


def campaign_id(session: Session, slug: str) -> int | None:
    """The id of the campaign ``slug``, or None."""
    return session.scalar(select(Campaign.id).where(Campaign.slug == slug))


def guide_source(session: Session, slug: str) -> str | None:
    """The resolved guide YAML stored with the campaign ``slug`` (None: no such campaign,
    or an imported one without a guide)."""
    return session.scalar(select(Campaign.guide_source).where(Campaign.slug == slug)) or None


def interview_rows(session: Session, campaign: int) -> Iterator[Row[Any]]:
    """The campaign's interviews: ``id, public_id, status, started_at, consent,
    moment_of_truth, moment_of_truth_step, resolved, effort, improvement, attributes``
    (the participant's)."""
    return iter(
        session.execute(
            select(
                Interview.id,
                Interview.public_id,
                Interview.status,
                Interview.started_at,
                Interview.consent,
                Interview.moment_of_truth,
                Interview.moment_of_truth_step,
                Interview.resolved,
                Interview.effort,
                Interview.improvement,
                Participant.attributes,
            )
            .outerjoin(Participant, Participant.id == Interview.participant_id)
            .where(Interview.campaign_id == campaign)
        )
    )


def step_rows(session: Session, campaign: int) -> Iterator[Row[Any]]:
    """The campaign's steps: ``interview_id, ordinal, doing, channel, feeling,
    duration_minutes, pains, pain_text, thinking, people, tools, source_message_ids,
    provenance``."""
    return iter(
        session.execute(
            select(
                StepRecord.interview_id,
                StepRecord.ordinal,
                StepRecord.doing,
                StepRecord.channel,
                StepRecord.feeling,
                StepRecord.duration_minutes,
                StepRecord.pains,
                StepRecord.pain_text,
                StepRecord.thinking,
                StepRecord.people,
                StepRecord.tools,
                StepRecord.source_message_ids,
                StepRecord.provenance,
            )
            .join(Interview, Interview.id == StepRecord.interview_id)
            .where(Interview.campaign_id == campaign)
        )
    )


def inbound_texts(session: Session, campaign: int) -> dict[int, tuple[int, str]]:
    """Message id -> (interview id, text) of the campaign's unredacted inbound messages."""
    rows = session.execute(
        select(Message.id, Message.interview_id, Message.text)
        .join(Interview, Interview.id == Message.interview_id)
        .where(
            Interview.campaign_id == campaign,
            Message.direction == INBOUND,
            Message.redacted.is_(False),
        )
    )
    return {int(mid): (int(iid), text) for mid, iid, text in rows}


def customer_texts(session: Session, *, interview_ids: Iterable[str]) -> dict[int, str]:
    """Message id -> text of every inbound message of the interviews (by public id)."""
    ids = list(interview_ids)
    texts: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(Message.id, Message.text)
            .join(Interview, Interview.id == Message.interview_id)
            .where(
                Interview.public_id.in_(ids[start : start + CHUNK]), Message.direction == INBOUND
            )
        )
        texts.update({int(row[0]): str(row[1]) for row in rows})
    return texts


def message_texts(session: Session, message_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """Message id -> (interview id, text) of those of ``message_ids`` that are unredacted
    inbound messages (the customer's own words); other ids are left out."""
    ids = sorted(set(message_ids))
    found: dict[int, tuple[int, str]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(Message.id, Message.interview_id, Message.text).where(
                Message.id.in_(ids[start : start + CHUNK]),
                Message.direction == INBOUND,
                Message.redacted.is_(False),
            )
        )
        found.update({int(mid): (int(iid), text) for mid, iid, text in rows})
    return found


def inbound_texts_of(session: Session, interview_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """Message id -> (interview id, text) of the unredacted inbound messages of the
    interviews (by numeric id)."""
    ids = sorted(set(interview_ids))
    found: dict[int, tuple[int, str]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(Message.id, Message.interview_id, Message.text).where(
                Message.interview_id.in_(ids[start : start + CHUNK]),
                Message.direction == INBOUND,
                Message.redacted.is_(False),
            )
        )
        found.update({int(mid): (int(iid), text) for mid, iid, text in rows})
    return found
