"""From a claimed delivery to work done: run now, retry a few times, re-drive later.

The listener claims a delivery (the work item stored in ``slack_events``) before Slack
gets its ack, then hands it here. A run first *takes* the row (an atomic update, so two
workers never run it at once), does the work on the ``KeyedExecutor`` (one customer at
a time, in order), and marks the row done. A failure (an exception, "database is
locked" on SQLite behind a slow turn) is retried after a short backoff a few times; then
the row is left undone and logged. A daemon thread re-drives undone rows older than a
grace period, at start-up and every ``redrive_every`` seconds: rows of a process that
died after the ack, or whose retries ran out (after their lease). Redoing work is safe:
the interview service is idempotent on the channel message id.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol

from sqlalchemy.exc import OperationalError

from bot.slack.executor import KeyedExecutor
from bot.slack.outbox import Outbox, WorkItem
from storage.engines import is_sqlite_busy

log = logging.getLogger(__name__)

# How long an ack may wait for SQLite's write lock before the claim is left to the
# executor (Slack wants its ack within 3 s; a slow turn holds the lock for its length).
CLAIM_LOCK_WAIT_MS = 50

# Seconds between tries of one delivery (each try after the first waits its delay).
RETRY_DELAYS: tuple[float, ...] = (0.5, 2.0, 5.0)
# Deliveries younger than this are left to the process that claimed them.
REDRIVE_AFTER = timedelta(seconds=60)
REDRIVE_EVERY = 30.0


class StorageBusy(RuntimeError):
    """The claim could not get SQLite's write lock in time."""

    def __init__(self, key: str) -> None:
        super().__init__(f"storage busy; Slack delivery {key} not stored yet")


class Handler(Protocol):
    def handle(self, item: WorkItem, *, event_id: int) -> None: ...


class Deliveries:
    """Runs claimed deliveries to completion, and re-drives the ones left undone."""

    def __init__(
        self,
        *,
        outbox: Outbox,
        handler: Handler,
        executor: KeyedExecutor,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        redrive_after: timedelta = REDRIVE_AFTER,
        redrive_every: float = REDRIVE_EVERY,
    ) -> None:
        self._outbox = outbox
        self._handler = handler
        self._executor = executor
        self._delays = tuple(retry_delays)
        self._redrive_after = redrive_after
        self._redrive_every = redrive_every
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def claim(self, item: WorkItem) -> int | None:
        """Store the delivery and its work durably; its id, or ``None`` for a repeat.

        Raises ``StorageBusy`` when SQLite's write lock stays taken for
        ``CLAIM_LOCK_WAIT_MS`` (see :meth:`claim_later`), and whatever storage raises when
        it fails otherwise: then the delivery must not be acked (Slack sends it again).
        """
        try:
            return self._outbox.claim(item, lock_wait_ms=CLAIM_LOCK_WAIT_MS)
        except OperationalError as error:
            if is_sqlite_busy(error):
                raise StorageBusy(item.key) from error
            raise

    def claim_later(self, item: WorkItem) -> None:
        """Claim the delivery on the executor, then run it: the fallback when the ack
        cannot wait for SQLite's write lock. Until the claim is stored the work exists
        only in this process (the one window in which a crash loses it); the claim is
        retried like work is."""
        log.warning("Slack delivery %s acked before it was stored (SQLite busy)", item.key)
        try:
            self._executor.submit(item.customer.queue_key, lambda: self._claim_then_run(item))
        except RuntimeError:
            log.error("Slack delivery %s lost: acked, not stored, shutting down", item.key)

    def _claim_then_run(self, item: WorkItem) -> None:
        for attempt in range(len(self._delays) + 1):
            if attempt and self._stopping.wait(self._delays[attempt - 1]):
                break
            try:
                event_id = self._outbox.claim(item)
            except Exception:
                log.warning("storing Slack delivery %s failed; retrying", item.key, exc_info=True)
                continue
            if event_id is not None:
                self.run(event_id, item)
            return
        log.error("Slack delivery %s lost: acked but could not be stored", item.key)

    def submit(self, event_id: int, item: WorkItem, *, taken: bool = False) -> None:
        """Run the claimed delivery after the customer's earlier ones (``taken``: this
        worker holds it already). Never raises: work that cannot be queued stays undone
        in storage and is re-driven."""
        try:
            self._executor.submit(
                item.customer.queue_key, lambda: self.run(event_id, item, taken=taken)
            )
        except RuntimeError:
            log.warning("Slack delivery %s not queued (shutting down); left for re-drive", event_id)

    def run(self, event_id: int, item: WorkItem, *, taken: bool = False) -> None:
        """Take (unless ``taken``), do and finish one delivery, retrying failures; never
        raises."""
        for attempt in range(len(self._delays) + 1):
            if attempt and self._stopping.wait(self._delays[attempt - 1]):
                log.warning("Slack delivery %s left for re-drive at shutdown", event_id)
                return
            try:
                if not taken:
                    if not self._outbox.take(event_id):
                        log.debug("Slack delivery %s is done or held elsewhere", event_id)
                        return
                    taken = True
                self._handler.handle(item, event_id=event_id)
                self._outbox.finish(event_id)
                return
            except Exception:
                if attempt < len(self._delays):
                    log.warning(
                        "Slack delivery %s failed (try %d); retrying",
                        event_id,
                        attempt + 1,
                        exc_info=True,
                    )
                else:
                    log.exception(
                        "Slack delivery %s failed %d times; left undone for re-drive",
                        event_id,
                        attempt + 1,
                    )

    def redrive(self) -> int:
        """Take and queue the undone deliveries older than the grace period, each
        customer's all at once and in order; how many were queued. A customer whose
        deliveries someone else holds (or took first) is skipped until a later tick."""
        queued = 0
        for group in self._outbox.pending(older_than=self._redrive_after):
            for pending in group:
                if pending.item is None:
                    log.error("Slack delivery %s has no readable work item; dropped", pending.id)
                    self._outbox.finish(pending.id)
            runnable = [(p.id, p.item) for p in group if p.item is not None]
            if not runnable or not self._outbox.take_all([event_id for event_id, _ in runnable]):
                continue
            for event_id, item in runnable:
                log.info("re-driving Slack delivery %s", event_id)
                self.submit(event_id, item, taken=True)
                queued += 1
        return queued

    def start(self) -> None:
        """Re-drive now (left-overs of an earlier process), then every ``redrive_every``
        seconds on a daemon thread until :meth:`stop`."""
        if self._thread is not None:
            return
        self._tick()
        self._thread = threading.Thread(
            target=self._loop, name="journeyline-slack-redrive", daemon=True
        )
        self._thread.start()

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop re-driving and cut retry backoffs short (their deliveries stay undone)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopping.wait(self._redrive_every):
            self._tick()

    def _tick(self) -> None:
        try:
            self.redrive()
            self._outbox.prune()
        except Exception:
            # The database may be down for a while; the next tick tries again.
            log.exception("re-driving Slack deliveries failed")
