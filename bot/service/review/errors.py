"""What the review service refuses, in words a person can act on (pages show
``str(error)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.service.review.layer import EditView


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


class EditRefused(ReviewError):
    """An edit that cannot be made as given (the message says why)."""


class EditConflict(ReviewError):
    """Someone else changed the map's layer since the page the edit came from: nothing
    was stored. ``current`` is the layer's version now; ``since`` the changes made since
    (edit views), to show before trying again."""

    def __init__(self, *, expected: int, current: int, since: list[EditView]) -> None:
        self.expected = expected
        self.current = current
        self.since = since
        who = sorted({e.author for e in since}) or ["someone"]
        super().__init__(
            f"{', '.join(who)} changed this map while you were looking at it (version "
            f"{expected} became {current}). Your edit was not saved, so nothing of theirs "
            "or yours is lost: check their changes, then save yours again."
        )


class ChangedMeanwhile(ReviewError):
    """A status or an action changed since the page the form came from: nothing was
    stored (the message says what it is now)."""


class NotPermitted(ReviewError):
    """The caller's role may not do this (the permission table says so)."""
