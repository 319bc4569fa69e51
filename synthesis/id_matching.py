"""Stable stage and pain-point ids: match a new map to the previous run of its series.

Stages are matched by the steps they share: the Jaccard overlap of their member steps
(interview id + ordinal), counted only over interviews both runs read, so interviews
added since the last run do not dilute the overlap. When the runs share no interview the
stages' keywords are compared instead. Pain points carry no member list in the map, so
they match on their label (a tagged pain point's label is its tag, which is stable) or
else on the overlap of their keywords and quoted messages.

Opportunities match on the interviews that said them (Jaccard over interviews both runs
read) or else their label; emerging stages, like discovered stages, on their member steps.
A reviewer's decision about one ("rejected", "accepted") is stored against its id, so
these ids are kept stable too.

Pairs are chosen by the Hungarian algorithm (maximum total similarity), and a pair below
the minimum similarity is no match. A matched item keeps its previous id; an unmatched
one gets the series' next fresh id (``S7``, ``P12``), so an id that disappeared is never
reused for something else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from synthesis.model import EmergingStage, JourneyMap, Opportunity, PainPoint, Stage

MIN_STAGE_SIMILARITY = 0.3
MIN_PAIN_SIMILARITY = 0.34
MIN_OPPORTUNITY_SIMILARITY = 0.3
STAGE_PREFIX = "S"
PAIN_PREFIX = "P"
OPPORTUNITY_PREFIX = "O"
EMERGING_PREFIX = "E"

T = TypeVar("T")


@dataclass(frozen=True)
class IdMatch:
    """How the new map's ids were chosen: ``kept`` and ``fresh`` hold the final ids."""

    kept_stages: tuple[str, ...]
    fresh_stages: tuple[str, ...]
    kept_pain_points: tuple[str, ...]
    fresh_pain_points: tuple[str, ...]
    kept_opportunities: tuple[str, ...] = ()
    fresh_opportunities: tuple[str, ...] = ()
    kept_emerging: tuple[str, ...] = ()
    fresh_emerging: tuple[str, ...] = ()


def stabilise_ids(
    journey_map: JourneyMap,
    *,
    previous: JourneyMap | None,
    next_ids: Mapping[str, int] | None = None,
) -> tuple[JourneyMap, dict[str, int], IdMatch]:
    """The map with ids matched to ``previous`` (the series' last run, or ``None`` for a
    first run), the series' updated id counters, and what was kept and what is fresh.

    ``next_ids`` are the counters stored with the previous run (``{"stage": n, "pain":
    m, "opportunity": o, "emerging": e}``: the next fresh numbers); missing counters
    start after the highest id seen. Pain points' ``stages``, opportunities' ``stages``
    and ``pain_points`` and emerging stages' ``placed_in`` are renamed along.
    """
    counters = {
        "stage": _counter(next_ids, "stage", previous.stages if previous else [], STAGE_PREFIX),
        "pain": _counter(next_ids, "pain", previous.pain_points if previous else [], PAIN_PREFIX),
        "opportunity": _counter(
            next_ids,
            "opportunity",
            previous.opportunities if previous else [],
            OPPORTUNITY_PREFIX,
        ),
        "emerging": _counter(
            next_ids, "emerging", previous.emerging_stages if previous else [], EMERGING_PREFIX
        ),
    }
    old_stages = previous.stages if previous else []
    old_pains = previous.pain_points if previous else []
    common = set(journey_map.interview_ids) & set(previous.interview_ids if previous else [])
    stage_pairs = _assign(
        journey_map.stages,
        old_stages,
        lambda new, old: _stage_similarity(new, old, common),
        MIN_STAGE_SIMILARITY,
    )
    # A frame stage is the same stage in every run and wave: it keeps its frame id.
    stage_pairs = {
        i: j
        for i, j in stage_pairs.items()
        if journey_map.stages[i].frame_stage is None and old_stages[j].frame_stage is None
    }
    stage_ids, kept_s, fresh_s = _name(
        journey_map.stages, old_stages, stage_pairs, counters, "stage", STAGE_PREFIX
    )
    pain_pairs = _assign(journey_map.pain_points, old_pains, _pain_similarity, MIN_PAIN_SIMILARITY)
    pain_ids, kept_p, fresh_p = _name(
        journey_map.pain_points, old_pains, pain_pairs, counters, "pain", PAIN_PREFIX
    )
    old_opportunities = previous.opportunities if previous else []
    opportunity_pairs = _assign(
        journey_map.opportunities,
        old_opportunities,
        lambda new, old: _opportunity_similarity(new, old, common),
        MIN_OPPORTUNITY_SIMILARITY,
    )
    opportunity_ids, kept_o, fresh_o = _name(
        journey_map.opportunities,
        old_opportunities,
        opportunity_pairs,
        counters,
        "opportunity",
        OPPORTUNITY_PREFIX,
    )
    old_emerging = previous.emerging_stages if previous else []
    emerging_pairs = _assign(
        journey_map.emerging_stages,
        old_emerging,
        lambda new, old: _steps_similarity(new, old, common),
        MIN_STAGE_SIMILARITY,
    )
    emerging_ids, kept_e, fresh_e = _name(
        journey_map.emerging_stages,
        old_emerging,
        emerging_pairs,
        counters,
        "emerging",
        EMERGING_PREFIX,
    )
    renamed_stage = {stage.id: stage_ids[i] for i, stage in enumerate(journey_map.stages)}
    renamed_pain = {point.id: pain_ids[i] for i, point in enumerate(journey_map.pain_points)}
    stages = [
        stage.model_copy(update={"id": stage_ids[i]}) for i, stage in enumerate(journey_map.stages)
    ]
    pains = [
        point.model_copy(
            update={"id": pain_ids[i], "stages": [renamed_stage.get(s, s) for s in point.stages]}
        )
        for i, point in enumerate(journey_map.pain_points)
    ]
    opportunities = [
        item.model_copy(
            update={
                "id": opportunity_ids[i],
                "stages": [renamed_stage.get(s, s) for s in item.stages],
                "pain_points": [renamed_pain.get(p, p) for p in item.pain_points],
            }
        )
        for i, item in enumerate(journey_map.opportunities)
    ]
    emerging = [
        item.model_copy(
            update={
                "id": emerging_ids[i],
                "placed_in": [renamed_stage.get(s, s) for s in item.placed_in],
            }
        )
        for i, item in enumerate(journey_map.emerging_stages)
    ]
    stable = journey_map.model_copy(
        update={
            "stages": stages,
            "pain_points": pains,
            "opportunities": opportunities,
            "emerging_stages": emerging,
        }
    )
    return (
        stable,
        counters,
        IdMatch(kept_s, fresh_s, kept_p, fresh_p, kept_o, fresh_o, kept_e, fresh_e),
    )


