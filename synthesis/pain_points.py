"""Pain points: cluster what got in the way and rank it by frequency × severity.

Evidence is one item per step that reports a pain: its tagged pains (the understanding
layer's taxonomy) and its free text. Tagged evidence groups by its first tag; untagged
free text joins the tag group it is closest to, or else forms clusters of its own.
Frequency counts interviews, not steps, so one talkative customer cannot top the list.
Severity of an item: low feeling at that step (70 %) and an unresolved outcome (30 %).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from synthesis.aggregates import stage_id
from synthesis.clustering import Method, cluster_rows
from synthesis.embedders import Embedder, preferred_clustering
from synthesis.keywords import group_keywords
from synthesis.model import PainPoint
from synthesis.observations import StepObservation
from synthesis.quotes import distinct_quotes, pain_quote

JOIN_SIMILARITY = 0.35
OUTCOME_SEVERITY = {"no": 1.0, "partly": 0.5, "yes": 0.0}


@dataclass(frozen=True)
class _Evidence:
    observation: StepObservation
    stage: int
    text: str


def rank_pain_points(
    observations: Sequence[StepObservation],
    stage_labels: NDArray[np.int64],
    *,
    embedder: Embedder,
    seed: int = 0,
) -> list[PainPoint]:
    """Ranked pain points (highest score first; ties by label) with up to three quotes."""
    evidence = [
        _Evidence(o, int(stage_labels[i]), _evidence_text(o))
        for i, o in enumerate(observations)
        if o.pains or (o.pain_text and o.pain_text.strip())
    ]
    if not evidence:
        return []
    vectors = embedder.embed([e.text for e in evidence])
    keys = _group_keys(evidence, vectors, seed=seed, method=preferred_clustering(embedder))
    group_names = sorted(set(keys))
    index_of = {key: i for i, key in enumerate(group_names)}
    keywords = group_keywords([e.text for e in evidence], [index_of[k] for k in keys])
    interview_total = len({o.interview_id for o in observations}) or 1
    points: list[PainPoint] = []
    for key in group_names:
        members = [i for i, k in enumerate(keys) if k == key]
        items = [evidence[i] for i in members]
        interviews = len({e.observation.interview_id for e in items})
        severity = float(np.mean([_severity(e.observation) for e in items]))
        centroid = vectors[members].mean(axis=0)
        closeness = vectors[members] @ centroid
        nearest = sorted(range(len(items)), key=lambda j: (-round(float(closeness[j]), 9), j))
        tags = sorted({t for e in items for t in e.observation.pains})
        words = keywords[index_of[key]]
        label = _humanise(key[4:]) if key.startswith("tag:") else " / ".join(words) or "Other"
        points.append(
            PainPoint(
                id="",
                rank=0,
                label=label,
                tags=tags,
                keywords=words,
                evidence=len(items),
                interviews=interviews,
                interview_share=round(interviews / interview_total, 4),
                severity=round(severity, 4),
                score=round(interviews * severity, 4),
                stages=[stage_id(s) for s in sorted({e.stage for e in items})],
                quotes=distinct_quotes(pain_quote(items[j].observation) for j in nearest),
            )
        )
    points.sort(key=lambda p: (-p.score, -p.evidence, p.label))
    for rank, point in enumerate(points, start=1):
        point.rank = rank
        point.id = f"P{rank}"
    return points


def _evidence_text(observation: StepObservation) -> str:
    tags = " ".join(_humanise(t) for t in observation.pains)
    return f"{tags} {observation.pain_text or ''}".strip()


def _humanise(tag: str) -> str:
    words = tag.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _severity(observation: StepObservation) -> float:
    feeling = 0.5 if observation.feeling is None else (5 - observation.feeling) / 4
    outcome = OUTCOME_SEVERITY.get(observation.resolved or "", 0.5)
    # Floor so a pain felt at a "fine" step still counts a little.
    return 0.1 + 0.9 * (0.7 * feeling + 0.3 * outcome)


def _group_keys(
    evidence: Sequence[_Evidence],
    vectors: NDArray[np.float64],
    *,
    seed: int,
    method: Method = "kmeans",
) -> list[str]:
    keys = [f"tag:{e.observation.pains[0]}" if e.observation.pains else "" for e in evidence]
    tag_keys = sorted({k for k in keys if k})
    centroids = {
        k: vectors[[i for i, x in enumerate(keys) if x == k]].mean(axis=0) for k in tag_keys
    }
    free: list[int] = []
    for i, key in enumerate(keys):
        if key:
            continue
        best = max(tag_keys, key=lambda k: float(vectors[i] @ centroids[k]), default=None)
        if best is not None and float(vectors[i] @ centroids[best]) >= JOIN_SIMILARITY:
            keys[i] = best
        else:
            free.append(i)
    if free:
        labels = cluster_rows(
            vectors[free], k=None, k_max=min(10, len(free) - 1), seed=seed, method=method
        )
        for i, label in zip(free, labels.tolist(), strict=True):
            keys[i] = f"txt:{label:03d}"
    return keys
