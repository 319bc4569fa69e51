"""Retention: each campaign's ``retention_days``, and the run that deletes transcripts
once they are due (``storage.retention`` says what goes and what stays).

Run daily by the scheduler (``campaigns.retention_job``) and by `journeyline retention
run`; on SQLite the deletes overwrite the freed bytes and the file is compacted after
(``storage.secure_delete``), as for an erasure.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.service.errors import CampaignNotFound
from storage.engines import write_session
from storage.retention import RetentionReport, apply_retention, set_retention
from storage.secure_delete import compact, secure_deletes
from storage.types import utcnow

# Most a retention may be: longer is a typo, not a policy.
MAX_RETENTION_DAYS = 36_500


class Retention:
    """Retention over one database; ``clock`` gives aware UTC datetimes (tests move it)."""

    def __init__(
        self, sessions: sessionmaker[Session], *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    def set_days(self, campaign_slug: str, days: int | None) -> None:
        """Keep ``campaign_slug``'s transcripts ``days`` days after each interview ended
        (None: keep them). Raises `CampaignNotFound`, or ValueError for fewer than one
        day or more than a hundred years."""
        if days is not None and not 1 <= days <= MAX_RETENTION_DAYS:
            raise ValueError(f"retention must be 1 to {MAX_RETENTION_DAYS} days, not {days}")
        with write_session(self._sessions) as session:
            if not set_retention(session, campaign_slug=campaign_slug, days=days):
                raise CampaignNotFound(campaign_slug)

    def run(self, *, dry_run: bool = False) -> RetentionReport:
        """Delete the transcripts that are due (``dry_run``: only say what would go)."""
        now = self._clock()
        if dry_run:
            with self._sessions() as session:
                return apply_retention(session, now=now, dry_run=True)
        with write_session(self._sessions) as session, secure_deletes(session):
            report = apply_retention(session, now=now)
        bind = self._sessions.kw.get("bind")
        if report.interviews and isinstance(bind, Engine):
            compact(bind)
        return report
