"""Journey stages: the guide's frame filled with steps (the default), or, as an option,
stages discovered by clustering the step observations, ordered along the journey."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bot.conversation.map_frame import MapFrame
from synthesis.clustering import cluster_rows
from synthesis.frame_assignment import FramePlacement, place_in_frame
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
    # Frame stages only: each stage's frame id (also its map id) and description.
    frame_ids: tuple[str, ...] = ()
    descriptions: tuple[str, ...] = ()
    # Frame stages only: the placement behind the labels (evidence, low-fit steps).
    placement: FramePlacement | None = None

    def stage_id(self, label: int) -> str:
        """The map id of stage ``label``: its frame id, else ``S1``, ``S2``, ... in order."""
        return self.frame_ids[label] if self.frame_ids else f"S{label + 1}"


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


def frame_stages(
    observations: Sequence[StepObservation],
    frame: MapFrame,
    advice: Mapping[int, str] | None = None,
) -> StageAssignment:
    """The frame's stages that hold at least one step, in frame (journey) order, each
    step placed by ``synthesis.frame_assignment`` (with a language model's ``advice``
    when one was asked)."""
    placement = place_in_frame(observations, frame, advice)
    used = sorted(set(placement.labels.tolist()))
    renumber = {stage: index for index, stage in enumerate(used)}
    labels = np.array([renumber[s] for s in placement.labels.tolist()], dtype=np.int64)
    positions = np.array([o.position for o in observations], dtype=np.float64)
    chosen = [frame.stages[s] for s in used]
    return StageAssignment(
        labels=labels,
        names=[stage.name for stage in chosen],
        keywords=group_keywords([o.doing for o in observations], labels.tolist()),
        median_positions=[
            round(float(np.median(positions[labels == i])), 4) for i in range(len(chosen))
        ],
        frame_ids=tuple(stage.id for stage in chosen),
        descriptions=tuple(stage.description for stage in chosen),
        placement=placement,
    )
