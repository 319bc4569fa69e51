"""What re-applying the layer to a new run gave: which edits still hold, which no longer
do and why, and where the new interviews' evidence landed (per curated cell)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.service.review.reviewed import Reviewed
from bot.service.review.words import describe


@dataclass(frozen=True)
class ApplicationView:
    """A stored application of the layer to one run."""

    run_id: int
    layer_version: int
    applied_at: datetime
    held: int
    broken: int
    report: Mapping[str, Any]


def cell_names(reviewed: Reviewed) -> dict[tuple[str, str], str]:
    """(kind, id) -> name of every cell of the run's map, as synthesized and as
    curated (the curated name wins)."""
    names: dict[tuple[str, str], str] = {}
    for m in (reviewed.run.journey_map, reviewed.curated.journey_map):
        names.update({("stage", s.id): s.name for s in m.stages})
        names.update({("pain", p.id): p.label for p in m.pain_points})
        names.update({("opportunity", o.id): o.label for o in m.opportunities})
        names.update({("emerging", e.id): e.name for e in m.emerging_stages})
    return names


def application_report(reviewed: Reviewed) -> dict[str, Any]:
    """The report of applying the layer to the run (plain JSON, stored with the run)."""
    curated, run = reviewed.curated, reviewed.run
    names = cell_names(reviewed)
    words = {e.id: describe(e.edit, names) for e in reviewed.layer.edits}
    new = run.new_interviews if run.info.previous_run_id is not None else frozenset()
    evidence: list[dict[str, Any]] = []
    m = curated.journey_map
    cells: list[tuple[str, str, str, list[Any]]] = [
        *(("stage", s.id, s.name, s.steps) for s in m.stages),
        *(("pain", p.id, p.label, p.steps) for p in m.pain_points),
        *(("emerging", e.id, e.name, e.steps) for e in m.emerging_stages),
    ]
    for kind, cell_id, name, steps in cells:
        count = sum(1 for ref in steps if ref.interview_id in new)
        if count:
            evidence.append({"kind": kind, "id": cell_id, "name": name, "steps": count})
    for item in m.opportunities:
        count = sum(1 for i in item.interview_ids if i in new)
        if count:
            evidence.append(
                {"kind": "opportunity", "id": item.id, "name": item.label, "interviews": count}
            )
    return {
        "layer_version": reviewed.layer.version,
        "previous_run_id": run.info.previous_run_id,
        "new_interviews": len(new),
        "new_evidence": evidence,
        "held": curated.held(),
        "no_longer_holds": [
            {"edit_id": o.edit_id, "edit": words.get(o.edit_id, ""), "why": o.detail}
            for o in curated.broken()
        ],
    }
