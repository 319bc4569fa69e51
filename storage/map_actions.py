"""Reads and writes of actions on a map series and of closing the loop (the message of
a done action and one send per person). The ``Session`` comes first and nothing
commits; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import Interview, Participant
from storage.workspace_models import LoopMessage, LoopSend, MapAction

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
SKIPPED = "skipped"
FAILED = "failed"


def action_by_key(session: Session, request_key: str) -> MapAction | None:
    return session.scalar(select(MapAction).where(MapAction.request_key == request_key))


def add_action(session: Session, action: MapAction) -> MapAction:
    session.add(action)
    session.flush()
    return action


def get_action(session: Session, action_id: int) -> MapAction | None:
    return session.get(MapAction, action_id)


def series_actions(session: Session, *, campaign_id: int, segment: str) -> list[MapAction]:
    return list(
        session.scalars(
            select(MapAction)
            .where(MapAction.campaign_id == campaign_id, MapAction.segment == segment)
            .order_by(MapAction.id)
        )
    )


def change_action(
    session: Session, *, action_id: int, expected: int, values: Mapping[str, Any], now: datetime
) -> bool:
    """Apply ``values`` if the action is still at version ``expected`` (else False)."""
    result = session.execute(
        update(MapAction)
        .where(MapAction.id == action_id, MapAction.version == expected)
        .values(**values, version=expected + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    changed = getattr(result, "rowcount", 0) == 1
    if changed:
        session.expire_all()
    return changed


def loop_message(session: Session, action_id: int) -> LoopMessage | None:
    return session.scalar(select(LoopMessage).where(LoopMessage.action_id == action_id))


def ensure_loop_message(
    session: Session, *, action_id: int, subject: str, body: str, by_name: str, now: datetime
) -> LoopMessage:
    """The action's message, drafted with ``subject`` and ``body`` if it has none."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    session.execute(
        insert(LoopMessage)
        .values(
            action_id=action_id, subject=subject, body=body, edited_by_name=by_name, updated_at=now
        )
        .on_conflict_do_nothing(index_elements=[LoopMessage.action_id])
    )
    found = loop_message(session, action_id)
    assert found is not None
    return found


def hearing_back(
    session: Session, *, campaign_id: int, interview_ids: Collection[str]
) -> list[tuple[Interview, Participant]]:
    """The interviews (by public id) of the campaign whose customers agreed to hear
    back, with their participants; each participant once (their latest interview)."""
    if not interview_ids:
        return []
    rows = session.execute(
        select(Interview, Participant)
        .join(Participant, Participant.id == Interview.participant_id)
        .where(
            Interview.campaign_id == campaign_id,
            Interview.public_id.in_(list(interview_ids)),
            Interview.consent.is_(True),
            Interview.hear_back.is_(True),
        )
        .order_by(Interview.id)
    )
    latest: dict[int, tuple[Interview, Participant]] = {}
    for interview, person in rows:
        latest[person.id] = (interview, person)
    return list(latest.values())


def add_sends(
    session: Session, *, loop_message_id: int, rows: Collection[tuple[int, str, str]], now: datetime
) -> list[LoopSend]:
    """One send per (participant id, channel, message id) not stored before; every send
    of the message, in id order."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    for participant_id, channel, message_id in rows:
        session.execute(
            insert(LoopSend)
            .values(
                loop_message_id=loop_message_id,
                participant_id=participant_id,
                channel=channel,
                state=PENDING,
                detail="",
                message_id=message_id,
                updated_at=now,
            )
            .on_conflict_do_nothing(
                index_elements=[LoopSend.loop_message_id, LoopSend.participant_id]
            )
        )
    return sends_of(session, loop_message_id)


def sends_of(session: Session, loop_message_id: int) -> list[LoopSend]:
    return list(
        session.scalars(
            select(LoopSend)
            .where(LoopSend.loop_message_id == loop_message_id)
            .order_by(LoopSend.id)
        )
    )


def get_send(session: Session, send_id: int, *, for_update: bool = False) -> LoopSend | None:
    statement = select(LoopSend).where(LoopSend.id == send_id)
    if for_update:
        statement = statement.with_for_update()
    return session.scalar(statement)
