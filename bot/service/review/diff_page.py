"""Two versions of a map side by side, cell by cell: two runs of one series, or two
waves (two campaigns on one stage frame, two date windows). Each side is its run's
curated map (its series' edits applied). Stages and pain points are paired as
``synthesis.diff`` pairs them (by id within a series; as waves: frame stages by their
frame id, pain points by meaning), and every lane that changed says so, with a quote and
a link to each side's evidence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from synthesis.diff import ORDER, Change, diff_maps
from synthesis.id_matching import stabilise_ids
from synthesis.model import JourneyMap, Opportunity, PainPoint, Quote, Stage
from synthesis.render_html import channel_label
from synthesis.runs import RunInfo


@dataclass(frozen=True)
class Lane:
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class CellDiff:
    """One stage, pain point or opportunity in both versions. ``before_id`` and
    ``after_id`` are its ids in each run (they differ only between waves)."""

    kind: str
    name: str
    status: str
    before_id: str | None
    after_id: str | None
    lanes: list[Lane]
    evidence: Quote | None
    before_interviews: int | None
    after_interviews: int | None


@dataclass(frozen=True)
class DiffPage:
    before: RunInfo
    after: RunInfo
    waves: bool
    masked: bool
    stages: list[CellDiff]
    pains: list[CellDiff]
    opportunities: list[CellDiff]

    def count(self, status: str) -> tuple[int, int]:
        return (
            sum(c.status == status for c in self.stages),
            sum(c.status == status for c in self.pains),
        )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _minutes(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"


def _top(values: Sequence[Any], show: Callable[[str], str] = str) -> str:
    return f"{show(values[0].value)} ({values[0].count})" if values else "–"


def _stage_lanes(before: Stage | None, after: Stage | None) -> list[Lane]:
    rows: list[tuple[str, Callable[[Stage], str]]] = [
        ("Journeys", lambda s: f"{s.interviews} ({_pct(s.interview_share)})"),
        ("Steps", lambda s: str(s.step_count)),
        ("Feeling", lambda s: _num(s.feeling.mean)),
        ("Main channel", lambda s: _top(s.channel_mix, channel_label)),
        ("Median time", lambda s: _minutes(s.duration_median_minutes)),
        ("Top pain", lambda s: _top(s.pains, lambda v: v.replace("_", " "))),
        ("Moments of truth", lambda s: str(len(s.moments_of_truth))),
        ("Loops", lambda s: str(s.comebacks)),
    ]
    return [
        Lane(label, show(before) if before else "–", show(after) if after else "–")
        for label, show in rows
    ]


def _pain_lanes(names: dict[str, str]) -> Callable[[Any, Any], list[Lane]]:
    """The pain point lanes, naming stages by ``names`` (both maps' names by id)."""

    def lanes(before: PainPoint | None, after: PainPoint | None) -> list[Lane]:
        rows: list[tuple[str, Callable[[PainPoint], str]]] = [
            ("Interviews", lambda p: f"{p.interviews} ({_pct(p.interview_share)})"),
            ("Rank", lambda p: str(p.rank)),
            ("Steps", lambda p: str(p.evidence)),
            ("Severity", lambda p: _num(p.severity, 2)),
            ("Stages", lambda p: ", ".join(names.get(s, s) for s in p.stages) or "–"),
        ]
        return [
            Lane(label, show(before) if before else "–", show(after) if after else "–")
            for label, show in rows
        ]

    return lanes


def _opportunity_lanes(before: Opportunity | None, after: Opportunity | None) -> list[Lane]:
    def show(o: Opportunity | None) -> str:
        return f"{o.interviews} ({_pct(o.interview_share)})" if o else "–"

    def pains(o: Opportunity | None) -> str:
        return ", ".join(o.pain_points) if o and o.pain_points else "–"

    return [
        Lane("Interviews", show(before), show(after)),
        Lane("Addresses", pains(before), pains(after)),
    ]


def _first(quotes: Sequence[Quote]) -> Quote | None:
    return quotes[0] if quotes else None


def _cells(
    kind: str,
    changes: Sequence[Change],
    before: dict[str, Any],
    after: dict[str, Any],
    original: dict[str, str],
    lanes: Callable[[Any, Any], list[Lane]],
) -> list[CellDiff]:
    return [
        CellDiff(
            kind=kind,
            name=change.name,
            status=change.status,
            before_id=change.id if change.id in before else None,
            after_id=original.get(change.id, change.id) if change.id in after else None,
            lanes=lanes(before.get(change.id), after.get(change.id)),
            evidence=change.evidence,
            before_interviews=change.before,
            after_interviews=change.after,
        )
        for change in changes
    ]


def diff_page(
    before_info: RunInfo,
    before: JourneyMap,
    after_info: RunInfo,
    after: JourneyMap,
    *,
    waves: bool,
    masked: bool,
) -> DiffPage:
    """The cell-by-cell comparison of two curated maps."""
    stable = after
    if waves:
        stable, _, _ = stabilise_ids(after, previous=before)
    # Ids in the comparison -> the after run's own ids (for links to its evidence).
    original = {
        **{s.id: o.id for s, o in zip(stable.stages, after.stages, strict=True)},
        **{p.id: o.id for p, o in zip(stable.pain_points, after.pain_points, strict=True)},
        **{p.id: o.id for p, o in zip(stable.opportunities, after.opportunities, strict=True)},
    }
    changes = diff_maps(before, stable, waves=waves)
    old_o = {o.id: o for o in before.opportunities}
    new_o = {o.id: o for o in stable.opportunities}
    opportunity_changes = [
        Change(
            id=oid,
            name=(new_o.get(oid) or old_o[oid]).label,
            status="new"
            if oid not in old_o
            else "disappeared"
            if oid not in new_o
            else (
                "same"
                if old_o[oid].interviews == new_o[oid].interviews
                else "grew"
                if new_o[oid].interviews > old_o[oid].interviews
                else "shrank"
            ),
            before=old_o[oid].interviews if oid in old_o else None,
            after=new_o[oid].interviews if oid in new_o else None,
            before_share=old_o[oid].interview_share if oid in old_o else None,
            after_share=new_o[oid].interview_share if oid in new_o else None,
            evidence=_first((new_o.get(oid) or old_o[oid]).quotes),
        )
        for oid in [*new_o, *(o for o in old_o if o not in new_o)]
    ]
    opportunity_changes.sort(key=lambda c: (ORDER.index(c.status), -abs(c.delta), c.id))
    return DiffPage(
        before=before_info,
        after=after_info,
        waves=waves,
        masked=masked,
        stages=_cells(
            "stage",
            changes.stages,
            {s.id: s for s in before.stages},
            {s.id: s for s in stable.stages},
            original,
            _stage_lanes,
        ),
        pains=_cells(
            "pain",
            changes.pain_points,
            {p.id: p for p in before.pain_points},
            {p.id: p for p in stable.pain_points},
            original,
            _pain_lanes(
                {**{s.id: s.name for s in before.stages}, **{s.id: s.name for s in stable.stages}}
            ),
        ),
        opportunities=_cells(
            "opportunity", opportunity_changes, old_o, new_o, original, _opportunity_lanes
        ),
    )
