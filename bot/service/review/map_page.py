"""What a map page shows besides the map itself: the feeling curve (drawn as the map
file draws it, ``synthesis.render_html``), which pain points sit in which stage, and how
much new evidence each cell got since the run before."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.service.review.library import LoadedRun, Series
from synthesis.model import JourneyMap, StepRef
from synthesis.render_html import (
    COLUMN,
    CURVE_BOTTOM,
    CURVE_HEIGHT,
    CURVE_TOP,
    CurvePart,
    Dot,
    feeling_curve,
)
from synthesis.runs import RunInfo


@dataclass(frozen=True)
class Curve:
    parts: list[CurvePart]
    dots: list[Dot]
    width: int
    height: int
    gridlines: list[tuple[int, float]]


@dataclass(frozen=True)
class MapPage:
    info: RunInfo
    series: Series
    journey_map: JourneyMap
    masked: bool
    curve: Curve
    points_by_stage: dict[str, list[str]]
    pain_labels: dict[str, str]
    stage_names: dict[str, str]
    # Interviews this run read that the run before it did not.
    new_interviews: int
    # Steps from those interviews per stage, pain point and emerging stage id.
    new_steps: dict[str, int] = field(default_factory=dict)

    @property
    def is_latest(self) -> bool:
        return self.series.latest.id == self.info.id

    @property
    def columns(self) -> int:
        return max(1, len(self.journey_map.stages))


def curve_of(journey_map: JourneyMap) -> Curve:
    parts, dots = feeling_curve(journey_map.stages)
    return Curve(
        parts=parts,
        dots=dots,
        width=max(1, len(journey_map.stages)) * COLUMN,
        height=CURVE_HEIGHT,
        # Feeling 5 at the top, 1 at the bottom, as feeling_curve places its points.
        gridlines=[
            (level, round(CURVE_TOP + (5 - level) / 4 * (CURVE_BOTTOM - CURVE_TOP), 2))
            for level in range(1, 6)
        ],
    )


def map_page(run: LoadedRun, series: Series, journey_map: JourneyMap, *, masked: bool) -> MapPage:
    """The page of ``journey_map`` (the run's map, curated and masked as the caller
    wants it)."""
    points_by_stage: dict[str, list[str]] = {s.id: [] for s in journey_map.stages}
    for point in journey_map.pain_points:
        for stage in point.stages:
            points_by_stage.setdefault(stage, []).append(point.id)
    new = run.new_interviews if run.info.previous_run_id is not None else frozenset()
    new_steps: dict[str, int] = {}
    cells: list[tuple[str, list[StepRef]]] = [
        *((s.id, s.steps) for s in journey_map.stages),
        *((p.id, p.steps) for p in journey_map.pain_points),
        *((e.id, e.steps) for e in journey_map.emerging_stages),
    ]
    for cell_id, steps in cells:
        count = sum(1 for ref in steps if ref.interview_id in new)
        if count:
            new_steps[cell_id] = count
    return MapPage(
        info=run.info,
        series=series,
        journey_map=journey_map,
        masked=masked,
        curve=curve_of(journey_map),
        points_by_stage=points_by_stage,
        pain_labels={p.id: p.label for p in journey_map.pain_points},
        stage_names={s.id: s.name for s in journey_map.stages},
        new_interviews=len(new),
        new_steps=new_steps,
    )
