"""Per-stage aggregates: who passes through, channels, feelings, time, people, pains,
quotes nearest the stage's centre, and the moments of truth that fall there."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from synthesis.lanes import themes
from synthesis.model import Count, FeelingStats, MomentOfTruth, Stage, StepRef
from synthesis.observations import StepObservation
from synthesis.phrases import representative_phrase
from synthesis.quotes import distinct_quotes, step_quote
from synthesis.stages import StageAssignment

TOP = 5


def stage_id(index: int) -> str:
    return f"S{index + 1}"


def build_stages(
    observations: Sequence[StepObservation],
    embeddings: NDArray[np.float64],
    assignment: StageAssignment,
    *,
    ids: Sequence[str] = (),
    thinking_vectors: NDArray[np.float64] | None = None,
    seed: int = 0,
) -> list[Stage]:
    """One :class:`Stage` per stage of ``assignment``, in journey order. ``ids`` name the
    stages (a stored run's stable ids); without them a frame stage is named by its frame
    id and a discovered stage i is ``S{i+1}``."""
    interview_total = len({o.interview_id for o in observations}) or 1
    returns = comebacks(observations, assignment.labels)
    stages: list[Stage] = []
    for index, name in enumerate(assignment.names):
        members = np.flatnonzero(assignment.labels == index).tolist()
        obs = [observations[i] for i in members]
        centroid = embeddings[members].mean(axis=0)
        closeness = embeddings[members] @ centroid
        nearest = sorted(range(len(members)), key=lambda j: (-round(float(closeness[j]), 9), j))
        durations = [o.duration_minutes for o in obs if o.duration_minutes is not None]
        interviews = len({o.interview_id for o in obs})
        stages.append(
            Stage(
                id=ids[index] if ids else assignment.stage_id(index),
                name=name,
                frame_stage=assignment.frame_ids[index] if assignment.frame_ids else None,
                description=assignment.descriptions[index] if assignment.descriptions else None,
                keywords=assignment.keywords[index],
                median_position=assignment.median_positions[index],
                step_count=len(obs),
                interviews=interviews,
                interview_share=round(interviews / interview_total, 4),
                channel_mix=counts((o.channel or "unknown" for o in obs), limit=None),
                feeling=feeling_stats([o.feeling for o in obs if o.feeling is not None]),
                duration_median_minutes=percentile(durations, 50),
                duration_p90_minutes=percentile(durations, 90),
                people=counts(p for o in obs for p in o.people),
                tools=counts(t for o in obs for t in o.tools),
                pains=counts(p for o in obs for p in o.pains),
                quotes=distinct_quotes(step_quote(obs[j]) for j in nearest),
                moments_of_truth=[
                    MomentOfTruth(
                        interview_id=o.interview_id, ordinal=o.ordinal, text=o.moment_of_truth_text
                    )
                    for o in obs
                    if o.moment_of_truth
                ],
                steps=[StepRef(interview_id=o.interview_id, ordinal=o.ordinal) for o in obs],
                comebacks=returns.get(index, 0),
                doing=representative_phrase([o.doing for o in obs], embeddings[members])
                if obs
                else None,
                thinking=[]
                if thinking_vectors is None
                else themes(obs, thinking_vectors[members], seed=seed),
            )
        )
    return stages


def comebacks(observations: Sequence[StepObservation], labels: NDArray[np.int64]) -> dict[int, int]:
    """Per stage label, in how many journeys the stage comes back after another stage
    (wait, explain, wait again): the loops of the map."""
    journeys: dict[str, list[tuple[int, int]]] = {}
    for observation, label in zip(observations, labels.tolist(), strict=True):
        journeys.setdefault(observation.interview_id, []).append((observation.ordinal, label))
    found: Counter[int] = Counter()
    for steps in journeys.values():
        ordered = [label for _, label in sorted(steps)]
        runs = [label for i, label in enumerate(ordered) if i == 0 or label != ordered[i - 1]]
        found.update(label for label, n in Counter(runs).items() if n > 1)
    return dict(found)


def counts(values: Iterable[str], *, limit: int | None = TOP) -> list[Count]:
    """Most common values first (ties alphabetical), each with its share of all values."""
    counter = Counter(values)
    total = sum(counter.values()) or 1
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [
        Count(value=value, count=n, share=round(n / total, 4))
        for value, n in ranked[: limit if limit is not None else len(ranked)]
    ]


def feeling_stats(feelings: Sequence[int]) -> FeelingStats:
    distribution = {str(level): 0 for level in range(1, 6)}
    for feeling in feelings:
        distribution[str(feeling)] += 1
    return FeelingStats(
        rated=len(feelings),
        mean=round(statistics.fmean(feelings), 4) if feelings else None,
        spread=round(statistics.pstdev(feelings), 4) if feelings else None,
        distribution=distribution,
    )


def percentile(values: Sequence[int], q: float) -> float | None:
    if not values:
        return None
    return round(float(np.percentile(np.asarray(values, dtype=np.float64), q)), 2)
