"""Emerging stages: steps whose words fit no frame stage, grouped and proposed for review.

A frame is a hypothesis. When several customers tell a step the frame has no words for
(a visit to a shop in a frame without one, a form that had to be posted), those steps
are still placed in the nearest frame stage, so the map stays whole, and are also
proposed here as a candidate stage with its representative quotes, for a reviewer to
accept or reject. A proposal needs steps from at least ``MIN_INTERVIEWS`` interviews (or
``MIN_SHARE`` of them, whichever is more), telling much the same thing
(``MIN_COHERENCE``): a few odd stories are not a stage.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from synthesis.clustering import cluster_rows
from synthesis.model import EmergingStage, StepRef
from synthesis.observations import StepObservation
from synthesis.phrases import representative_phrase
from synthesis.quotes import distinct_quotes, step_quote

MIN_INTERVIEWS = 3
MIN_SHARE = 0.1
MAX_PROPOSALS = 4
# A proposal's steps must tell much the same thing: their mean cosine to the group's
# centre at least this. Low-fit steps of a frame that fits (odd stories, terse answers)
# scatter below it; a stage the frame lacks ("went to the store", told many ways) does not.
MIN_COHERENCE = 0.6


def propose_emerging_stages(
    observations: Sequence[StepObservation],
    embeddings: NDArray[np.float64],
    low_fit: NDArray[np.bool_],
    placed_in: Callable[[int], str],
    *,
    seed: int = 0,
) -> list[EmergingStage]:
    """Candidate stages from the ``low_fit`` steps (``placed_in(i)``: the frame stage
    step i was placed in meanwhile), largest first, ids ``E1``, ``E2``, ..."""
    total = len({o.interview_id for o in observations})
    needed = max(MIN_INTERVIEWS, math.ceil(MIN_SHARE * total))
    rows = [int(i) for i in np.flatnonzero(low_fit)]
    if len({observations[i].interview_id for i in rows}) < needed:
        return []
    groups = _groups(embeddings[rows], seed=seed)
    proposals: list[tuple[list[int], str]] = []
    for group in sorted(set(groups.tolist())):
        members = [rows[int(j)] for j in np.flatnonzero(groups == group)]
        if (
            len({observations[i].interview_id for i in members}) >= needed
            and coherence(embeddings[members]) >= MIN_COHERENCE
        ):
            name = representative_phrase(
                [observations[i].doing for i in members], embeddings[members]
            )
            proposals.append((members, name))
    proposals.sort(key=lambda p: (-len({observations[i].interview_id for i in p[0]}), p[1]))
    return [
        _proposal(f"E{n}", members, name, observations, embeddings, placed_in, total)
        for n, (members, name) in enumerate(proposals[:MAX_PROPOSALS], start=1)
    ]


def coherence(vectors: NDArray[np.float64]) -> float:
    """Mean cosine of unit rows to their (normalised) centre: 1 when all say the same."""
    centre = vectors.mean(axis=0)
    norm = float(np.linalg.norm(centre))
    return 0.0 if norm == 0 else float((vectors @ (centre / norm)).mean())


def _groups(vectors: NDArray[np.float64], *, seed: int) -> NDArray[np.int64]:
    """Cluster the low-fit steps (one group when there are too few to split)."""
    if len(vectors) < 2 * MIN_INTERVIEWS:
        return np.zeros(len(vectors), dtype=np.int64)
    k_max = max(2, min(MAX_PROPOSALS + 1, len(vectors) // MIN_INTERVIEWS))
    return cluster_rows(vectors, k=None, k_min=2, k_max=k_max, seed=seed)


def _proposal(
    proposal_id: str,
    members: list[int],
    name: str,
    observations: Sequence[StepObservation],
    embeddings: NDArray[np.float64],
    placed_in: Callable[[int], str],
    total: int,
) -> EmergingStage:
    centre = embeddings[members].mean(axis=0)
    nearest = sorted(members, key=lambda i: (-round(float(embeddings[i] @ centre), 9), i))
    interviews = len({observations[i].interview_id for i in members})
    placed = [placed_in(i) for i in members]
    return EmergingStage(
        id=proposal_id,
        name=name,
        step_count=len(members),
        interviews=interviews,
        interview_share=round(interviews / (total or 1), 4),
        median_position=round(float(np.median([observations[i].position for i in members])), 4),
        placed_in=sorted(set(placed), key=lambda s: (-placed.count(s), s)),
        quotes=distinct_quotes(step_quote(observations[i]) for i in nearest),
        steps=[
            StepRef(interview_id=observations[i].interview_id, ordinal=observations[i].ordinal)
            for i in members
        ],
    )