Item = Stage | PainPoint | Opportunity | EmergingStage


def _counter(
    next_ids: Mapping[str, int] | None,
    key: str,
    items: Sequence[Item],
    prefix: str,
) -> int:
    seen = [_number(item.id, prefix) for item in items]
    highest = max((n for n in seen if n is not None), default=0)
    stored = (next_ids or {}).get(key, 0)
    return max(stored, highest + 1)


def _number(item_id: str, prefix: str) -> int | None:
    match = re.fullmatch(rf"{prefix}(\d+)", item_id)
    return int(match.group(1)) if match else None


def _assign(
    new: Sequence[T],
    old: Sequence[T],
    similarity: Callable[[T, T], float],
    minimum: float,
) -> dict[int, int]:
    """new index -> old index for the best one-to-one matching at or above ``minimum``."""
    if not new or not old:
        return {}
    # Imported here: SciPy takes a second to import, and `journeyline maps ...` reads
    # stored runs without ever matching ids.
    from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

    scores = np.array([[similarity(a, b) for b in old] for a in new], dtype=np.float64)
    rows, cols = linear_sum_assignment(scores, maximize=True)
    return {
        int(r): int(c) for r, c in zip(rows, cols, strict=True) if scores[r, c] >= minimum - 1e-12
    }


def _name(
    new: Sequence[Item],
    old: Sequence[Item],
    pairs: Mapping[int, int],
    counters: dict[str, int],
    key: str,
    prefix: str,
) -> tuple[list[str], tuple[str, ...], tuple[str, ...]]:
    ids: list[str] = []
    kept: list[str] = []
    fresh: list[str] = []
    for index, item in enumerate(new):
        frame_stage = getattr(item, "frame_stage", None)
        if frame_stage is not None:
            ids.append(frame_stage)
            kept.append(frame_stage)
        elif index in pairs:
            ids.append(old[pairs[index]].id)
            kept.append(ids[-1])
        else:
            ids.append(f"{prefix}{counters[key]}")
            counters[key] += 1
            fresh.append(ids[-1])
    return ids, tuple(kept), tuple(fresh)


def _stage_similarity(new: Stage, old: Stage, common: set[str]) -> float:
    if not common:
        return _jaccard(new.keywords, old.keywords)
    return _steps_similarity(new, old, common)


def _steps_similarity(
    new: Stage | EmergingStage, old: Stage | EmergingStage, common: set[str]
) -> float:
    """Jaccard of member steps, counted over the interviews both runs read."""
    return _jaccard(
        ((s.interview_id, s.ordinal) for s in new.steps if s.interview_id in common),
        ((s.interview_id, s.ordinal) for s in old.steps if s.interview_id in common),
    )


def _opportunity_similarity(new: Opportunity, old: Opportunity, common: set[str]) -> float:
    if _plain(new.label) == _plain(old.label):
        return 1.0
    return _jaccard(
        (i for i in new.interview_ids if i in common),
        (i for i in old.interview_ids if i in common),
    )


def _pain_similarity(new: PainPoint, old: PainPoint) -> float:
    if _plain(new.label) == _plain(old.label):
        return 1.0
    return max(
        _jaccard(new.keywords, old.keywords),
        _jaccard((q.message_id for q in new.quotes), (q.message_id for q in old.quotes)),
    )


def _plain(label: str) -> str:
    return " ".join(label.casefold().split())


def _jaccard(a: Iterable[Hashable], b: Iterable[Hashable]) -> float:
    left, right = set(a), set(b)
    union = left | right
    return len(left & right) / len(union) if union else 0.0
