"""The ``scheduled_jobs`` table as a durable queue: enqueue once, claim with a lease,
finish, retry or fail.

Every function takes the ``Session`` first and never commits; the caller owns the
transaction. A claim is ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers
in any number of processes take disjoint jobs without waiting for each other; SQLite
renders no row locks, and needs none: every write transaction there begins with
``BEGIN IMMEDIATE`` (``storage.engines``), so claims run one after the other.

A claimed job is held until ``locked_until`` (its lease), which the worker renews while
it runs. A lease that lapsed means its worker died: the job is due again for anyone.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.scheduler_models import ScheduledJob

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
# Longest error text kept on a job: enough for a traceback's last lines.
ERROR_CHARS = 2000


@dataclass(frozen=True)
class Job:
    """A claimed job: what to do (``kind``, ``payload``) and how often it was taken."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    key: str


def enqueue(
    session: Session,
    *,
    kind: str,
    key: str,
    run_at: datetime,
    now: datetime,
    payload: Mapping[str, Any] | None = None,
    max_attempts: int = 8,
) -> bool:
    """Store a job due at ``run_at`` (stored ``now``) unless one with ``key`` exists (in any state);
    whether it was stored. The unique key makes this hold across processes: of two
    concurrent enqueues of the same key one stores it, the other nothing."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    statement = (
        insert(ScheduledJob)
        .values(
            kind=kind,
            payload=dict(payload or {}),
            run_at=run_at,
            state=QUEUED,
            attempts=0,
            max_attempts=max_attempts,
            idempotency_key=key,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=[ScheduledJob.idempotency_key])
        .returning(ScheduledJob.id)
    )
    return session.scalar(statement) is not None


@dataclass(frozen=True)
class NewJob:
    kind: str
    key: str
    run_at: datetime
    payload: dict[str, Any]


def enqueue_many(session: Session, *, jobs: Sequence[NewJob], now: datetime) -> None:
    """Store jobs whose keys are new (they name rows made in this transaction) in one
    statement; a key stored before is an ``IntegrityError``, as it is a bug here."""
    if not jobs:
        return
    session.execute(
        insert(ScheduledJob),
        [
            {
                "kind": job.kind,
                "payload": job.payload,
                "run_at": job.run_at,
                "state": QUEUED,
                "attempts": 0,
                "max_attempts": 8,
                "idempotency_key": job.key,
                "created_at": now,
            }
            for job in jobs
        ],
    )


def _due(now: datetime) -> Any:
    return or_(
        and_(ScheduledJob.state == QUEUED, ScheduledJob.run_at <= now),
        and_(ScheduledJob.state == RUNNING, ScheduledJob.locked_until < now),
    )


def claim(
    session: Session,
    *,
    worker: str,
    now: datetime,
    lease_until: datetime,
    limit: int,
) -> list[Job]:
    """Take up to ``limit`` due jobs (queued and due, or held under a lapsed lease) for
    ``worker`` until ``lease_until``, oldest ``run_at`` first; each take counts as an
    attempt. Jobs other workers are claiming at this moment are skipped, not waited for.
    """
    ids = list(
        session.scalars(
            select(ScheduledJob.id)
            .where(_due(now))
            .order_by(ScheduledJob.run_at, ScheduledJob.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        return []
    rows = session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.id.in_(ids))
        .values(
            state=RUNNING,
            locked_by=worker,
            locked_until=lease_until,
            attempts=ScheduledJob.attempts + 1,
        )
        .returning(
            ScheduledJob.id,
            ScheduledJob.kind,
            ScheduledJob.payload,
            ScheduledJob.attempts,
            ScheduledJob.max_attempts,
            ScheduledJob.idempotency_key,
        )
    )
    jobs = [
        Job(int(r[0]), str(r[1]), dict(r[2] or {}), int(r[3]), int(r[4]), str(r[5])) for r in rows
    ]
    return sorted(jobs, key=lambda job: ids.index(job.id))


def _held(job_id: int, worker: str) -> Any:
    return and_(
        ScheduledJob.id == job_id,
        ScheduledJob.state == RUNNING,
        ScheduledJob.locked_by == worker,
    )


def finish(session: Session, *, job_id: int, worker: str, now: datetime) -> bool:
    """Mark the job done; False (nothing changed) if ``worker`` no longer holds it."""
    result = session.execute(
        update(ScheduledJob)
        .where(_held(job_id, worker))
        .values(state=DONE, done_at=now, locked_by=None, locked_until=None, last_error=None)
    )
    return cast("CursorResult[Any]", result).rowcount == 1


def retry(session: Session, *, job_id: int, worker: str, run_at: datetime, error: str) -> bool:
    """Put the job back in the queue, due at ``run_at``, with the error that stopped it."""
    result = session.execute(
        update(ScheduledJob)
        .where(_held(job_id, worker))
        .values(
            state=QUEUED,
            run_at=run_at,
            locked_by=None,
            locked_until=None,
            last_error=error[-ERROR_CHARS:],
        )
    )
    return cast("CursorResult[Any]", result).rowcount == 1


def fail(session: Session, *, job_id: int, worker: str, now: datetime, error: str) -> bool:
    """Give the job up for good (``failed``), with the error that stopped it."""
    result = session.execute(
        update(ScheduledJob)
        .where(_held(job_id, worker))
        .values(
            state=FAILED,
            done_at=now,
            locked_by=None,
            locked_until=None,
            last_error=error[-ERROR_CHARS:],
        )
    )
    return cast("CursorResult[Any]", result).rowcount == 1


def renew(session: Session, *, worker: str, lease_until: datetime) -> int:
    """Extend every lease ``worker`` holds to ``lease_until``; how many it holds."""
    result = session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.state == RUNNING, ScheduledJob.locked_by == worker)
        .values(locked_until=lease_until)
    )
    return cast("CursorResult[Any]", result).rowcount


def release(session: Session, *, worker: str, job_ids: Collection[int]) -> int:
    """Hand back jobs ``worker`` claimed but did not start (a graceful stop): queued
    again at once, and the claim does not count as an attempt."""
    if not job_ids:
        return 0
    result = session.execute(
        update(ScheduledJob)
        .where(
            ScheduledJob.id.in_(list(job_ids)),
            ScheduledJob.state == RUNNING,
            ScheduledJob.locked_by == worker,
        )
        .values(
            state=QUEUED,
            locked_by=None,
            locked_until=None,
            attempts=ScheduledJob.attempts - 1,
        )
    )
    return cast("CursorResult[Any]", result).rowcount


def counts(session: Session) -> dict[tuple[str, str], int]:
    """How many jobs there are, by (kind, state)."""
    rows = session.execute(
        select(ScheduledJob.kind, ScheduledJob.state, func.count()).group_by(
            ScheduledJob.kind, ScheduledJob.state
        )
    )
    return {(str(kind), str(state)): int(n) for kind, state, n in rows}


def failures(session: Session, *, limit: int = 20) -> list[ScheduledJob]:
    """The most recent failed jobs, newest first."""
    return list(
        session.scalars(
            select(ScheduledJob)
            .where(ScheduledJob.state == FAILED)
            .order_by(ScheduledJob.done_at.desc())
            .limit(limit)
        )
    )
