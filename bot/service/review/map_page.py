"""What a map page shows besides the map itself: the feeling curve (drawn as the map
file draws it, ``synthesis.render_html``), which pain points sit in which stage, how
much new evidence each cell got since the run before, and the curation layer: its
version, its log in words, and how each edit applied to this run."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.service.review.application import ApplicationView, cell_names
from bot.service.review.layer import EditView
from bot.service.review.library import Series
from bot.service.review.reviewed import Reviewed
from bot.service.review.words import describe
from synthesis.curation.apply import Curated, Outcome
from synthesis.model import JourneyMap
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
class ReviewState:
    """The curation layer on this page: its version (every form sends it back), the
    log in words, how each edit applied to this run, and the stored record of the layer
    re-applied when the run was made."""

    version: int
    edits: list[EditView]
    words: dict[int, str]
    curated: Curated
    application: ApplicationView | None
    # Edits are made on the series' latest run; earlier runs show the layer read-only.
    editable: bool

    @property
    def outcomes(self) -> dict[int, Outcome]:
        return self.curated.outcomes

    def decision(self, kind: str, item_id: str) -> str | None:
        return self.curated.decisions.get((kind, item_id))

    def edits_of(self, kind: str, item_id: str) -> list[EditView]:
        """The active edits that changed this cell, newest first."""
        ids = set(self.curated.edited.get((kind, item_id), ()))
        return [e for e in reversed(self.edits) if e.id in ids and e.active]

    def touching(self, kind: str, item_id: str) -> list[EditView]:
        """Every edit (undone ones too) made to or into this cell, newest first."""
        ids = set(self.curated.edited.get((kind, item_id), ()))
        return [
            e
            for e in reversed(self.edits)
            if e.id in ids
            or (e.edit.target_kind == kind and e.edit.target_id == item_id)
            or e.edit.payload.get("into") == item_id
            or (kind == "stage" and e.edit.payload.get("to") == item_id)
        ]

    @property
    def broken(self) -> list[Outcome]:
        return self.curated.broken()


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
    review: ReviewState
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


def review_state(
    reviewed: Reviewed, application: ApplicationView | None, *, editable: bool
) -> ReviewState:
    names = cell_names(reviewed)
    return ReviewState(
        version=reviewed.layer.version,
        edits=list(reviewed.layer.edits),
        words={e.id: describe(e.edit, names) for e in reviewed.layer.edits},
        curated=reviewed.curated,
        application=application,
        editable=editable,
    )


def map_page(
    reviewed: Reviewed,
    series: Series,
    application: ApplicationView | None,
    *,
    new_steps: dict[str, int],
    approved: bool = False,
) -> MapPage:
    """The page of a run's curated map (masked as the ``reviewed`` map is);
    ``new_steps``: steps from new interviews per cell; ``approved``: the run is an
    approved version (read-only to curation)."""
    run, journey_map = reviewed.run, reviewed.curated.journey_map
    points_by_stage: dict[str, list[str]] = {s.id: [] for s in journey_map.stages}
    for point in journey_map.pain_points:
        for stage in point.stages:
            points_by_stage.setdefault(stage, []).append(point.id)
    new = run.new_interviews if run.info.previous_run_id is not None else frozenset()
    return MapPage(
        info=run.info,
        series=series,
        journey_map=journey_map,
        masked=reviewed.masked,
        review=review_state(
            reviewed, application, editable=series.latest.id == run.id and not approved
        ),
        curve=curve_of(journey_map),
        points_by_stage=points_by_stage,
        pain_labels={p.id: p.label for p in journey_map.pain_points},
        stage_names={s.id: s.name for s in journey_map.stages},
        new_interviews=len(new),
        new_steps=new_steps,
    )
