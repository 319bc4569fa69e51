"""A stage or pain point measured again on the steps a reviewer's edits gave it.

Counts, shares, channels, feelings, time, people, tools, pains, moments of truth,
severity and score are computed from the member steps' stored facts, exactly as
synthesis computes them. What synthesis groups with the embedder is carried over, not
recomputed: the thinking themes (each counted again on the members it keeps) and the
quotes (the cells' own quotes of member steps first, then those of steps that moved in,
then the members' own first messages).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence

from synthesis.aggregates import counts, feeling_stats, percentile
from synthesis.model import MomentOfTruth, PainPoint, Quote, Stage, StepRef, Theme
from synthesis.observations import StepObservation
from synthesis.pain_points import _severity
from synthesis.quotes import distinct_quotes

StepKey = tuple[str, int]
# The observations of some steps with their messages' texts (for quotes).
Texts = Callable[[Sequence[StepKey]], Mapping[StepKey, StepObservation]]
QUOTES = 3
# At most this many members' texts are read to fill a cell's quotes.
TEXT_LOOKUPS = 12


def _refs(members: Sequence[StepKey], known: Mapping[StepKey, StepRef]) -> list[StepRef]:
    """The members as refs, reusing the run's own ref objects (making tens of thousands
    of new ones is most of the cost of re-measuring a map)."""
    return [known.get(k) or StepRef(interview_id=k[0], ordinal=k[1]) for k in members]


def quotes_for(
    members: Sequence[StepKey],
    pool: Sequence[Quote],
    *,
    texts: Texts,
    pick: Callable[[StepObservation], Quote | None],
) -> list[Quote]:
    """Up to three quotes of member steps: from ``pool`` (the cells' own quotes, in
    order) first, then ``pick`` of members without one, read from their texts."""
    inside = set(members)
    chosen = distinct_quotes(
        (q for q in pool if (q.interview_id, q.step_ordinal) in inside), limit=QUOTES
    )
    if len(chosen) >= QUOTES or not members:
        return chosen
    quoted = {(q.interview_id, q.step_ordinal) for q in chosen}
    wanted = [k for k in members if k not in quoted][:TEXT_LOOKUPS]
    read = texts(wanted)
    return distinct_quotes([*chosen, *(pick(read[k]) for k in wanted if k in read)], limit=QUOTES)


def themes_for(members: Sequence[StepKey], themes: Sequence[Theme]) -> list[Theme]:
    """The thinking themes with members among ``members``, counted on those only."""
    inside = set(members)
    kept: list[Theme] = []
    for theme in themes:
        refs = [r for r in theme.members if (r.interview_id, r.ordinal) in inside]
        if not refs:
            continue
        kept.append(
            theme.model_copy(
                update={
                    "members": refs,
                    "steps": len(refs),
                    "interviews": len({r.interview_id for r in refs}),
                    "quotes": [
                        q for q in theme.quotes if (q.interview_id, q.step_ordinal) in inside
                    ],
                }
            )
        )
    kept.sort(key=lambda t: (-t.interviews, t.label))
    return kept


def measure_stage(
    stage: Stage,
    members: Sequence[StepKey],
    facts: Mapping[StepKey, StepObservation],
    *,
    interview_total: int,
    quote_pool: Sequence[Quote],
    theme_pool: Sequence[Theme],
    texts: Texts,
    pick: Callable[[StepObservation], Quote | None],
    refs: Mapping[StepKey, StepRef],
) -> Stage:
    """``stage`` (its id, name and frame fields) measured on ``members`` (in order);
    ``refs`` are the run's step refs to reuse."""
    obs = [facts[k] for k in members if k in facts]
    durations = [o.duration_minutes for o in obs if o.duration_minutes is not None]
    interviews = len({o.interview_id for o in obs})
    positions = [o.position for o in obs]
    return stage.model_copy(
        update={
            "step_count": len(obs),
            "interviews": interviews,
            "interview_share": round(interviews / (interview_total or 1), 4),
            "median_position": round(statistics.median(positions), 4) if positions else 0.0,
            "channel_mix": counts((o.channel or "unknown" for o in obs), limit=None),
            "feeling": feeling_stats([o.feeling for o in obs if o.feeling is not None]),
            "duration_median_minutes": percentile(durations, 50),
            "duration_p90_minutes": percentile(durations, 90),
            "people": counts(p for o in obs for p in o.people),
            "tools": counts(t for o in obs for t in o.tools),
            "pains": counts(p for o in obs for p in o.pains),
            "moments_of_truth": [
                MomentOfTruth(
                    interview_id=o.interview_id, ordinal=o.ordinal, text=o.moment_of_truth_text
                )
                for o in obs
                if o.moment_of_truth
            ],
            "steps": _refs([(o.interview_id, o.ordinal) for o in obs], refs),
            "quotes": quotes_for(members, quote_pool, texts=texts, pick=pick),
            "thinking": themes_for(members, theme_pool),
        }
    )


def measure_pain(
    point: PainPoint,
    members: Sequence[StepKey],
    facts: Mapping[StepKey, StepObservation],
    *,
    interview_total: int,
    quote_pool: Sequence[Quote],
    texts: Texts,
    pick: Callable[[StepObservation], Quote | None],
    refs: Mapping[StepKey, StepRef],
) -> PainPoint:
    """``point`` (id, label, tags, keywords) measured on ``members``; ``stages`` and
    ``rank`` are the caller's to set."""
    obs = [facts[k] for k in members if k in facts]
    interviews = len({o.interview_id for o in obs})
    severity = statistics.fmean(_severity(o) for o in obs) if obs else 0.0
    return point.model_copy(
        update={
            "evidence": len(obs),
            "interviews": interviews,
            "interview_share": round(interviews / (interview_total or 1), 4),
            "severity": round(severity, 4),
            "score": round(interviews * severity, 4),
            "steps": _refs([(o.interview_id, o.ordinal) for o in obs], refs),
            "quotes": quotes_for(members, quote_pool, texts=texts, pick=pick),
        }
    )
