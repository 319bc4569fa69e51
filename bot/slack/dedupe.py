"""Each Slack delivery is handled once, across retries, double clicks and processes.

Bolt does not de-duplicate: Slack resends an event it thinks was not acknowledged (with
``x-slack-retry-num``), and a double click sends two payloads. Claims live in storage so
two server processes, or a process restarted between a delivery and its retry, agree.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage import queries

# Slack stops retrying within the hour; a day leaves room for clock skew and outages.
KEEP_CLAIMS = timedelta(days=1)
PRUNE_EVERY = 500


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Deduper:
    """Claims delivery keys in storage; old claims are pruned now and then."""

    def __init__(
        self, sessions: sessionmaker[Session], *, clock: Callable[[], datetime] = _utcnow
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._lock = threading.Lock()
        self._claims = 0

    def claim(self, key: str) -> bool:
        """True for the first delivery of ``key`` anywhere; False for every later one.

        Committed at once, in its own transaction, so other processes see it.
        """
        with self._sessions.begin() as session:
            first = queries.claim_slack_event(session, key=key)
        if first and self._due_for_pruning():
            with self._sessions.begin() as session:
                queries.forget_slack_events(session, before=self._clock() - KEEP_CLAIMS)
        return first

    def _due_for_pruning(self) -> bool:
        with self._lock:
            self._claims += 1
            return self._claims % PRUNE_EVERY == 0
