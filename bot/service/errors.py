"""What the interview service refuses, in the service's own words.

Channel adapters handle these and nothing below them: no adapter imports storage.
"""

from __future__ import annotations


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


class TurnBusy(RuntimeError):
    """The turn could not be stored: the database was busy with other writers (a
    caller that asked not to wait), or the interview kept changing under it. Nothing
    was stored; the same delivery may be sent again."""
