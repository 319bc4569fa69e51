"""Whether a campaign takes interviews now, and closing and reopening it.

A campaign is *open*, *not started yet* (before its start date) or *closed* (by a
researcher, at its end date, at its target, or by saturation). Everything that lets
people in asks :func:`availability`: the open link, personal invitation links and the
scheduler's send path.

Stop rules are checked by the durable scheduler (``campaigns.stop_rules``): a chain of
``campaign.stop_check`` jobs, one at a time per campaign, each queueing the next.
Saving a campaign starts a new chain (its ``generation`` is the save's time) and an
older chain ends when it sees a newer generation, so edits never multiply the checks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.service.errors import StudyClosed, StudyNotOpenYet
from storage import jobs
from storage.models import Campaign

STOP_CHECK = "campaign.stop_check"
CLOSED_NOTICE = "campaign.closed_notice"
DEFAULT_CHECK_EVERY = timedelta(minutes=10)


class CloseReason(StrEnum):
    MANUAL = "manual"
    END_DATE = "end_date"
    TARGET = "target"
    SATURATION = "saturation"


class Availability(StrEnum):
    OPEN = "open"
    NOT_STARTED = "not_started"
    CLOSED = "closed"


def availability(campaign: Campaign, now: datetime) -> Availability:
    """Whether ``campaign`` takes new interviews at ``now``."""
    return availability_at(
        status=campaign.status, starts_at=campaign.starts_at, ends_at=campaign.ends_at, now=now
    )


def availability_at(
    *, status: str, starts_at: datetime | None, ends_at: datetime | None, now: datetime
) -> Availability:
    """:func:`availability` from the stored values. An end date that has passed closes
    the campaign at once, before the scheduler's check has written it down."""
    if status == "closed" or (ends_at is not None and ends_at <= now):
        return Availability.CLOSED
    if starts_at is not None and starts_at > now:
        return Availability.NOT_STARTED
    return Availability.OPEN


def refuse_unless_open(
    slug: str,
    *,
    status: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    now: datetime,
) -> None:
    """Raise :class:`StudyClosed` or :class:`StudyNotOpenYet` unless the campaign takes
    new interviews at ``now``."""
    state = availability_at(status=status, starts_at=starts_at, ends_at=ends_at, now=now)
    if state is Availability.CLOSED:
        raise StudyClosed(slug)
    if state is Availability.NOT_STARTED and starts_at is not None:
        raise StudyNotOpenYet(slug, starts_at)


def close_in(
    session: Session, campaign: Campaign, *, reason: CloseReason, note: str, now: datetime
) -> bool:
    """Close ``campaign`` in the caller's transaction; False when it was closed already
    (a retried close changes nothing). A close by a stop rule also queues the email to
    the researchers (``CLOSED_NOTICE``, once per close)."""
    if campaign.status == "closed":
        return False
    campaign.status = "closed"
    campaign.closed_at = now
    campaign.closed_reason = reason.value
    campaign.closed_note = note
    if reason is not CloseReason.MANUAL:
        jobs.enqueue(
            session,
            kind=CLOSED_NOTICE,
            key=f"campaign-closed:{campaign.id}:{now.isoformat()}",
            run_at=now,
            now=now,
            payload={"campaign": campaign.id, "closed_at": now.isoformat()},
        )
    return True


class ReopenRefused(RuntimeError):
    """Reopening would close the campaign again at once: the message says what to change."""


def reopen_in(
    session: Session,
    campaign: Campaign,
    *,
    completed: int,
    now: datetime,
    every: timedelta = DEFAULT_CHECK_EVERY,
) -> bool:
    """Reopen ``campaign`` (``completed``: its completed interviews); False when it was
    open. Raises :class:`ReopenRefused` when its end date has passed or its target is
    reached, since the next check would close it again. A campaign that saturation
    closed reopens with that rule off (the same interviews would close it again)."""
    # Checked first: past its end date a campaign is closed whatever its status says.
    if campaign.ends_at is not None and campaign.ends_at <= now:
        raise ReopenRefused("Its end date has passed: move the end date first (Edit).")
    if campaign.status != "closed":
        return False
    if campaign.target_completes is not None and completed >= campaign.target_completes:
        raise ReopenRefused(
            f"It has reached its target of {campaign.target_completes} completed interviews: "
            "raise the target first (Edit)."
        )
    if campaign.closed_reason == CloseReason.SATURATION.value:
        campaign.saturation_n = None
    campaign.status = "open"
    campaign.closed_at = None
    campaign.closed_reason = None
    campaign.closed_note = None
    campaign.updated_at = now
    schedule_stop_check(session, campaign, now=now, every=every)
    return True


def has_stop_rules(campaign: Campaign) -> bool:
    return any(
        value is not None
        for value in (campaign.ends_at, campaign.target_completes, campaign.saturation_n)
    )


def generation(campaign: Campaign) -> str:
    """Which save of the campaign a check chain belongs to."""
    return (campaign.updated_at or campaign.created_at).isoformat()


def schedule_stop_check(
    session: Session,
    campaign: Campaign,
    *,
    now: datetime,
    every: timedelta = DEFAULT_CHECK_EVERY,
    after: datetime | None = None,
) -> bool:
    """Queue the campaign's next stop-rule check (``after`` the check that queues it,
    else now): in ``every``, or at the end date if that comes first. Nothing for a
    closed campaign or one without stop rules; once per moment (a unique job key), so
    a retried check queues its successor once."""
    if campaign.status == "closed" or not has_stop_rules(campaign):
        return False
    run_at = now if after is None else after + every
    if campaign.ends_at is not None and campaign.ends_at < run_at:
        run_at = max(campaign.ends_at, now)
    chain = generation(campaign)
    return jobs.enqueue(
        session,
        kind=STOP_CHECK,
        key=f"campaign-stop:{campaign.id}:{chain}:{run_at.isoformat()}",
        run_at=run_at,
        now=now,
        payload={"campaign": campaign.id, "generation": chain, "due": run_at.isoformat()},
    )
