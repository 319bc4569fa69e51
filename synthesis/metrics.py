"""Journey metrics and channel paths: per-journey facts from the stored step records.

Definitions (the README and docs/map-schema.md repeat them):

- a *contact* is a step with a channel other than ``none`` (no contact) or unknown;
- *repeat contacts* are a journey's contacts after its first;
- a *channel switch* is a contact whose channel differs from the journey's previous one;
- a *transfer* is a step tagged ``transferred`` or whose answer says so ("put through",
  "passed to", ...);
- a *handoff* is a step whose people differ from those of the journey's previous step
  with people (a new agent, team or technician took over);
- *total time* is the sum of a journey's known step durations (journeys with none are
  left out of it).
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from synthesis.model import Effort, EventCount, JourneyMetrics, PathVariant, Resolution, Spread
from synthesis.observations import StepObservation

NO_CONTACT = frozenset({"none", "", "unknown"})
TRANSFER_TAG = "transferred"
_TRANSFER_TEXT = re.compile(
    # Not "bounced": e-mails bounce far more often than customers do.
    r"\b(transferr\w*|put (me )?through|passed (me )?(on|over|along|to|between))\b",
    re.IGNORECASE,
)
PATH_VARIANTS = 10
PATH_EXAMPLES = 3


def journeys(observations: Iterable[StepObservation]) -> list[list[StepObservation]]:
    """Observations grouped by interview, in first-seen interview order, steps in order."""
    grouped: dict[str, list[StepObservation]] = {}
    for observation in observations:
        grouped.setdefault(observation.interview_id, []).append(observation)
    return [sorted(steps, key=lambda o: o.ordinal) for steps in grouped.values()]


def is_contact(observation: StepObservation) -> bool:
    return (observation.channel or "") not in NO_CONTACT


def is_transfer(observation: StepObservation) -> bool:
    if TRANSFER_TAG in observation.pains:
        return True
    return bool(_TRANSFER_TEXT.search(f"{observation.doing} {observation.pain_text or ''}"))


def journey_metrics(observations: Sequence[StepObservation]) -> JourneyMetrics:
    """The metrics of the journeys the observations belong to (see the module docstring)."""
    grouped = journeys(observations)
    contacts = [[o for o in steps if is_contact(o)] for steps in grouped]
    durations = [
        [o.duration_minutes for o in steps if o.duration_minutes is not None] for steps in grouped
    ]
    return JourneyMetrics(
        journeys=len(grouped),
        steps_per_journey=spread([len(steps) for steps in grouped]),
        total_minutes=spread([sum(d) for d in durations if d]),
        contacts=event_count([len(c) for c in contacts]),
        repeat_contacts=event_count([max(0, len(c) - 1) for c in contacts]),
        channel_switches=event_count([_switches(c) for c in contacts]),
        transfers=event_count([sum(1 for o in steps if is_transfer(o)) for steps in grouped]),
        handoffs=event_count([_handoffs(steps) for steps in grouped]),
        resolution=resolution(steps[0].resolved for steps in grouped),
        effort=effort([steps[0].effort for steps in grouped if steps[0].effort is not None]),
        facts_by_provenance=facts_by_provenance(observations),
    )


PROVENANCE_ORDER = ("said", "confirmed", "corrected", "inferred", "unknown")


def facts_by_provenance(observations: Iterable[StepObservation]) -> dict[str, int]:
    """How many of the stored step facts were learnt each way (see ``JourneyMetrics``)."""
    counts = dict.fromkeys(PROVENANCE_ORDER, 0)
    for o in observations:
        present = {
            "channel": o.channel is not None,
            "feeling": o.feeling is not None,
            "duration": o.duration_minutes is not None,
            "pains": bool(o.pains),
        }
        for fact, stored in present.items():
            if stored:
                kind = o.provenance.get(fact, "unknown")
                counts[kind if kind in counts else "unknown"] += 1
    return {kind: n for kind, n in counts.items() if n}


def channel_paths(
    observations: Sequence[StepObservation], *, limit: int = PATH_VARIANTS
) -> tuple[list[PathVariant], int]:
    """The ``limit`` most common contact-channel paths (ties: alphabetical) and how many
    distinct paths there are. A journey without any contact has the path ``[]``."""
    grouped = journeys(observations)
    by_path: dict[tuple[str, ...], list[str]] = {}
    for steps in grouped:
        path: list[str] = []
        for o in steps:
            if is_contact(o) and (not path or path[-1] != o.channel):
                path.append(o.channel or "")
        by_path.setdefault(tuple(path), []).append(steps[0].interview_id)
    total = len(grouped) or 1
    ranked = sorted(by_path.items(), key=lambda item: (-len(item[1]), item[0]))
    variants = [
        PathVariant(
            path=list(path),
            interviews=len(ids),
            share=round(len(ids) / total, 4),
            example_interview_ids=ids[:PATH_EXAMPLES],
        )
        for path, ids in ranked[:limit]
    ]
    return variants, len(by_path)


def spread(values: Sequence[float]) -> Spread:
    if not values:
        return Spread(journeys=0, mean=None, median=None, p90=None, min=None, max=None)
    array = np.asarray(values, dtype=np.float64)
    return Spread(
        journeys=len(values),
        mean=round(float(array.mean()), 4),
        median=round(float(np.median(array)), 4),
        p90=round(float(np.percentile(array, 90)), 4),
        min=round(float(array.min()), 4),
        max=round(float(array.max()), 4),
    )


def event_count(per_journey: Sequence[int]) -> EventCount:
    with_any = sum(1 for n in per_journey if n > 0)
    return EventCount(
        total=sum(per_journey),
        per_journey=spread(per_journey),
        journeys_with=with_any,
        share_of_journeys=round(with_any / (len(per_journey) or 1), 4),
    )


def resolution(outcomes: Iterable[str | None]) -> Resolution:
    counter = Counter(o if o in {"yes", "partly", "no"} else "unknown" for o in outcomes)
    answered = counter["yes"] + counter["partly"] + counter["no"]
    return Resolution(
        answered=answered,
        yes=counter["yes"],
        partly=counter["partly"],
        no=counter["no"],
        unknown=counter["unknown"],
        rate=round(counter["yes"] / answered, 4) if answered else None,
    )


def effort(scores: Sequence[int]) -> Effort:
    distribution = {str(level): 0 for level in range(1, 8)}
    for score in scores:
        if str(score) in distribution:
            distribution[str(score)] += 1
    return Effort(
        rated=len(scores),
        mean=round(statistics.fmean(scores), 4) if scores else None,
        median=float(statistics.median(scores)) if scores else None,
        high_share=round(sum(1 for s in scores if s >= 5) / len(scores), 4) if scores else None,
        distribution=distribution,
    )


def _switches(contacts: Sequence[StepObservation]) -> int:
    return sum(1 for a, b in itertools.pairwise(contacts) if a.channel != b.channel)


def _handoffs(steps: Sequence[StepObservation]) -> int:
    handoffs = 0
    previous: frozenset[str] | None = None
    for o in steps:
        people = frozenset(p.strip().lower() for p in o.people if p.strip())
        if not people:
            continue
        if previous is not None and people != previous:
            handoffs += 1
        previous = people
    return handoffs
