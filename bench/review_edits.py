"""A layer of reviewers' edits for ``bench.review``: every kind, made to apply to the
map they are drawn from, in the order a review team might make them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from synthesis.curation.edits import step_text
from synthesis.model import JourneyMap


@dataclass(frozen=True)
class PlannedEdit:
    kind: str
    target_kind: str
    target_id: str
    payload: dict[str, Any]


def plan_edits(journey_map: JourneyMap, *, count: int, seed: int = 0) -> list[PlannedEdit]:
    """``count`` edits of ``journey_map``: renames, moves, splits, pain merges, decisions,
    pins and one stage merge, each valid when applied after the ones before it."""
    rng = random.Random(seed)
    stages = list(journey_map.stages)
    pains = list(journey_map.pain_points)
    plan: list[PlannedEdit] = []
    # Steps split or moved once are not touched again, so each edit still applies.
    used: set[tuple[str, int]] = set()
    # The smallest stage is merged into its neighbour last: moves may target it before.
    smallest = min(stages, key=lambda s: s.step_count)
    for stage in stages:
        for n in range(2):
            plan.append(
                PlannedEdit("rename", "stage", stage.id, {"name": f"{stage.name} ({n + 1})"})
            )
    for point in pains[:20]:
        plan.append(PlannedEdit("rename", "pain", point.id, {"name": f"{point.label}, reviewed"}))
    for stage in stages[:5]:
        leaving = [(r.interview_id, r.ordinal) for r in stage.steps[:5]]
        used.update(leaving)
        plan.append(
            PlannedEdit(
                "split",
                "stage",
                stage.id,
                {"steps": [step_text(k) for k in leaving], "name": f"Part of {stage.name}"},
            )
        )
    merged_pains: set[str] = set()
    for source, into in zip(pains[-8::2], pains[-7::2], strict=False):
        plan.append(PlannedEdit("merge", "pain", source.id, {"into": into.id}))
        merged_pains.update({source.id, into.id})
    kept = [p for p in pains if p.id not in merged_pains]
    for point in kept[:3]:
        keys = [(r.interview_id, r.ordinal) for r in point.steps[:3]]
        plan.append(
            PlannedEdit(
                "split",
                "pain",
                point.id,
                {"steps": [step_text(k) for k in keys], "name": f"Part of {point.label}"},
            )
        )
    for point in kept[3:6]:
        plan.append(PlannedEdit("decide", "pain", point.id, {"decision": "rejected"}))
    for point in kept[6:9]:
        plan.append(PlannedEdit("decide", "pain", point.id, {"decision": "accepted"}))
    for index, item in enumerate(journey_map.opportunities):
        decision = "accepted" if index % 2 == 0 else "rejected"
        plan.append(PlannedEdit("decide", "opportunity", item.id, {"decision": decision}))
    for index, emerging in enumerate(journey_map.emerging_stages):
        decision = "rejected" if index else "accepted"
        plan.append(PlannedEdit("decide", "emerging", emerging.id, {"decision": decision}))
    for stage in stages:
        if stage.id == smallest.id:
            continue
        for quote in stage.quotes[1:]:
            key = (quote.interview_id, quote.step_ordinal)
            if key in used:
                continue
            used.add(key)
            plan.append(
                PlannedEdit(
                    "pin",
                    "stage",
                    stage.id,
                    {
                        "message_id": quote.message_id,
                        "interview_id": quote.interview_id,
                        "step": quote.step_ordinal,
                    },
                )
            )
            break
    candidates = [
        ((r.interview_id, r.ordinal), s.id) for s in stages for r in s.steps if s.id != smallest.id
    ]
    rng.shuffle(candidates)
    moves = count - len(plan) - 1
    for key, here in candidates:
        if moves <= 0:
            break
        if key in used:
            continue
        used.add(key)
        to = rng.choice([s.id for s in stages if s.id != here])
        plan.append(PlannedEdit("move", "step", step_text(key), {"to": to}))
        moves -= 1
    neighbour = stages[stages.index(smallest) - 1 if stages.index(smallest) else 1]
    plan.append(PlannedEdit("merge", "stage", smallest.id, {"into": neighbour.id}))
    return plan[:count]
