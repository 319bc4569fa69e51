"""What changed between two journey maps of one series: stages and pain points that are
new, grew, shrank, disappeared or stayed the same.

Items are paired by id, which :mod:`synthesis.id_matching` keeps stable from run to run.
"Grew" and "shrank" compare how many interviews an item was heard in; the share of all
interviews is reported alongside, since a later run usually reads more interviews.

Two **waves** (two campaigns sharing a stage frame, or two date windows: this quarter
and the last) are compared with ``waves=True``: the later map's ids are first matched to
the earlier's (frame stages by their frame id, pain points by meaning: the same tag, or
shared words and quotes; see ``synthesis.id_matching``), and grew / shrank compare the
share of each wave's interviews, since waves differ in size. Each change carries a quote
as evidence (from the later map, or the earlier for what disappeared).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from synthesis.id_matching import stabilise_ids
from synthesis.model import JourneyMap, Quote, Stage

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
    evidence: Quote | None = None

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
    quote: Quote | None


# Shares within this of each other are "the same" between waves (rounding noise).
SAME_SHARE = 0.005


def diff_maps(before: JourneyMap, after: JourneyMap, *, waves: bool = False) -> MapDiff:
    """Stage and pain-point changes from ``before`` to ``after``, each list ordered new,
    grew, shrank, disappeared, same (then by the larger change, then by id). ``waves``:
    the maps are of different campaigns or windows (see the module docstring)."""
    if waves:
        after, _, _ = stabilise_ids(after, previous=before)
    return MapDiff(
        before_interviews=before.interview_count,
        after_interviews=after.interview_count,
        stages=_changes(
            [_stage_item(s) for s in before.stages],
            [_stage_item(s) for s in after.stages],
            by_share=waves,
        ),
        pain_points=_changes(
            [
                _Item(p.id, p.label, p.interviews, p.interview_share, _first(p.quotes))
                for p in before.pain_points
            ],
            [
                _Item(p.id, p.label, p.interviews, p.interview_share, _first(p.quotes))
                for p in after.pain_points
            ],
            by_share=waves,
        ),
    )


def _stage_item(stage: Stage) -> _Item:
    return _Item(
        stage.id, stage.name, stage.interviews, stage.interview_share, _first(stage.quotes)
    )


def _first(quotes: Sequence[Quote]) -> Quote | None:
    return quotes[0] if quotes else None


def _changes(
    before: Sequence[_Item], after: Sequence[_Item], *, by_share: bool = False
) -> list[Change]:
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
        elif by_share and abs(b.share - a.share) > SAME_SHARE:
            status = "grew" if b.share > a.share else "shrank"
        elif not by_share and b.interviews != a.interviews:
            status = "grew" if b.interviews > a.interviews else "shrank"
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
                evidence=shown.quote,
            )
        )
    changes.sort(key=lambda c: (ORDER.index(c.status), -abs(c.delta), c.id))
    return changes
