"""Journey stages: cluster step observations, order them along the journey, name them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from synthesis.clustering import cluster_rows
from synthesis.keywords import group_keywords
from synthesis.observations import StepObservation

# Embeddings are unit vectors; position (0..1) at this weight separates early from late
# steps that are worded alike ("called them" at the start and at the end).
POSITION_WEIGHT = 1.0
MIN_STAGES = 2
MAX_STAGES = 8


@dataclass(frozen=True)
class StageAssignment:
    """``labels[i]`` is observation i's stage, numbered in journey order (0 = earliest)."""

    labels: NDArray[np.int64]
    names: list[str]
    keywords: list[list[str]]
    median_positions: list[float]


def assign_stages(
    observations: Sequence[StepObservation],
    embeddings: NDArray[np.float64],
    *,
    stages: int | None = None,
    seed: int = 0,
    min_stages: int = MIN_STAGES,
    max_stages: int = MAX_STAGES,
) -> StageAssignment:
    """Cluster the observations into stages (``stages`` forces the number, else it is
    chosen by silhouette within ``[min_stages, max_stages]``) and number the stages by
    the median journey position of their steps (ties: the earlier first member)."""
    positions = np.array([o.position for o in observations], dtype=np.float64)
    features = np.hstack([embeddings, POSITION_WEIGHT * positions[:, None]])
    raw = cluster_rows(features, k=stages, k_min=min_stages, k_max=max_stages, seed=seed)
    clusters = sorted(set(raw.tolist()))
    medians = {c: float(np.median(positions[raw == c])) for c in clusters}
    first = {c: int(np.flatnonzero(raw == c)[0]) for c in clusters}
    order = sorted(clusters, key=lambda c: (medians[c], first[c]))
    renumber = {c: i for i, c in enumerate(order)}
    labels = np.array([renumber[c] for c in raw.tolist()], dtype=np.int64)
    keywords = group_keywords([o.doing for o in observations], labels.tolist())
    names = [" / ".join(words) if words else f"Stage {i + 1}" for i, words in enumerate(keywords)]
    return StageAssignment(
        labels=labels,
        names=names,
        keywords=keywords,
        median_positions=[round(medians[c], 4) for c in order],
    )
