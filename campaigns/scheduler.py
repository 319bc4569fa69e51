"""The durable scheduler's worker: claims due jobs from the database and runs them.

Any number of workers, in threads of ``journeyline serve`` or in ``journeyline worker``
processes, share the ``scheduled_jobs`` table. A worker claims a few due jobs at a time
under a lease (``storage.jobs``) and renews it from a heartbeat thread while it works,
so a live worker keeps its jobs and a dead one's come back when the lease lapses. A job
that raises is retried later with a growing delay, and after its last attempt marked
failed with the error. A graceful stop finishes the job at hand and hands the rest of
its claim back at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage import jobs
from storage.engines import write_session
from storage.jobs import Job
from storage.types import utcnow

log = logging.getLogger(__name__)


class Claim:
    """A job as its handler gets it: the job, and a way to mark it done inside the
    handler's own last transaction (one commit fewer per job, and the job is done
    exactly when its work is)."""

    def __init__(self, job: Job, worker: str) -> None:
        self.job = job
        self.worker = worker
        self.finished = False

    def finish(self, session: Session, *, now: datetime) -> None:
        """Mark the job done in ``session``'s transaction."""
        if jobs.finish(session, job_id=self.job.id, worker=self.worker, now=now):
            self.finished = True


Handler = Callable[[Claim], None]
DEFAULT_LEASE = timedelta(seconds=120)
# Jobs claimed per transaction: fewer claims, and a dead worker strands only these few
# until their lease lapses.
DEFAULT_BATCH = 10


def backoff(attempts: int) -> timedelta:
    """Delay before retry ``attempts``: 30 s, 1 min, 2 min, ... at most one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def worker_name() -> str:
    """Unique per worker: the host and process (to find it) and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """Runs due jobs with ``handlers`` (job kind -> function)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        handlers: Mapping[str, Handler],
        *,
        name: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
        batch: int = DEFAULT_BATCH,
        poll_seconds: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        self.name = name or worker_name()
        self._on_stop = on_stop
        self._sessions = sessions
        self._handlers = dict(handlers)
        self._lease = lease
        self._batch = batch
        self._poll = poll_seconds
        self._clock = clock
        self.stopping = threading.Event()

    def run_once(self) -> int:
        """Claim due jobs and run them; how many ran."""
        now = self._clock()
        with write_session(self._sessions) as session:
            claimed = jobs.claim(
                session, worker=self.name, now=now, lease_until=now + self._lease, limit=self._batch
            )
        for index, job in enumerate(claimed):
            if self.stopping.is_set():
                self._release([j.id for j in claimed[index:]])
                return index
            self._run(job)
        return len(claimed)

    def run_until_idle(self, *, max_rounds: int = 10_000) -> int:
        """Run due jobs until none is due (tests, and ``journeyline worker --once``)."""
        total = 0
        for _ in range(max_rounds):
            ran = self.run_once()
            if ran == 0:
                break
            total += ran
        return total

    def run(self) -> None:
        """Run jobs as they come due until ``stopping`` is set."""
        heartbeat = threading.Thread(target=self._heartbeat, name=f"lease-{self.name}", daemon=True)
        heartbeat.start()
        try:
            while not self.stopping.is_set():
                try:
                    ran = self.run_once()
                except SQLAlchemyError:
                    log.exception("the scheduler cannot reach the database; trying again")
                    ran = 0
                if ran == 0:
                    self.stopping.wait(self._poll)
        finally:
            self.stopping.set()
            heartbeat.join(timeout=5)
            if self._on_stop is not None:
                self._on_stop()  # e.g. QUIT the SMTP connection

    def _run(self, job: Job) -> None:
        handler = self._handlers.get(job.kind)
        if job.attempts > job.max_attempts:
            self._end(job, error=f"gave up after {job.max_attempts} attempts", retry=False)
            return
        if handler is None:
            self._end(job, error=f"no handler for jobs of kind {job.kind!r}", retry=False)
            return
        claim = Claim(job, self.name)
        try:
            handler(claim)
        except Exception as error:
            retry = job.attempts < job.max_attempts
            log.warning(
                "job %s (%s) failed on attempt %s%s: %s",
                job.id, job.kind, job.attempts, "" if retry else ", giving up", error,
            )  # fmt: skip
            self._end(job, error=traceback.format_exc(), retry=retry)
            return
        if claim.finished:
            return
        with write_session(self._sessions) as session:
            if not jobs.finish(session, job_id=job.id, worker=self.name, now=self._clock()):
                log.warning("job %s finished after its lease lapsed", job.id)

    def _end(self, job: Job, *, error: str, retry: bool) -> None:
        now = self._clock()
        with write_session(self._sessions) as session:
            if retry:
                jobs.retry(
                    session, job_id=job.id, worker=self.name,
                    run_at=now + backoff(job.attempts), error=error,
                )  # fmt: skip
            else:
                jobs.fail(session, job_id=job.id, worker=self.name, now=now, error=error)

    def _release(self, job_ids: list[int]) -> None:
        with write_session(self._sessions) as session:
            jobs.release(session, worker=self.name, job_ids=job_ids)

    def _heartbeat(self) -> None:
        every = max(self._lease.total_seconds() / 3, 0.05)
        while not self.stopping.wait(every):
            try:
                with write_session(self._sessions) as session:
                    jobs.renew(session, worker=self.name, lease_until=self._clock() + self._lease)
            except SQLAlchemyError:
                log.exception("could not renew the scheduler's leases")


class WorkerThreads:
    """Workers in threads of this process (``serve``'s scheduler, ``journeyline worker``)."""

    def __init__(self, workers: list[Worker]) -> None:
        self.workers = workers
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for worker in self.workers:
            thread = threading.Thread(
                target=worker.run, name=f"scheduler-{worker.name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, *, timeout: float = 30.0) -> None:
        """Ask every worker to stop after its job at hand, and wait for them."""
        for worker in self.workers:
            worker.stopping.set()
        for thread in self._threads:
            thread.join(timeout=timeout)

    def wait(self) -> None:
        """Block until the workers stop (Ctrl-C arrives as KeyboardInterrupt here)."""
        for thread in self._threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
