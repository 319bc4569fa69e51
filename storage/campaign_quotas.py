"""Completed interviews counted the ways stop rules and quotas need: in all, and by the
value of a participant attribute (``plan`` -> ``basic`` -> 17).

Attributes are JSON, whose operators differ between SQLite and PostgreSQL; the
participants of completed interviews are read (one small column each) and counted here,
which stays portable and is quick at the tens of thousands a campaign holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Interview, Participant

COMPLETED = "completed"


def completed_count(session: Session, *, campaign_id: int) -> int:
    """How many of the campaign's interviews are completed."""
    statement = select(func.count()).where(
        Interview.campaign_id == campaign_id, Interview.status == COMPLETED
    )
    return int(session.scalar(statement) or 0)


def completed_by_attribute(
    session: Session, *, campaign_id: int, attributes: Collection[str]
) -> dict[str, dict[str, int]]:
    """For each of ``attributes``: attribute value (as text) -> completed interviews of
    participants with that value. Interviews without a participant, or participants
    without the attribute, count for no value."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in attributes}
    if not counts:
        return {}
    statement = (
        select(Participant.attributes)
        .join(Interview, Interview.participant_id == Participant.id)
        .where(Interview.campaign_id == campaign_id, Interview.status == COMPLETED)
    )
    for values in session.scalars(statement):
        for name, counter in counts.items():
            value = (values or {}).get(name)
            if value is not None and str(value) != "":
                counter[str(value)] += 1
    return {name: dict(counter) for name, counter in counts.items()}


def interview_count(session: Session, *, campaign_id: int) -> int:
    """How many interviews the campaign has, in any state."""
    statement = select(func.count()).where(Interview.campaign_id == campaign_id)
    return int(session.scalar(statement) or 0)
