"""The turn store: every storage operation of a chat turn, behind one protocol.

The interview service reads an interview, computes the turn (engine, language model)
outside any transaction, and hands the store the result to commit in one short write
transaction that checks the interview's revision (optimistic concurrency): a conflict
comes back as `Conflict` and the service computes the turn again on the new state. So
no lock is held while a turn computes, on SQLite (one write lock for the whole
database) or PostgreSQL (row locks).

The statements are built with SQLAlchemy Core from ``storage.models``, compiled once
per database at start-up, and run on the driver (``sqlite``, ``postgresql``): the
chat's hot path pays for the SQL, not for the machinery around it.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Engine

from storage.turn_store.rows import (
    CampaignRow,
    Committed,
    Conflict,
    Duplicate,
    InboundMessage,
    InterviewRow,
    InterviewUpdate,
    ModelCallRow,
    NewInterview,
    OverBudget,
    ReplyRow,
    StartBudget,
    StartedInterview,
    StoreBusy,
    TurnOutcome,
    TurnWrites,
    WritesFor,
)


class TurnStore(Protocol):
    """What the interview service stores and reads for a turn. ``wait=False`` (only
    where `answers_without_waiting`) raises `StoreBusy`, having done nothing, instead
    of waiting for another writer."""

    dialect_name: str

    @property
    def answers_without_waiting(self) -> bool:
        """Whether a write can be tried without blocking (``wait=False``)."""
        ...

    def load(self, public_id: str) -> InterviewRow | None:
        """The interview with ``public_id`` and its campaign's guide (no lock taken)."""
        ...

    def campaign(self, slug: str) -> CampaignRow | None:
        """What starting an interview needs of the campaign ``slug``."""
        ...

    def earlier_replies(self, interview_id: int, channel_message_id: str) -> list[ReplyRow] | None:
        """The replies sent to the delivery ``channel_message_id``; None when the
        interview has no message of that delivery."""
        ...

    def start(self, new: NewInterview, *, wait: bool = True) -> StartedInterview:
        """Create the interview and store its opening replies, in one transaction."""
        ...

    def commit_turn(
        self, inbound: InboundMessage, writes_for: WritesFor, *, wait: bool = True
    ) -> TurnOutcome:
        """In one transaction: check the interview is still at ``expected_revision``,
        store the message, then ``writes_for(its id)``. `Conflict` (nothing stored) when
        the revision moved on; `Duplicate` (nothing stored) when this delivery was
        stored before."""
        ...


def open_turn_store(engine: Engine, *, connections: int | None = None) -> TurnStore:
    """The turn store for ``engine``'s database (SQLite or PostgreSQL).

    ``connections``: PostgreSQL connections kept open for turns (as many as the threads
    that run them); SQLite shares ``engine``'s pool.
    """
    name = engine.dialect.name
    if name == "sqlite":
        from storage.turn_store.sqlite import SqliteTurnStore

        return SqliteTurnStore(engine)
    if name == "postgresql":
        # psycopg is imported only where PostgreSQL is used.
        from storage.turn_store.postgresql import DEFAULT_CONNECTIONS, PostgresTurnStore

        return PostgresTurnStore(engine, connections=connections or DEFAULT_CONNECTIONS)
    raise ValueError(f"the turn store supports SQLite and PostgreSQL, not {name}")


__all__ = [
    "CampaignRow",
    "Committed",
    "Conflict",
    "Duplicate",
    "InboundMessage",
    "InterviewRow",
    "InterviewUpdate",
    "ModelCallRow",
    "NewInterview",
    "OverBudget",
    "ReplyRow",
    "StartBudget",
    "StartedInterview",
    "StoreBusy",
    "TurnOutcome",
    "TurnStore",
    "TurnWrites",
    "WritesFor",
    "open_turn_store",
]
