"""The daily retention run as a durable job: one ``retention.daily`` job per day, keyed
by its date, so however many workers and server processes enqueue it, it runs once.

Each run enqueues the next day's; ``ensure_scheduled`` (called when a scheduler is
built) enqueues the next one if the chain was broken (no worker ran for a while).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.service.retention import Retention
from campaigns.scheduler import Claim, Handler
from storage import jobs
from storage.engines import write_session
from storage.types import utcnow

RETENTION = "retention.daily"
# When the run is due each day (UTC): a quiet hour for most research teams.
RUN_AT = time(3, 0)


def next_run(now: datetime) -> datetime:
    """The first ``RUN_AT`` (UTC) after ``now``."""
    today = datetime.combine(now.date(), RUN_AT, tzinfo=now.tzinfo)
    return today if today > now else today + timedelta(days=1)


def _enqueue(session: Session, *, at: datetime, now: datetime) -> bool:
    return jobs.enqueue(
        session, kind=RETENTION, key=f"retention:{at.date().isoformat()}", run_at=at, now=now
    )


class RetentionJobs:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        retention: Retention | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._retention = retention or Retention(sessions, clock=clock)
        self._clock = clock

    def ensure_scheduled(self) -> bool:
        """Enqueue the next daily run unless it is; whether this call stored it."""
        now = self._clock()
        with write_session(self._sessions) as session:
            return _enqueue(session, at=next_run(now), now=now)

    def handler(self) -> Handler:
        def run(claim: Claim) -> None:
            self._retention.run()
            now = self._clock()
            with write_session(self._sessions) as session:
                _enqueue(session, at=next_run(now), now=now)
                claim.finish(session, now=now)

        return run
