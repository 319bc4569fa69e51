"""What the review service refuses, in words a person can act on (pages show
``str(error)``)."""

from __future__ import annotations


class ReviewError(Exception):
    """Base of the review service's refusals: the message is meant for the person."""


class MapNotFound(ReviewError):
    def __init__(self, run_id: int) -> None:
        super().__init__(f"There is no stored map {run_id}. Maps are listed under Maps.")


class MapUnreadable(ReviewError):
    """A stored run this version cannot read (another map schema)."""


class EvidenceNotFound(ReviewError):
    """A cell that is not in this map (a stale link, or a mistyped address)."""


class TranscriptNotFound(ReviewError):
    def __init__(self, interview_id: str) -> None:
        super().__init__(
            f"Interview {interview_id} is not one this map was drawn from, so it cannot be "
            "opened from here."
        )
