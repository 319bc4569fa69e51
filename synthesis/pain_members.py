"""Which steps make up each ranked pain point (for saturation, segments and the CSV).

``pains.rank_pain_points`` does not return its groups' members yet, so this repeats its
grouping (same evidence, same embedder, same seed: the same groups) and matches each
group to its ranked point through the point's quotes, which always come from members.
This is the one module that reaches into ``pains``' internals; when ``rank_pain_points``
fills ``PainPoint.steps`` itself, :func:`attach_members` leaves the points as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from synthesis.embedders import Embedder
from synthesis.model import PainPoint, StepRef
from synthesis.observations import StepObservation
from synthesis.pain_points import _Evidence, _evidence_text, _group_keys, _humanise, _severity
from synthesis.quotes import distinct_quotes, pain_quote


def attach_members(
    points: Sequence[PainPoint],
    observations: Sequence[StepObservation],
    stage_labels: NDArray[np.int64],
    *,
    embedder: Embedder,
    seed: int = 0,
) -> None:
    """Fill ``steps`` of every point (in place), unless the points already carry them."""
    if not points or any(p.steps for p in points):
        return
    evidence = [
        _Evidence(o, int(stage_labels[i]), _evidence_text(o))
        for i, o in enumerate(observations)
        if o.pains or (o.pain_text and o.pain_text.strip())
    ]
    vectors = embedder.embed([e.text for e in evidence])
    keys = _group_keys(evidence, vectors, seed=seed)
    key_of_step = {
        (e.observation.interview_id, e.observation.ordinal): key
        for e, key in zip(evidence, keys, strict=True)
    }
    members: dict[str, list[StepRef]] = {}
    for e, group in zip(evidence, keys, strict=True):
        ref = StepRef(interview_id=e.observation.interview_id, ordinal=e.observation.ordinal)
        members.setdefault(group, []).append(ref)
    for point in points:
        found: str | None = next(
            (
                key_of_step[(q.interview_id, q.step_ordinal)]
                for q in point.quotes
                if (q.interview_id, q.step_ordinal) in key_of_step
            ),
            None,
        )
        if found is None:  # no quote: a tag group is still known by its label
            found = next(
                (k for k in members if k.startswith("tag:") and _humanise(k[4:]) == point.label),
                None,
            )
        if found is not None:
            point.steps = members[found]


def restrict_point(
    point: PainPoint,
    by_step: dict[tuple[str, int], StepObservation],
    stage_of: dict[tuple[str, int], str],
    *,
    interview_total: int,
) -> PainPoint | None:
    """``point`` measured on the steps in ``by_step`` only (a segment), same id and label;
    None when none of its steps are there. ``rank`` is left for the caller to set."""
    refs = [r for r in point.steps if (r.interview_id, r.ordinal) in by_step]
    if not refs:
        return None
    members = [by_step[(r.interview_id, r.ordinal)] for r in refs]
    interviews = len({o.interview_id for o in members})
    severity = float(np.mean([_severity(o) for o in members]))
    inside = {o.interview_id for o in members}
    quotes = [q for q in point.quotes if q.interview_id in inside]
    quotes = distinct_quotes([*quotes, *(pain_quote(o) for o in members)])
    return point.model_copy(
        update={
            "evidence": len(members),
            "interviews": interviews,
            "interview_share": round(interviews / (interview_total or 1), 4),
            "severity": round(severity, 4),
            "score": round(interviews * severity, 4),
            "stages": sorted({stage_of[(r.interview_id, r.ordinal)] for r in refs}, key=_num),
            "quotes": quotes,
            "steps": refs,
        }
    )


def _num(stage: str) -> int:
    return int(stage[1:]) if stage[1:].isdigit() else 0
