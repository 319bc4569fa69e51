"""The ``slack_events`` table: Slack deliveries claimed, held, done, and left to redo.

Each function is one short transaction on ``engine`` (Core statements, committed before
it returns), so other processes see a claim or a hold at once. A worker *holds* a
delivery (``picked_at``, its lease) while it runs it; a held delivery is left alone by
everyone else until the lease runs out, which is how a dead worker's deliveries come
back (see ``bot.slack.deliveries``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError

from storage.engines import process_write_lock, sqlite_lock_wait
from storage.models import Interview, Message, SlackEvent
from storage.queries import OUTBOUND


@dataclass(frozen=True)
class UndoneDelivery:
    id: int
    payload: dict[str, Any] | None
    created_at: datetime
    picked_at: datetime | None


@dataclass(frozen=True)
class Claimed:
    """A delivery just stored (``id``) and its customer's older ones not done yet."""

    id: int
    earlier: list[UndoneDelivery]


_UNDONE = select(SlackEvent.id, SlackEvent.payload, SlackEvent.created_at, SlackEvent.picked_at)


class SlackDeliveryStore:
    """The outbox of Slack work, on ``engine``'s database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        sqlite = engine.dialect.name == "sqlite"
        self._insert = sqlite_insert if sqlite else postgresql_insert
        # SQLite: queue with this process's other writers (see process_write_lock).
        self._writers = process_write_lock(engine) if sqlite else None

    @contextmanager
    def _writing(self, *, wait_ms: int | None = None, urgent: bool = False) -> Iterator[Connection]:
        """One write transaction, queued behind this process's other SQLite writers
        (``urgent``: ahead of the others) for at most ``wait_ms``, then
        OperationalError "database is locked"."""
        lock = self._writers
        if lock is not None:
            timeout = -1 if wait_ms is None else wait_ms / 1000
            if not lock.acquire(timeout=timeout, urgent=urgent):
                raise OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked"))
        try:
            with self._engine.connect() as connection:
                wait = (
                    sqlite_lock_wait(connection.connection.driver_connection, wait_ms)
                    if wait_ms is not None and lock is not None
                    else nullcontext()
                )
                with wait, connection.begin():
                    yield connection
        finally:
            if lock is not None:
                lock.release()

    def claim(
        self,
        *,
        key: str,
        customer: str,
        payload: Mapping[str, Any],
        now: datetime,
        lock_wait_ms: int | None = None,
    ) -> Claimed | None:
        """Store the delivery ``key`` of ``customer`` with its work, held by the caller
        from ``now`` (it is about to run it); None when ``key`` was claimed before,
        anywhere. ``lock_wait_ms``: on SQLite, how long to wait for the write lock before
        "database is locked" (instead of the engine's busy timeout).

        One transaction: an ``INSERT ... ON CONFLICT DO NOTHING`` (the unique key makes
        the check hold across processes: a concurrent claim of the same key waits for
        the first transaction, then inserts nothing), and a look for the customer's older
        deliveries not done yet, which must run first.
        """
        statement = (
            self._insert(SlackEvent)
            .values(
                key=key,
                customer=customer,
                payload=dict(payload),
                created_at=now,
                picked_at=now,
                attempts=1,
            )
            .on_conflict_do_nothing(index_elements=[SlackEvent.key])
            .returning(SlackEvent.id)
        )
        # Urgent: Slack is waiting for the ack, which waits for this claim.
        with self._writing(wait_ms=lock_wait_ms, urgent=True) as connection:
            claimed = connection.scalar(statement)
            if claimed is None:
                return None
            earlier = connection.execute(
                _UNDONE.where(
                    SlackEvent.customer == customer,
                    SlackEvent.done_at.is_(None),
                    SlackEvent.id < claimed,
                ).order_by(SlackEvent.id)
            )
            return Claimed(int(claimed), [UndoneDelivery(*row) for row in earlier])

    def take(
        self, event_ids: Collection[int], *, now: datetime, lease_before: datetime
    ) -> set[int]:
        """Hold the undone deliveries ``event_ids``; the ids the caller now holds.

        One atomic ``UPDATE``: a row is taken only while nobody holds it (never picked,
        released, or last picked before ``lease_before``: that worker is presumed dead),
        so two workers, in one process or two, never run a delivery at once.
        """
        if not event_ids:
            return set()
        statement = (
            update(SlackEvent)
            .where(
                SlackEvent.id.in_(list(event_ids)),
                SlackEvent.done_at.is_(None),
                (SlackEvent.picked_at.is_(None)) | (SlackEvent.picked_at < lease_before),
            )
            .values(picked_at=now, attempts=SlackEvent.attempts + 1)
            .returning(SlackEvent.id)
        )
        with self._writing() as connection:
            return {int(row) for row in connection.scalars(statement)}

    def release(self, event_ids: Collection[int]) -> None:
        """Give up holding ``event_ids`` (taken, not run): anyone may run them now, and
        the hold does not count as an attempt."""
        if not event_ids:
            return
        statement = (
            update(SlackEvent)
            .where(SlackEvent.id.in_(list(event_ids)), SlackEvent.done_at.is_(None))
            .values(picked_at=None, attempts=SlackEvent.attempts - 1)
        )
        with self._writing() as connection:
            connection.execute(statement)

    def renew(self, event_ids: Collection[int], *, now: datetime) -> None:
        """Extend the caller's hold on ``event_ids`` (still queued or running)."""
        if not event_ids:
            return
        statement = (
            update(SlackEvent)
            .where(
                SlackEvent.id.in_(list(event_ids)),
                SlackEvent.done_at.is_(None),
                SlackEvent.picked_at.is_not(None),
            )
            .values(picked_at=now)
        )
        with self._writing() as connection:
            connection.execute(statement)

    def finish(self, event_id: int, *, now: datetime) -> None:
        """Mark the delivery done (a no-op if it already is)."""
        with self._writing() as connection:
            connection.execute(_finish(event_id, now))

    def posted(
        self,
        *,
        interview_id: str | None,
        question_ts: str | None,
        event_id: int | None,
        now: datetime,
    ) -> None:
        """After the replies reached Slack, in one transaction: remember which Slack
        message asks the interview's pending question (``question_ts``; only its buttons
        count) and mark the delivery ``event_id`` done. ``interview_id`` is the public id."""
        with self._writing() as connection:
            if interview_id is not None and question_ts is not None:
                # By the interview's row id, so the (interview_id, id) index finds its
                # newest messages (a join lets SQLite walk all messages newest first).
                row_id = (
                    select(Interview.id)
                    .where(Interview.public_id == interview_id)
                    .scalar_subquery()
                )
                latest = (
                    select(Message.id)
                    .where(
                        Message.interview_id == row_id,
                        Message.direction == OUTBOUND,
                        Message.slot.is_not(None),
                    )
                    .order_by(Message.id.desc())
                    .limit(1)
                    .scalar_subquery()
                )
                # Outbound messages may carry the channel's id; the uniqueness of channel
                # ids only binds inbound messages.
                connection.execute(
                    update(Message)
                    .where(Message.id == latest)
                    .values(channel_message_id=question_ts)
                )
            if event_id is not None:
                connection.execute(_finish(event_id, now))

    def undone(self, *, max_attempts: int, limit: int = 1000) -> list[UndoneDelivery]:
        """Deliveries not done yet and taken fewer than ``max_attempts`` times, oldest
        first (one customer's in the order they arrived); at most ``limit``. Held ones
        included: a customer with one held must wait for it."""
        statement = (
            _UNDONE.where(SlackEvent.done_at.is_(None), SlackEvent.attempts < max_attempts)
            .order_by(SlackEvent.id)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [UndoneDelivery(*row) for row in connection.execute(statement)]

    def undone_of(self, event_ids: Collection[int]) -> list[UndoneDelivery]:
        """Those of ``event_ids`` not done yet, in id order."""
        if not event_ids:
            return []
        statement = _UNDONE.where(
            SlackEvent.id.in_(list(event_ids)), SlackEvent.done_at.is_(None)
        ).order_by(SlackEvent.id)
        with self._engine.connect() as connection:
            return [UndoneDelivery(*row) for row in connection.execute(statement)]

    def forget(self, *, before: datetime) -> int:
        """Delete the done deliveries claimed before ``before`` (Slack no longer
        redelivers them). Undone ones stay, whatever their age: they are work owed."""
        statement = delete(SlackEvent).where(
            SlackEvent.created_at < before, SlackEvent.done_at.is_not(None)
        )
        with self._writing() as connection:
            result: CursorResult[Any] = connection.execute(statement)
            return result.rowcount


def _finish(event_id: int, now: datetime) -> Any:
    return (
        update(SlackEvent)
        .where(SlackEvent.id == event_id, SlackEvent.done_at.is_(None))
        .values(done_at=now)
    )
