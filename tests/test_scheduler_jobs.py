"""The durable job queue on SQLite and PostgreSQL: a key is queued once, a claim is a
lease, a lapsed lease comes back, failures are retried with a delay and then given up,
and a graceful stop hands back what it did not start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from campaigns.scheduler import Claim, Worker, backoff
from storage import jobs
from storage.scheduler_models import ScheduledJob

T0 = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _enqueue(sessions: sessionmaker[Session], key: str, *, at: datetime = T0) -> bool:
    with sessions.begin() as session:
        return jobs.enqueue(session, kind="test", key=key, run_at=at, now=T0, payload={"k": key})


def test_a_key_is_queued_once(session_factory: sessionmaker[Session]) -> None:
    assert _enqueue(session_factory, "a")
    assert not _enqueue(session_factory, "a")
    with session_factory() as session:
        assert jobs.counts(session) == {("test", "queued"): 1}


def test_claims_are_leases_and_a_lapsed_lease_comes_back(
    session_factory: sessionmaker[Session],
) -> None:
    for key in "abc":
        _enqueue(session_factory, key)
    _enqueue(session_factory, "later", at=T0 + timedelta(hours=1))
    lease = T0 + timedelta(minutes=2)
    with session_factory.begin() as session:
        first = jobs.claim(session, worker="w1", now=T0, lease_until=lease, limit=2)
    with session_factory.begin() as session:
        second = jobs.claim(session, worker="w2", now=T0, lease_until=lease, limit=5)
    assert [j.payload["k"] for j in first] == ["a", "b"]
    assert [j.payload["k"] for j in second] == ["c"]  # not w1's, not the later one
    # w1 dies and w2 stalls; their leases lapse; w2 takes them all again, as second
    # attempts.
    after = T0 + timedelta(minutes=3)
    with session_factory.begin() as session:
        taken = jobs.claim(
            session, worker="w2", now=after, lease_until=after + timedelta(minutes=2), limit=5
        )
        assert [(j.payload["k"], j.attempts) for j in taken] == [("a", 2), ("b", 2), ("c", 2)]
        # w1 cannot finish what it no longer holds.
        assert not jobs.finish(session, job_id=first[0].id, worker="w1", now=after)
        assert jobs.finish(session, job_id=first[0].id, worker="w2", now=after)
    with session_factory.begin() as session:
        # Renewing keeps w2's remaining jobs its own.
        assert jobs.renew(session, worker="w2", lease_until=T0 + timedelta(hours=2)) == 2
        assert (
            jobs.claim(
                session,
                worker="w3",
                now=T0 + timedelta(minutes=30),
                lease_until=T0 + timedelta(hours=3),
                limit=5,
            )
            == []
        )


def test_failures_are_retried_later_then_given_up(session_factory: sessionmaker[Session]) -> None:
    clock = Clock()
    calls: list[int] = []

    def flaky(claim: Claim) -> None:
        calls.append(claim.job.attempts)
        raise RuntimeError("the server said no")

    with session_factory.begin() as session:
        jobs.enqueue(session, kind="flaky", key="f", run_at=T0, now=T0, max_attempts=3)
    worker = Worker(session_factory, {"flaky": flaky}, name="w", clock=clock)
    assert worker.run_until_idle() == 1
    assert worker.run_until_idle() == 0  # waits for its back-off
    clock.now += backoff(1)
    worker.run_until_idle()
    clock.now += backoff(2)
    worker.run_until_idle()
    clock.now += timedelta(days=1)
    assert worker.run_until_idle() == 0
    assert calls == [1, 2, 3]
    with session_factory() as session:
        job = session.scalar(select(ScheduledJob))
        assert job is not None and job.state == "failed"
        assert "the server said no" in (job.last_error or "")


def test_unknown_kinds_fail_and_a_stopping_worker_hands_back_its_claim(
    session_factory: sessionmaker[Session],
) -> None:
    done: list[str] = []
    worker = Worker(session_factory, {}, name="w", clock=Clock())

    def first(claim: Claim) -> None:
        done.append(claim.job.key)
        worker.stopping.set()  # a SIGTERM arrives while the first job runs

    worker = Worker(session_factory, {"test": first}, name="w", clock=Clock(), batch=5)
    for key in "abc":
        _enqueue(session_factory, key)
    with session_factory.begin() as session:
        jobs.enqueue(session, kind="mystery", key="m", run_at=T0 + timedelta(seconds=1), now=T0)
    assert worker.run_once() == 1 and done == ["a"]
    with session_factory() as session:
        states = {
            j.idempotency_key: (j.state, j.attempts) for j in session.scalars(select(ScheduledJob))
        }
    assert states == {"a": ("done", 1), "b": ("queued", 0), "c": ("queued", 0), "m": ("queued", 0)}
    clock = Clock()
    clock.now += timedelta(seconds=2)
    Worker(session_factory, {"test": lambda claim: None}, name="w2", clock=clock).run_until_idle()
    with session_factory() as session:
        mystery = session.scalar(select(ScheduledJob).where(ScheduledJob.kind == "mystery"))
        assert mystery is not None and mystery.state == "failed"


@pytest.mark.parametrize("attempts", [1, 2, 7, 20])
def test_backoff_grows_and_is_capped(attempts: int) -> None:
    assert timedelta(seconds=30) <= backoff(attempts) <= timedelta(hours=1)
