"""Bulk writes for imported interviews: whole interviews (participant, interview, messages,
steps, provenance) in a few multi-row statements instead of one ORM flush per row.

The caller owns the transaction, as everywhere in storage. :func:`insert_interviews`
writes every row of every given interview or, when a statement fails, raises and leaves
the rollback to the caller, so a batch is never half-stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from storage.models import ImportedInterview, Interview, Message, Participant, StepRecord
from storage.queries import StepRecordData
from storage.types import utcnow

__all__ = ["NewInterview", "NewMessage", "imported_hashes", "insert_interviews"]


@dataclass(frozen=True)
class NewMessage:
    direction: str  # "in" (the customer) or "out" (the question)
    text: str
    slot: str | None = None


@dataclass(frozen=True)
class NewInterview:
    """One interview to store. ``steps[i].source_message_ids`` are *indexes* into
    ``messages``; they are replaced by the stored message ids."""

    campaign_id: int
    external_id: str
    content_hash: str
    engine_state: Mapping[str, Any]
    messages: Sequence[NewMessage]
    steps: Sequence[StepRecordData]
    participant_external_id: str | None = None
    display_name: str | None = None
    email: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    status: str = "completed"
    channel: str = "import"
    problem: str | None = None
    moment_of_truth: str | None = None
    moment_of_truth_step: int | None = None
    resolved: str | None = None
    effort: int | None = None
    improvement: str | None = None
    anything_else: str | None = None
    extra_answers: Mapping[str, str] = field(default_factory=dict)
    hear_back: bool = False
    started_at: datetime | None = None
    completed_at: datetime | None = None


def imported_hashes(
    session: Session, *, campaign_id: int, external_ids: Collection[str]
) -> dict[str, str]:
    """external id -> content hash of the campaign's interviews imported before."""
    if not external_ids:
        return {}
    rows = session.execute(
        select(ImportedInterview.external_id, ImportedInterview.content_hash).where(
            ImportedInterview.campaign_id == campaign_id,
            ImportedInterview.external_id.in_(list(external_ids)),
        )
    )
    return {str(external_id): str(content_hash) for external_id, content_hash in rows}


def insert_interviews(
    session: Session, interviews: Sequence[NewInterview], *, source: str | None = None
) -> list[str]:
    """Store the interviews with their participants, messages, steps and provenance;
    return their new public ids (same order). Participants with an external id are
    reused per campaign (attributes merged over the stored ones, newest wins); without
    one, a participant is created only when there are attributes, a name or an email."""
    if not interviews:
        return []
    now = utcnow()
    participant_ids = _participants(session, interviews)
    public_ids = [str(uuid.uuid4()) for _ in interviews]
    interview_ids = _insert_ids(
        session,
        Interview,
        [
            {
                "public_id": public_id,
                "campaign_id": item.campaign_id,
                "participant_id": participant_id,
                "channel": item.channel,
                "status": item.status,
                "engine_state": dict(item.engine_state),
                "consent": True,
                "consent_at": item.started_at or now,
                "hear_back": item.hear_back,
                "problem": item.problem,
                "moment_of_truth": item.moment_of_truth,
                "moment_of_truth_step": item.moment_of_truth_step,
                "resolved": item.resolved,
                "effort": item.effort,
                "improvement": item.improvement,
                "anything_else": item.anything_else,
                "extra_answers": dict(item.extra_answers),
                "started_at": item.started_at or now,
                "updated_at": now,
                "completed_at": item.completed_at or item.started_at or now,
                "revision": 0,
            }
            for item, public_id, participant_id in zip(
                interviews, public_ids, participant_ids, strict=True
            )
        ],
    )
    message_rows = [
        {
            "interview_id": interview_id,
            "direction": message.direction,
            "text": message.text,
            "slot": message.slot,
            "redacted": False,
            "created_at": item.started_at or now,
        }
        for item, interview_id in zip(interviews, interview_ids, strict=True)
        for message in item.messages
    ]
    message_ids = _insert_ids(session, Message, message_rows)
    step_rows: list[dict[str, Any]] = []
    offset = 0
    for item, interview_id in zip(interviews, interview_ids, strict=True):
        ids = message_ids[offset : offset + len(item.messages)]
        offset += len(item.messages)
        step_rows += [_step_row(step, interview_id, ids) for step in item.steps]
    if step_rows:
        session.execute(insert(StepRecord), step_rows)
    session.execute(
        insert(ImportedInterview),
        [
            {
                "campaign_id": item.campaign_id,
                "external_id": item.external_id,
                "interview_id": interview_id,
                "content_hash": item.content_hash,
                "source": source,
                "imported_at": now,
            }
            for item, interview_id in zip(interviews, interview_ids, strict=True)
        ],
    )
    return public_ids


