"""Each Slack delivery is claimed once, with the work it asks for, before Slack's ack.

Bolt does not de-duplicate: Slack resends an event it thinks was not acknowledged (with
``x-slack-retry-num``), and a double click sends two payloads. And Slack never resends
what was acknowledged, so work that exists only in memory after the ack is lost if the
process dies. So the claim (one ``INSERT`` keyed on the delivery) stores the parsed work
item as JSON in the same row, held by the claiming process (it runs it next); the row is
marked done when the work is done, and rows left undone are re-driven (see
``deliveries``). Claims live in storage so two server processes, or a process restarted
between a delivery and its retry, agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.slack.blocks import START_ACTION
from bot.slack.events import ButtonClick, Customer, EditedMessage, TypedMessage

# Slack stops retrying within the hour; a day leaves room for clock skew and outages.
KEEP_DONE = timedelta(days=1)
# How long a hold lasts unless renewed. The holding process renews its holds while it
# has them queued or running (see ``deliveries``), so only a dead process's holds lapse:
# its deliveries are re-driven this long after it died.
LEASE = timedelta(seconds=30)
# Takes after which a delivery is no longer re-driven (it stays, undone, for a person).
MAX_TAKES = 5

WorkItem = TypedMessage | EditedMessage | ButtonClick
PAYLOAD_VERSION = 1


class UndoneRow(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def payload(self) -> dict[str, Any] | None: ...
    @property
    def picked_at(self) -> datetime | None: ...


class ClaimedRow(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def earlier(self) -> Sequence[UndoneRow]: ...


class DeliveryStore(Protocol):
    """Where deliveries are kept (``storage.slack_deliveries.SlackDeliveryStore``,
    handed over by the interview service)."""

    def claim(
        self,
        *,
        key: str,
        customer: str,
        payload: Mapping[str, Any],
        now: datetime,
        lock_wait_ms: int | None,
    ) -> ClaimedRow | None: ...
    def undone_of(self, event_ids: Sequence[int]) -> Sequence[UndoneRow]: ...
    def take(
        self, event_ids: Sequence[int], *, now: datetime, lease_before: datetime
    ) -> set[int]: ...
    def release(self, event_ids: Sequence[int]) -> None: ...
    def renew(self, event_ids: Sequence[int], *, now: datetime) -> None: ...
    def finish(self, event_id: int, *, now: datetime) -> None: ...
    def undone(self, *, max_attempts: int) -> Sequence[UndoneRow]: ...
    def forget(self, *, before: datetime) -> int: ...


@dataclass(frozen=True)
class Pending:
    """A claimed delivery not done yet; ``item`` is ``None`` if its payload is unreadable.
    ``held_since``: when a worker last took it (None: nobody holds it)."""

    id: int
    item: WorkItem | None
    held_since: datetime | None = None


@dataclass(frozen=True)
class Claim:
    """A delivery just stored, held by this process, and its customer's older ones not
    done yet (they must run first)."""

    id: int
    earlier: tuple[Pending, ...]


class Outbox:
    """The ``slack_events`` table seen as claims plus the work still owed for them."""

    def __init__(
        self,
        store: DeliveryStore,
        *,
        clock: Callable[[], datetime],
        lease: timedelta = LEASE,
        max_takes: int = MAX_TAKES,
    ) -> None:
        self._store = store
        self._clock = clock
        self._lease = lease
        self._max_takes = max_takes

    @property
    def lease(self) -> timedelta:
        return self._lease

    def claim(self, item: WorkItem, *, lock_wait_ms: int | None = None) -> Claim | None:
        """Store ``item`` under its delivery key, held by this process; None if that key
        was claimed before (anywhere). Committed at once. ``lock_wait_ms``: on SQLite,
        how long to wait for the write lock."""
        claimed = self._store.claim(
            key=item.key,
            customer=item.customer.queue_key,
            payload=to_payload(item),
            now=self._clock(),
            lock_wait_ms=lock_wait_ms,
        )
        if claimed is None:
            return None
        return Claim(claimed.id, tuple(_pending(row) for row in claimed.earlier))

    def undone_of(self, event_ids: Sequence[int]) -> list[Pending]:
        """Those of ``event_ids`` not done yet, oldest first."""
        return [_pending(row) for row in self._store.undone_of(event_ids)]

    def lapsed(self, pending: Pending) -> bool:
        """Whether nobody holds ``pending`` (never taken, released, or its holder's
        lease ran out)."""
        held = pending.held_since
        return held is None or held < self._clock() - self._lease

    def take(self, event_id: int) -> bool:
        """Hold the delivery to run it; ``False`` if it is done or someone else holds it."""
        return self.take_all([event_id])

    def take_all(self, event_ids: Sequence[int]) -> bool:
        """Hold all of ``event_ids`` (one customer's, to run in order), or none of them:
        ``False`` if any is done or held by someone else."""
        now = self._clock()
        taken = self._store.take(event_ids, now=now, lease_before=now - self._lease)
        if len(taken) == len(set(event_ids)):
            return True
        # Running the rest would overtake the ones someone else holds.
        self._store.release(sorted(taken))
        return False

    def release(self, event_ids: Sequence[int]) -> None:
        """Stop holding deliveries this process will not run (shutting down)."""
        self._store.release(event_ids)

    def renew(self, event_ids: Sequence[int]) -> None:
        """Keep holding ``event_ids``: this process still has them queued or running."""
        self._store.renew(event_ids, now=self._clock())

    def finish(self, event_id: int) -> None:
        """Mark the delivery done."""
        self._store.finish(event_id, now=self._clock())

    def pending(self) -> list[tuple[Pending, ...]]:
        """The undone deliveries to re-drive, one tuple per customer, oldest first: those
        nobody holds (released, or whose holder's lease lapsed), of customers none of
        whose deliveries is held (a worker may still be running an earlier one). Take
        each tuple (``take_all``) before running it."""
        lease_before = self._clock() - self._lease
        customers: dict[str, list[Pending]] = {}
        busy: set[str] = set()
        unreadable: list[tuple[Pending, ...]] = []
        for row in self._store.undone(max_attempts=self._max_takes):
            item = from_payload(row.payload)
            if item is None:
                unreadable.append((Pending(row.id, None),))
                continue
            key = item.customer.queue_key
            if row.picked_at is not None and row.picked_at >= lease_before:
                busy.add(key)
            else:
                customers.setdefault(key, []).append(Pending(row.id, item))
        groups = [tuple(group) for key, group in customers.items() if key not in busy]
        return unreadable + groups

    def prune(self) -> int:
        """Forget done deliveries Slack can no longer redeliver; how many were deleted."""
        return self._store.forget(before=self._clock() - KEEP_DONE)


def _pending(row: UndoneRow) -> Pending:
    return Pending(row.id, from_payload(row.payload), row.picked_at)


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
