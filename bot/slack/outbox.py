"""Each Slack delivery is claimed once, with the work it asks for, before Slack's ack.

Bolt does not de-duplicate: Slack resends an event it thinks was not acknowledged (with
``x-slack-retry-num``), and a double click sends two payloads. And Slack never resends
what was acknowledged, so work that exists only in memory after the ack is lost if the
process dies. So the claim (one ``INSERT`` keyed on the delivery) stores the parsed work
item as JSON in the same row; the row is marked done when the work is done, and rows left
undone are re-driven (see ``deliveries``). Claims live in storage so two server
processes, or a process restarted between a delivery and its retry, agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.blocks import START_ACTION
from bot.slack.events import ButtonClick, Customer, EditedMessage, TypedMessage
from storage import queries
from storage.engines import sqlite_lock_wait
from storage.types import utcnow

# Slack stops retrying within the hour; a day leaves room for clock skew and outages.
KEEP_DONE = timedelta(days=1)
# How long a worker holds a delivery it took before others presume it dead and take it:
# longer than any turn with its retries.
LEASE = timedelta(minutes=5)
# Takes after which a delivery is no longer re-driven (it stays, undone, for a person).
MAX_TAKES = 5

WorkItem = TypedMessage | EditedMessage | ButtonClick
PAYLOAD_VERSION = 1


@dataclass(frozen=True)
class Pending:
    """A claimed delivery not done yet; ``item`` is ``None`` if its payload is unreadable."""

    id: int
    item: WorkItem | None


class Outbox:
    """The ``slack_events`` table seen as claims plus the work still owed for them."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        clock: Callable[[], datetime] = utcnow,
        lease: timedelta = LEASE,
        max_takes: int = MAX_TAKES,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._lease = lease
        self._max_takes = max_takes

    def claim(self, item: WorkItem, *, lock_wait_ms: int | None = None) -> int | None:
        """Store ``item`` under its delivery key; its id, or ``None`` if that key was
        claimed before (anywhere). Committed at once, so other processes see it.

        ``lock_wait_ms``: on SQLite, how long to wait for the single write lock (another
        transaction may hold it for a whole slow turn) before raising "database is
        locked", instead of the engine's busy timeout.
        """
        engine = self._sessions.kw.get("bind")
        if lock_wait_ms is None or not isinstance(engine, Engine) or engine.name != "sqlite":
            with self._sessions.begin() as session:
                return self._claim_in(session, item)
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            with (
                sqlite_lock_wait(raw, lock_wait_ms),
                Session(bind=connection) as session,
                session.begin(),
            ):
                return self._claim_in(session, item)

    @staticmethod
    def _claim_in(session: Session, item: WorkItem) -> int | None:
        return queries.claim_slack_event(session, key=item.key, payload=to_payload(item))

    def take(self, event_id: int) -> bool:
        """Hold the delivery to run it; ``False`` if it is done or someone else holds it."""
        return self.take_all([event_id])

    def take_all(self, event_ids: Sequence[int]) -> bool:
        """Hold all of ``event_ids`` (one customer's, to run in order), or none of them:
        ``False`` if any is done or held by someone else."""
        now = self._clock()
        with self._sessions.begin() as session:
            taken = queries.take_slack_events(
                session, event_ids=event_ids, now=now, lease_before=now - self._lease
            )
            if len(taken) == len(set(event_ids)):
                return True
            # Running the rest would overtake the ones someone else holds.
            queries.release_slack_events(session, event_ids=taken)
            return False

    def finish(self, event_id: int) -> None:
        """Mark the delivery done."""
        with self._sessions.begin() as session:
            self.finish_in(session, event_id)

    def finish_in(self, session: Session, event_id: int) -> None:
        """Mark the delivery done inside the caller's transaction (with the work itself)."""
        queries.finish_slack_event(session, event_id=event_id, now=self._clock())

    def pending(self, *, older_than: timedelta) -> list[tuple[Pending, ...]]:
        """The undone deliveries to re-drive, one tuple per customer, oldest first: those
        claimed more than ``older_than`` ago, of customers none of whose deliveries is
        held by a worker (it may still be running their earlier one). Take each tuple
        (``take_all``) before running it."""
        now = self._clock()
        created_before, lease_before = now - older_than, now - self._lease
        customers: dict[str, list[Pending]] = {}
        busy: set[str] = set()
        unreadable: list[tuple[Pending, ...]] = []
        with self._sessions() as session:
            rows = queries.undone_slack_events(session, max_attempts=self._max_takes)
        for row in rows:
            item = from_payload(row.payload)
            if item is None:
                unreadable.append((Pending(row.id, None),))
                continue
            key = item.customer.queue_key
            if row.picked_at is not None and row.picked_at >= lease_before:
                busy.add(key)
            elif row.created_at < created_before:
                customers.setdefault(key, []).append(Pending(row.id, item))
            # Younger ones are left to the process that claimed them (and come later in
            # the customer's order than any older one).
        groups = [tuple(group) for key, group in customers.items() if key not in busy]
        return unreadable + groups

    def prune(self) -> int:
        """Forget done deliveries Slack can no longer redeliver; how many were deleted."""
        with self._sessions.begin() as session:
            return queries.forget_slack_events(session, before=self._clock() - KEEP_DONE)


def to_payload(item: WorkItem) -> dict[str, Any]:
    """The work item as JSON-ready data (read back with :func:`from_payload`)."""
    customer = item.customer
    data: dict[str, Any] = {
        "v": PAYLOAD_VERSION,
        "team": customer.team_id,
        "user": customer.user_id,
        "channel": customer.channel_id,
        "key": item.key,
    }
    if isinstance(item, TypedMessage):
        data.update(kind="message", message_id=item.message_id, text=item.text)
    elif isinstance(item, EditedMessage):
        data.update(kind="edit")
    else:
        data.update(
            kind="start" if item.action_id == START_ACTION else "click",
            message_id=item.message_id,
            message_ts=item.message_ts,
            action_id=item.action_id,
            value=item.value,
            label=item.label,
            blocks=list(item.message_blocks),
        )
    return data


def from_payload(data: Mapping[str, Any] | None) -> WorkItem | None:
    """The work item stored by :func:`to_payload`; ``None`` if ``data`` is not one."""
    if not data or data.get("v") != PAYLOAD_VERSION:
        return None
    try:
        customer = Customer(str(data["team"]), str(data["user"]), str(data["channel"]))
        key, kind = str(data["key"]), data.get("kind")
        if kind == "message":
            return TypedMessage(customer, key, str(data["message_id"]), str(data["text"]))
        if kind == "edit":
            return EditedMessage(customer, key)
        if kind in ("click", "start"):
            return ButtonClick(
                customer=customer,
                key=key,
                message_id=str(data["message_id"]),
                message_ts=str(data["message_ts"]),
                action_id=str(data["action_id"]),
                value=str(data["value"]),
                label=str(data["label"]),
                message_blocks=tuple(data.get("blocks") or ()),
            )
    except (KeyError, TypeError):
        return None
    return None
