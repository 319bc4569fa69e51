"""The customers' own stored words for a set of interviews (what quotes are checked
against)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Interview, Message

INBOUND = "in"


def customer_texts(session: Session, *, interview_ids: Iterable[str]) -> dict[int, str]:
    """Message id -> text of every inbound message of the interviews (by public id)."""
    ids = list(interview_ids)
    texts: dict[int, str] = {}
    for start in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(Message.id, Message.text)
            .join(Interview, Interview.id == Message.interview_id)
            .where(Interview.public_id.in_(chunk), Message.direction == INBOUND)
        )
        texts.update({int(row[0]): str(row[1]) for row in rows})
    return texts
