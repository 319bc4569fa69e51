"""The lanes built from free answers: what customers did and thought at a stage, and
what they said would have made it better (the opportunities), grouped and named in
their own words, every group keeping its verbatim quotes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from synthesis.clustering import cluster_rows
from synthesis.model import Opportunity, PainPoint, StepRef, Theme
from synthesis.observations import StepObservation
from synthesis.phrases import representative_phrase
from synthesis.quotes import distinct_quotes, improvement_quote, thinking_quote

# Answers that say nothing (the customer had no thought, or no idea for improvement).
EMPTY_ANSWERS = frozenset(
    {
        "", "-", "no", "nope", "none", "nothing", "nothing really", "not really", "n/a",
        "na", "idk", "i don't know", "dont know", "don't know", "not sure", "no idea",
        "can't remember", "cant remember", "skip", "skipped", "nah", "all good", "nothing else",
    }
)  # fmt: skip
# Groups per lane cell: a few themes a reader can take in, each with enough members.
MAX_THEMES = 4
MEMBERS_PER_THEME = 6
# A pain point is addressed by an opportunity when it is at least this much more common
# among the opportunity's customers than among all, and in at least this share of them.
LIFT = 1.2
MIN_SHARE = 0.3
MAX_LINKED_PAINS = 3


def said_something(answer: str | None) -> bool:
    """Whether a free answer has content (not "nothing", "idk", "n/a")."""
    plain = " ".join((answer or "").casefold().split()).strip(" .!?")
    return plain not in EMPTY_ANSWERS


def group_count(n: int) -> int:
    """How many groups ``n`` answers make (fixed, not searched: fast and stable)."""
    return max(1, min(MAX_THEMES, n // MEMBERS_PER_THEME))


def themes(
    observations: Sequence[StepObservation], vectors: NDArray[np.float64], *, seed: int = 0
) -> list[Theme]:
    """The thinking answers of ``observations`` (rows of ``vectors``) grouped into themes,
    most interviews first; only answers found verbatim in a stored message count."""
    rows = [i for i, o in enumerate(observations) if said_something(o.thinking)]
    quote_of = {i: thinking_quote(observations[i]) for i in rows}
    quoted = [i for i in rows if quote_of[i] is not None]
    if not quoted:
        return []
    labels = _groups(vectors[quoted], seed=seed)
    found: list[Theme] = []
    for group in sorted(set(labels.tolist())):
        members = [quoted[j] for j in np.flatnonzero(labels == group)]
        nearest = _nearest(members, vectors)
        found.append(
            Theme(
                label=representative_phrase(
                    [observations[i].thinking or "" for i in members], vectors[members]
                ),
                steps=len(members),
                interviews=len({observations[i].interview_id for i in members}),
                quotes=distinct_quotes(quote_of[i] for i in nearest),
                members=[
                    StepRef(
                        interview_id=observations[i].interview_id, ordinal=observations[i].ordinal
                    )
                    for i in members
                ],
            )
        )
    found.sort(key=lambda t: (-t.interviews, t.label))
    return found


def improvement_rows(observations: Sequence[StepObservation]) -> list[int]:
    """One row per interview that said what would have made it better (in a stored
    message): the interview's first observation."""
    first_row: dict[str, int] = {}
    for index, observation in enumerate(observations):
        first_row.setdefault(observation.interview_id, index)
    return [
        i
        for i in first_row.values()
        if said_something(observations[i].improvement)
        and observations[i].improvement_message is not None
    ]


def opportunities(
    observations: Sequence[StepObservation],
    rows: Sequence[int],
    vectors: NDArray[np.float64],
    pain_points: Sequence[PainPoint],
    stage_order: Mapping[str, int],
    *,
    seed: int = 0,
) -> list[Opportunity]:
    """The improvement answers (observation ``rows``, embedded as ``vectors``) grouped;
    each group linked to the pain points its customers hit clearly more often than
    everyone, and to the stages those are in. Ids ``O1``, ``O2``, ... by interviews."""
    if not rows:
        return []
    labels = _groups(vectors, seed=seed)
    total = len({o.interview_id for o in observations})
    pain_interviews = {p.id: {s.interview_id for s in p.steps} for p in pain_points}
    stages_of_pain = {p.id: p.stages for p in pain_points}
    result: list[Opportunity] = []
    for group in sorted(set(labels.tolist())):
        local = np.flatnonzero(labels == group).tolist()
        members = [rows[j] for j in local]
        member_vectors = vectors[local]
        interviews = [observations[i].interview_id for i in members]
        linked = _addressed(set(interviews), pain_interviews, total)
        centre = member_vectors.mean(axis=0)
        nearest = sorted(
            range(len(members)), key=lambda j: (-round(float(member_vectors[j] @ centre), 9), j)
        )
        stages = {s for p in linked for s in stages_of_pain[p]}
        result.append(
            Opportunity(
                id="",
                label=representative_phrase(
                    [observations[i].improvement or "" for i in members], member_vectors
                ),
                interviews=len(interviews),
                interview_share=round(len(interviews) / (total or 1), 4),
                pain_points=linked,
                stages=sorted(stages, key=lambda s: (stage_order.get(s, len(stage_order)), s)),
                quotes=distinct_quotes(
                    improvement_quote(observations[members[j]]) for j in nearest
                ),
                interview_ids=sorted(interviews),
            )
        )
    result.sort(key=lambda o: (-o.interviews, o.label))
    for number, opportunity in enumerate(result, start=1):
        opportunity.id = f"O{number}"
    return result


def _groups(vectors: NDArray[np.float64], *, seed: int) -> NDArray[np.int64]:
    k = group_count(len(vectors))
    if k == 1:
        return np.zeros(len(vectors), dtype=np.int64)
    return cluster_rows(vectors, k=k, seed=seed)


def _nearest(members: list[int], vectors: NDArray[np.float64]) -> list[int]:
    centre = vectors[members].mean(axis=0)
    return sorted(members, key=lambda i: (-round(float(vectors[i] @ centre), 9), i))


def _addressed(interviews: set[str], pain_interviews: dict[str, set[str]], total: int) -> list[str]:
    """The pain points much more common among ``interviews`` than overall."""
    scored: list[tuple[float, str]] = []
    for pain, having in pain_interviews.items():
        if not having:
            continue
        inside = len(interviews & having) / len(interviews)
        overall = len(having) / (total or 1)
        if inside >= MIN_SHARE and inside >= LIFT * overall:
            scored.append((inside / overall, pain))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [pain for _, pain in scored[:MAX_LINKED_PAINS]]
