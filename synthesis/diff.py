"""What changed between two journey maps of one series: stages and pain points that are
new, grew, shrank, disappeared or stayed the same.

Items are paired by id, which :mod:`synthesis.id_matching` keeps stable from run to run.
"Grew" and "shrank" compare how many interviews an item was heard in; the share of all
interviews is reported alongside, since a later run usually reads more interviews.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from synthesis.model import JourneyMap

Status = Literal["new", "grew", "shrank", "disappeared", "same"]
ORDER: tuple[Status, ...] = ("new", "grew", "shrank", "disappeared", "same")


@dataclass(frozen=True)
class Change:
    """One stage or pain point across the two maps (``None`` where it is absent)."""

    id: str
    name: str
    status: Status
    before: int | None
    after: int | None
    before_share: float | None
    after_share: float | None

    @property
    def delta(self) -> int:
        return (self.after or 0) - (self.before or 0)


@dataclass(frozen=True)
class MapDiff:
    before_interviews: int
    after_interviews: int
    stages: list[Change]
    pain_points: list[Change]

    def count(self, status: Status) -> tuple[int, int]:
        """How many (stages, pain points) have ``status``."""
        return (
            sum(c.status == status for c in self.stages),
            sum(c.status == status for c in self.pain_points),
        )


@dataclass(frozen=True)
class _Item:
    id: str
    name: str
    interviews: int
    share: float


def diff_maps(before: JourneyMap, after: JourneyMap) -> MapDiff:
    """Stage and pain-point changes from ``before`` to ``after``, each list ordered new,
    grew, shrank, disappeared, same (then by the larger change, then by id)."""
    return MapDiff(
        before_interviews=before.interview_count,
        after_interviews=after.interview_count,
        stages=_changes(
            [_Item(s.id, s.name, s.interviews, s.interview_share) for s in before.stages],
            [_Item(s.id, s.name, s.interviews, s.interview_share) for s in after.stages],
        ),
        pain_points=_changes(
            [_Item(p.id, p.label, p.interviews, p.interview_share) for p in before.pain_points],
            [_Item(p.id, p.label, p.interviews, p.interview_share) for p in after.pain_points],
        ),
    )


def _changes(before: Sequence[_Item], after: Sequence[_Item]) -> list[Change]:
    old = {item.id: item for item in before}
    new = {item.id: item for item in after}
    changes: list[Change] = []
    for item_id in [*new, *(i for i in old if i not in new)]:
        a, b = old.get(item_id), new.get(item_id)
        shown = b or a
        assert shown is not None  # the id came from one of the two maps
        status: Status
        if a is None:
            status = "new"
        elif b is None:
            status = "disappeared"
        elif b.interviews > a.interviews:
            status = "grew"
        elif b.interviews < a.interviews:
            status = "shrank"
        else:
            status = "same"
        changes.append(
            Change(
                id=item_id,
                name=shown.name,
                status=status,
                before=a.interviews if a else None,
                after=b.interviews if b else None,
                before_share=a.share if a else None,
                after_share=b.share if b else None,
            )
        )
    changes.sort(key=lambda c: (ORDER.index(c.status), -abs(c.delta), c.id))
    return changes
