"""From a claimed delivery to work done: run now, retry a few times, re-drive later.

The listener claims a delivery (the work item stored in ``slack_events``, held by this
process) before Slack gets its ack, then hands it here. A run does the work on the
``KeyedExecutor`` (one customer at a time, in order); the handler marks the row done
with its last write. A failure is retried after a short backoff a few times; then the
row is left undone and logged.

A daemon thread ticks every ``tick_every`` seconds: it renews the holds of this
process's queued and running deliveries (so only a dead process's holds lapse), and
every ``redrive_every`` seconds re-drives undone rows nobody holds: a dead process's
(once its lease lapsed), released ones (a process shut down before running them), or
ones whose retries ran out. At start-up it re-drives at once. Redoing work is safe: the
interview service is idempotent on the channel message id.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from bot.slack.executor import KeyedExecutor
from bot.slack.outbox import Claim, Outbox, Pending, WorkItem

log = logging.getLogger(__name__)

# How long an ack may wait to store its claim. Slack wants the ack within 3 s; a turn
# holds SQLite's write lock for milliseconds (it computes before it writes), so the
# claim gets it long before this, unless the database is in trouble: then the delivery
# is not acked, and Slack sends it again.
CLAIM_LOCK_WAIT_MS = 2000

# Seconds between tries of one delivery (each try after the first waits its delay).
RETRY_DELAYS: tuple[float, ...] = (0.5, 2.0, 5.0)
TICK_EVERY = 10.0
REDRIVE_EVERY = 30.0
# How often a delivery waiting behind its customer's earlier ones (held by another
# process) looks whether they are done.
ORDER_POLL_SECONDS = 0.25


class Handler(Protocol):
    def handle(self, item: WorkItem, *, event_id: int, redo: bool = False) -> None:
        """Do the work and mark the delivery done with the last write. Raises on
        failure (the caller retries; a redo is safe). ``redo``: the delivery was run
        before (a retry, or a re-drive after a crash), so part of its work may be done."""
        ...


class Deliveries:
    """Runs claimed deliveries to completion, and re-drives the ones left undone."""

    def __init__(
        self,
        *,
        outbox: Outbox,
        handler: Handler,
        executor: KeyedExecutor,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        tick_every: float = TICK_EVERY,
        redrive_every: float = REDRIVE_EVERY,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._outbox = outbox
        self._handler = handler
        self._executor = executor
        self._delays = tuple(retry_delays)
        self._tick_every = tick_every
        self._redrive_every = redrive_every
        self._monotonic = monotonic
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_redrive: float | None = None
        # The deliveries this process holds: queued (not started) or running.
        self._lock = threading.Lock()
        self._queued: set[int] = set()
        self._running: set[int] = set()

    def claim(self, item: WorkItem) -> Claim | None:
        """Store the delivery and its work durably, held by this process; None for a
        repeat. Raises whatever storage raises when it cannot (SQLite's
        write lock still taken after ``CLAIM_LOCK_WAIT_MS``, a database down): then the
        delivery must not be acked, and Slack sends it again."""
        return self._outbox.claim(item, lock_wait_ms=CLAIM_LOCK_WAIT_MS)

    def submit_claimed(self, claim: Claim, item: WorkItem) -> None:
        """Run a delivery just claimed after the customer's earlier ones: those this
        process has queued come first in its queue anyway; any other (held by another
        process, or left by one that stopped or died) is waited for, or run here first
        once nobody holds it, so a customer's messages are answered in order."""
        held = self.held()
        earlier = tuple(p.id for p in claim.earlier if p.id not in held)
        self.submit(claim.id, item, after=earlier)

    def submit(
        self, event_id: int, item: WorkItem, *, after: Sequence[int] = (), redo: bool = False
    ) -> None:
        """Run the delivery (held by this process) after the customer's earlier ones
        in this process and after the deliveries ``after``. Never raises: work that
        cannot be queued is released for another process or the next start."""
        with self._lock:
            self._queued.add(event_id)
        try:
            self._executor.submit(
                item.customer.queue_key, lambda: self.run(event_id, item, after=after, redo=redo)
            )
        except RuntimeError:
            log.warning("Slack delivery %s not queued (shutting down); released", event_id)
            self._release([event_id])

    def run(
        self, event_id: int, item: WorkItem, *, after: Sequence[int] = (), redo: bool = False
    ) -> None:
        """Do one delivery this process holds (after the deliveries ``after``, see
        `submit_claimed`), retrying failures; never raises. ``redo``: it may have been
        run before (re-driven)."""
        with self._lock:
            if event_id not in self._queued:
                return  # released at shutdown before it started
            self._queued.discard(event_id)
            self._running.add(event_id)
        try:
            if after and not self._earlier_done(after):
                log.warning("Slack delivery %s left for re-drive at shutdown", event_id)
                self._release([event_id])
                return
            self._run(event_id, item, redo=redo)
        finally:
            with self._lock:
                self._running.discard(event_id)

    def _earlier_done(self, event_ids: Sequence[int]) -> bool:
        """Wait until the deliveries ``event_ids`` are done, running them here (in order)
        once nobody holds them; False if shutting down first."""
        while True:
            try:
                pending = self._outbox.undone_of(event_ids)
                if not pending:
                    return True
                if all(self._outbox.lapsed(p) for p in pending) and self._outbox.take_all(
                    [p.id for p in pending]
                ):
                    for earlier in pending:
                        self._run_taken(earlier)
                    return True
            except Exception:
                log.exception("checking a customer's earlier Slack deliveries failed")
            if self._stopping.wait(ORDER_POLL_SECONDS):
                return False

    def _run_taken(self, pending: Pending) -> None:
        if pending.item is None:
            log.error("Slack delivery %s has no readable work item; dropped", pending.id)
            self._outbox.finish(pending.id)
            return
        with self._lock:
            self._running.add(pending.id)
        try:
            log.info("running Slack delivery %s first: it came before", pending.id)
            self._run(pending.id, pending.item, redo=True)
        finally:
            with self._lock:
                self._running.discard(pending.id)

    def _run(self, event_id: int, item: WorkItem, *, redo: bool = False) -> None:
        for attempt in range(len(self._delays) + 1):
            if attempt and self._stopping.wait(self._delays[attempt - 1]):
                log.warning("Slack delivery %s left for re-drive at shutdown", event_id)
                self._release([event_id])
                return
            try:
                self._handler.handle(item, event_id=event_id, redo=redo or attempt > 0)
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
        """Take and queue the undone deliveries nobody holds, each customer's all at
        once and in order; how many were queued. A customer whose deliveries someone
        else holds (or took first) is skipped until a later tick."""
        queued = 0
        for group in self._outbox.pending():
            for pending in group:
                if pending.item is None:
                    log.error("Slack delivery %s has no readable work item; dropped", pending.id)
                    self._outbox.finish(pending.id)
            runnable = [(p.id, p.item) for p in group if p.item is not None]
            if not runnable or not self._outbox.take_all([event_id for event_id, _ in runnable]):
                continue
            for event_id, item in runnable:
                log.info("re-driving Slack delivery %s", event_id)
                self.submit(event_id, item, redo=True)
                queued += 1
        return queued

    def held(self) -> set[int]:
        """The deliveries this process holds (queued or running)."""
        with self._lock:
            return self._queued | self._running

    def start(self) -> None:
        """Re-drive now (left-overs of an earlier process), then tick on a daemon thread
        until :meth:`stop`."""
        if self._thread is not None:
            return
        self._tick()
        self._thread = threading.Thread(
            target=self._loop, name="journeyline-slack-deliveries", daemon=True
        )
        self._thread.start()

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop ticking and cut retry backoffs short (their deliveries are released)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def release_queued(self) -> int:
        """Release the deliveries queued and not started (the executor dropped them at
        shutdown), so the next process runs them at once; how many."""
        with self._lock:
            queued = sorted(self._queued)
            self._queued.clear()
        self._release(queued, forget=False)
        return len(queued)

    def _release(self, event_ids: list[int], *, forget: bool = True) -> None:
        if forget:
            with self._lock:
                self._queued.difference_update(event_ids)
        if not event_ids:
            return
        try:
            self._outbox.release(event_ids)
        except Exception:
            # Their holds lapse after the lease instead.
            log.exception("could not release Slack deliveries %s", event_ids)

    def _loop(self) -> None:
        while not self._stopping.wait(self._tick_every):
            self._tick()

    def _tick(self) -> None:
        try:
            held = sorted(self.held())
            if held:
                self._outbox.renew(held)
            now = self._monotonic()
            if self._last_redrive is None or now - self._last_redrive >= self._redrive_every:
                self._last_redrive = now
                self.redrive()
                self._outbox.prune()
        except Exception:
            # The database may be down for a while; the next tick tries again.
            log.exception("renewing or re-driving Slack deliveries failed")