def _insert_ids(
    session: Session, model: type[Interview] | type[Message] | type[Participant], rows: list[Any]
) -> list[int]:
    """Insert ``rows`` and return their new ids, in order.

    PostgreSQL: one multi-row INSERT ... RETURNING per page, ordered by SQLAlchemy. SQLite
    would run that row by row, so there the ids are handed out here, after the highest
    stored one: safe because every write transaction of ``storage.engines`` holds SQLite's
    write lock from its BEGIN IMMEDIATE; on an engine without it, a concurrent writer makes
    the insert fail on the primary key (and the batch roll back), never mix rows up.
    """
    if not rows:
        return []
    if session.get_bind().dialect.name == "sqlite":
        start = int(session.scalar(select(func.max(model.id))) or 0) + 1
        ids = list(range(start, start + len(rows)))
        session.execute(insert(model), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
        return ids
    returning = insert(model).returning(model.id, sort_by_parameter_order=True)
    return [int(i) for i in session.scalars(returning, rows)]


def _step_row(
    step: StepRecordData, interview_id: int, message_ids: Sequence[int]
) -> dict[str, Any]:
    return {
        "interview_id": interview_id,
        "ordinal": step.ordinal,
        "doing": step.doing,
        "channel": step.channel,
        "channel_text": step.channel_text,
        "feeling": step.feeling,
        "thinking": step.thinking,
        "duration_minutes": step.duration_minutes,
        "duration_text": step.duration_text,
        "people": list(step.people),
        "tools": list(step.tools),
        "people_tools_text": step.people_tools_text,
        "pains": list(step.pains),
        "pain_text": step.pain_text,
        "source_message_ids": [message_ids[i] for i in step.source_message_ids],
        "provenance": dict(step.provenance),
    }


def _participants(session: Session, interviews: Sequence[NewInterview]) -> list[int | None]:
    """The participant id of each interview, creating the missing participants."""
    # Per participant: the newest record's name and email, all records' attributes merged
    # in file order (newest wins), as the chat merges what it learns.
    latest: dict[tuple[int, str], NewInterview] = {}
    attributes: dict[tuple[int, str], dict[str, Any]] = {}
    for item in interviews:
        if item.participant_external_id is not None:
            key = (item.campaign_id, item.participant_external_id)
            latest[key] = item
            attributes.setdefault(key, {}).update(item.attributes)
    known: dict[tuple[int, str], int] = {}
    updates: list[dict[str, Any]] = []
    for campaign_id in {c for c, _ in latest}:
        names = [e for c, e in latest if c == campaign_id]
        for participant in session.scalars(
            select(Participant).where(
                Participant.campaign_id == campaign_id, Participant.external_id.in_(names)
            )
        ):
            key = (campaign_id, participant.external_id or "")
            known[key] = participant.id
            updates.append(
                {
                    "id": participant.id,
                    "attributes": {**participant.attributes, **attributes[key]},
                    "display_name": latest[key].display_name or participant.display_name,
                    "email": latest[key].email or participant.email,
                }
            )
    if updates:
        session.execute(update(Participant), updates)
    now = utcnow()
    new_keys = [key for key in latest if key not in known]
    if new_keys:
        ids = _insert_ids(
            session,
            Participant,
            [_participant_row(latest[key], key[1], attributes[key], now) for key in new_keys],
        )
        known.update(zip(new_keys, ids, strict=True))
    anonymous = [item for item in interviews if _anonymous_with_details(item)]
    anonymous_ids = iter(
        _insert_ids(
            session,
            Participant,
            [_participant_row(item, None, dict(item.attributes), now) for item in anonymous],
        )
    )
    result: list[int | None] = []
    for item in interviews:
        if item.participant_external_id is not None:
            result.append(known[(item.campaign_id, item.participant_external_id)])
        elif _anonymous_with_details(item):
            result.append(next(anonymous_ids))
        else:
            result.append(None)
    return result


def _anonymous_with_details(item: NewInterview) -> bool:
    return item.participant_external_id is None and bool(
        item.attributes or item.display_name or item.email
    )


def _participant_row(
    item: NewInterview, external_id: str | None, attributes: dict[str, Any], now: datetime
) -> dict[str, Any]:
    return {
        "campaign_id": item.campaign_id,
        "external_id": external_id,
        "display_name": item.display_name,
        "email": item.email,
        "attributes": attributes,
        "created_at": now,
    }
