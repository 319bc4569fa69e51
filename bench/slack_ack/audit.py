"""What the database and the fake Slack say after a run: stored, done, answered once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from bench.slack_ack.traffic import Event
from fakes.slack import TEAM
from storage.models import Interview, Message, Participant, SlackEvent


@dataclass(frozen=True)
class Audit:
    acked: int
    acked_not_stored: int  # acked events with no slack_events row: lost with the process
    stored: int
    undone: int  # claimed and not done yet
    answers_missing: int  # acked answers with no stored inbound message
    customers: int
    posted_twice: int  # customers Slack got more bot messages from than were stored
    posted_missing: int  # customers with stored replies that never reached Slack

    @property
    def exactly_once(self) -> bool:
        return not (
            self.acked_not_stored
            or self.undone
            or self.answers_missing
            or self.posted_twice
            or self.posted_missing
        )


def audit(
    engine: Engine, sent: list[Event], acked: set[str], posted: list[dict[str, Any]]
) -> Audit:
    """Compare what was acked with what is stored, and what is stored with what Slack got."""
    with engine.connect() as connection:
        keys = set(connection.scalars(select(SlackEvent.key)))
        undone = connection.scalar(
            select(func.count()).select_from(SlackEvent).where(SlackEvent.done_at.is_(None))
        )
        inbound = set(
            connection.scalars(select(Message.channel_message_id).where(Message.direction == "in"))
        )
        rows = connection.execute(
            select(Participant.slack_user_id, func.count(Message.id))
            .join(Interview, Interview.participant_id == Participant.id)
            .join(Message, Message.interview_id == Interview.id)
            .where(Message.direction == "out")
            .group_by(Participant.slack_user_id)
        )
        # Bot messages stored per customer (Slack user id).
        outbound: Counter[str] = Counter({str(user): int(count) for user, count in rows})
    acked_events = [event for event in sent if event.event_id in acked]
    not_stored = sum(f"event:{TEAM}:{e.event_id}" not in keys for e in acked_events)
    missing = sum(not e.starts and e.message_id not in inbound for e in acked_events)
    # Bot messages Slack received per customer (their DM channel is D<user id>).
    received = Counter(str(p["channel"])[1:] for p in posted)
    customers = set(outbound) | set(received)
    twice = sum(received[user] > outbound[user] for user in customers)
    never = sum(received[user] < outbound[user] for user in customers)
    return Audit(
        acked=len(acked_events),
        acked_not_stored=not_stored,
        stored=len(keys),
        undone=int(undone or 0),
        answers_missing=missing,
        customers=len(customers),
        posted_twice=twice,
        posted_missing=never,
    )
