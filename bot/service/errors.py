"""What the interview service refuses, in the service's own words.

Channel adapters handle these and nothing below them: no adapter imports storage.
"""

from __future__ import annotations

from datetime import datetime


class InterviewNotFound(LookupError):
    def __init__(self, interview_id: str) -> None:
        self.interview_id = interview_id
        super().__init__(f"no interview with id {interview_id!r}")


class InterviewFinished(RuntimeError):
    def __init__(self, interview_id: str, status: str) -> None:
        self.interview_id = interview_id
        self.status = status
        super().__init__(f"interview {interview_id} is {status}: it takes no more answers")


class CampaignNotFound(LookupError):
    def __init__(self, slug: str) -> None:
        self.slug = slug
        super().__init__(f"no campaign with slug {slug!r} (see `journeyline campaigns list`)")


class CampaignClosed(PermissionError):
    def __init__(self, slug: str) -> None:
        super().__init__(f"campaign {slug!r} does not accept interviews from an open link")


class StudyClosed(CampaignClosed):
    """The campaign is closed (by a researcher, its end date, target or saturation):
    no new interview starts, from any link."""

    def __init__(self, slug: str) -> None:
        PermissionError.__init__(self, f"campaign {slug!r} has closed")


class StudyNotOpenYet(CampaignClosed):
    """The campaign's start date has not come yet."""

    def __init__(self, slug: str, starts_at: datetime) -> None:
        self.starts_at = starts_at
        PermissionError.__init__(self, f"campaign {slug!r} opens at {starts_at.isoformat()}")


class QuotaFull(CampaignClosed):
    """The quota cell the person belongs to (``label``, e.g. ``plan=basic``) has all the
    completed interviews it wanted."""

    def __init__(self, slug: str, label: str) -> None:
        self.label = label
        PermissionError.__init__(self, f"campaign {slug!r}: the quota {label} is full")


class TurnBusy(RuntimeError):
    """The turn could not be stored: the database was busy with other writers (a
    caller that asked not to wait), or the interview kept changing under it. Nothing
    was stored; the same delivery may be sent again."""


class StartRefused(RuntimeError):
    """An open link may not start another interview now: its ``scope`` ("client",
    "campaign" or "all") used up its budget; the window ends in ``retry_after`` seconds.
    Nothing was stored."""

    def __init__(self, scope: str, retry_after: int) -> None:
        self.scope = scope
        self.retry_after = retry_after
        super().__init__(f"too many interviews started ({scope}); try again in {retry_after} s")


class InterviewFull(RuntimeError):
    """The interview has stored as many messages or characters as it may: this one was
    not stored."""

    def __init__(self, interview_id: str) -> None:
        self.interview_id = interview_id
        super().__init__(f"interview {interview_id} has reached its length limit")
