"""A ranked pain point measured on part of the steps (a segment of the campaign)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from synthesis.model import PainPoint
from synthesis.observations import StepObservation
from synthesis.pain_points import _severity
from synthesis.quotes import distinct_quotes, pain_quote


def restrict_point(
    point: PainPoint,
    by_step: dict[tuple[str, int], StepObservation],
    stage_of: dict[tuple[str, int], str],
    *,
    interview_total: int,
    stage_order: Mapping[str, int],
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
            "stages": sorted(
                {stage_of[(r.interview_id, r.ordinal)] for r in refs},
                key=lambda s: (stage_order.get(s, len(stage_order)), s),
            ),
            "quotes": quotes,
            "steps": refs,
        }
    )
