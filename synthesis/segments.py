"""Segments: one map per value of a participant attribute, and what differs between them.

All segment maps share the campaign's stages and pain points (one analysis, measured on
each segment's steps), so "S2" and "P3" mean the same thing in every segment and the
comparison can put them side by side.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from synthesis.model import Difference, JourneyMap, SegmentComparison, SegmentValue
from synthesis.pipeline import Analysis, map_of

NOT_SET = "(not set)"
MAX_SEGMENTS = 20
# Differences smaller than these are not called out (shares are 0..1, feelings 1..5).
SHARE_GAP = 0.2
FEELING_GAP = 0.5
RATE_GAP = 0.15
EFFORT_GAP = 1.0
MIN_INTERVIEWS = 2
TOP_PAINS = 3


class TooManySegments(ValueError):
    """The attribute has more distinct values than make a readable comparison."""


@dataclass(frozen=True)
class SegmentedMaps:
    """The whole campaign's map (with ``comparison`` filled in) and one map per value."""

    overall: JourneyMap
    segments: list[JourneyMap]


def segment_value(attributes: dict[str, object], key: str) -> str:
    value = attributes.get(key)
    return NOT_SET if value is None or str(value) == "" else str(value)


def folder_name(key: str, value: str) -> str:
    """A file-system-safe folder name for a segment, e.g. ``plan=business``."""

    def safe(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "_"

    return f"{safe(key)}={safe(value)}"


def segment_rows(analysis: Analysis, key: str) -> dict[str, list[int]]:
    """The analysis's observation rows per value of participant attribute ``key``."""
    rows: dict[str, list[int]] = {}
    for i, o in enumerate(analysis.observations):
        rows.setdefault(segment_value(dict(o.segment), key), []).append(i)
    return rows


def split_by(
    analysis: Analysis, key: str, *, on_segment: Callable[[str], None] | None = None
) -> SegmentedMaps:
    """One map per value of participant attribute ``key`` (participants without it form
    the ``(not set)`` segment), largest segment first (ties: by value), and the overall
    map with the comparison. Raises :class:`TooManySegments` above ``MAX_SEGMENTS``."""
    rows = segment_rows(analysis, key)
    if len(rows) > MAX_SEGMENTS:
        raise TooManySegments(
            f"participant attribute {key!r} has {len(rows)} values; a comparison of more "
            f"than {MAX_SEGMENTS} is unreadable (choose an attribute with fewer values)"
        )
    interviews = {
        value: {analysis.observations[i].interview_id for i in indices}
        for value, indices in rows.items()
    }
    order = sorted(rows, key=lambda v: (-len(interviews[v]), v))
    overall = map_of(analysis)
    segments: list[JourneyMap] = []
    for value in order:
        segments.append(map_of(analysis, rows=rows[value], segment=(key, value)))
        if on_segment is not None:
            on_segment(value)
    folders = _unique_folders([folder_name(key, v) for v in order])
    overall.comparison = compare(key, overall, segments, folders)
    return SegmentedMaps(overall=overall, segments=segments)


def compare(
    key: str, overall: JourneyMap, segments: list[JourneyMap], folders: list[str]
) -> SegmentComparison:
    """Side by side per segment, and the differences worth calling out (largest first)."""
    values = [_summary(m, folder) for m, folder in zip(segments, folders, strict=True)]
    comparable = [v for v in values if v.interviews >= MIN_INTERVIEWS]
    differences: list[Difference] = []
    if len(comparable) >= 2:
        for stage in overall.stages:
            # A frame stage's id repeats its name ("wait", "Waiting").
            subject = stage.name if stage.frame_stage else f"{stage.id} {stage.name}"
            differences += _gap(comparable, "stage share", subject, _reader("stage", stage.id))
            differences += _gap(
                comparable, "feeling", subject, _reader("feeling", stage.id), gap=FEELING_GAP
            )
        for point in overall.pain_points:
            differences += _gap(
                comparable, "pain share", f"{point.id} {point.label}", _reader("pain", point.id)
            )
        differences += _gap(
            comparable, "resolution rate", "journeys", lambda v: v.resolution_rate, gap=RATE_GAP
        )
        differences += _gap(
            comparable, "effort", "journeys", lambda v: v.effort_mean, gap=EFFORT_GAP
        )
    differences.sort(key=lambda d: (-_weight(d), d.metric, d.subject))
    return SegmentComparison(key=key, values=values, differences=differences)


def _reader(kind: str, key: str) -> Callable[[SegmentValue], float | None]:
    def read(value: SegmentValue) -> float | None:
        if kind == "stage":
            return value.stage_shares.get(key)
        if kind == "feeling":
            return value.stage_feelings.get(key)
        return value.pain_shares.get(key, 0.0)

    return read


def _shown(x: float, *, percent: bool) -> str:
    return f"{x:.0%}" if percent else f"{x:.1f}"


def _summary(journey_map: JourneyMap, folder: str) -> SegmentValue:
    assert journey_map.segment is not None and journey_map.metrics is not None
    (value,) = journey_map.segment.values()
    return SegmentValue(
        value=value,
        interviews=journey_map.interview_count,
        steps=journey_map.step_count,
        stage_shares={s.id: s.interview_share for s in journey_map.stages},
        stage_feelings={s.id: s.feeling.mean for s in journey_map.stages},
        pain_shares={p.id: p.interview_share for p in journey_map.pain_points},
        top_pain_points=[p.id for p in journey_map.pain_points[:TOP_PAINS]],
        resolution_rate=journey_map.metrics.resolution.rate,
        effort_mean=journey_map.metrics.effort.mean,
        folder=folder,
    )


def _gap(
    values: list[SegmentValue],
    metric: str,
    subject: str,
    read: Callable[[SegmentValue], float | None],
    *,
    gap: float = SHARE_GAP,
) -> list[Difference]:
    measured = [(v.value, x) for v in values if (x := read(v)) is not None]
    if len(measured) < 2:
        return []
    high = max(measured, key=lambda item: (item[1], item[0]))
    low = min(measured, key=lambda item: (item[1], item[0]))
    size = round(high[1] - low[1], 4)
    if size < gap - 1e-9:
        return []
    percent = metric in {"stage share", "pain share", "resolution rate"}

    def shown(x: float) -> str:
        return _shown(x, percent=percent)

    text = {
        "stage share": f"{subject}: {shown(high[1])} of {high[0]} journeys pass through it, "
        f"{shown(low[1])} of {low[0]}",
        "pain share": f"{subject}: reported in {shown(high[1])} of {high[0]} interviews, "
        f"{shown(low[1])} of {low[0]}",
        "feeling": f"{subject}: {low[0]} feel worse here ({shown(low[1])}/5) than "
        f"{high[0]} ({shown(high[1])}/5)",
        "resolution rate": f"Resolved: {shown(high[1])} of {high[0]} journeys, "
        f"{shown(low[1])} of {low[0]}",
        "effort": f"Effort: {high[0]} {shown(high[1])}/7, {low[0]} {shown(low[1])}/7 "
        "(higher is harder)",
    }[metric]
    return [
        Difference(
            metric=metric,
            subject=subject,
            high_value=high[0],
            high=round(high[1], 4),
            low_value=low[0],
            low=round(low[1], 4),
            gap=size,
            text=text,
        )
    ]


def _weight(difference: Difference) -> float:
    # Put gaps of different units on one scale: a full feeling point ~ 40 share points.
    scale = {"feeling": 0.4, "effort": 0.2}.get(difference.metric, 1.0)
    return round(difference.gap * scale, 6)


def _unique_folders(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique: list[str] = []
    for name in names:
        n = seen.get(name.lower(), 0)
        seen[name.lower()] = n + 1
        unique.append(name if n == 0 else f"{name}-{n + 1}")
    return unique
