"""Pain points: cluster what got in the way and rank it by frequency × severity.

Evidence is one item per pain a step reports: one per tagged pain (the understanding
layer's taxonomy), or one for its free text when it has no tag. A step tagged twice
counts in both tags' points, so every tag is counted the same way in every part of the
map. Untagged free text joins the tag group it is closest to, or else forms clusters of
its own. Each point lists its member steps (``PainPoint.steps``).
Frequency counts interviews, not steps, so one talkative customer cannot top the list.
Severity of an item: low feeling at that step (70 %) and an unresolved outcome (30 %).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from synthesis.aggregates import stage_id as default_stage_id
from synthesis.clustering import Method, cluster_rows
from synthesis.embedders import Embedder, preferred_clustering
from synthesis.keywords import group_keywords
from synthesis.model import PainPoint, StepRef
from synthesis.observations import StepObservation
from synthesis.quotes import distinct_quotes, pain_quote

JOIN_SIMILARITY = 0.35
OUTCOME_SEVERITY = {"no": 1.0, "partly": 0.5, "yes": 0.0}


@dataclass(frozen=True)
class _Evidence:
    observation: StepObservation
    stage: int
    text: str
    tag: str | None  # the pain tag this item stands for; None: untagged free text


def _pain_evidence(
    observations: Sequence[StepObservation], stage_labels: NDArray[np.int64]
) -> list[_Evidence]:
    evidence: list[_Evidence] = []
    for i, o in enumerate(observations):
        stage = int(stage_labels[i])
        if o.pains:
            free_text = (o.pain_text or "").strip()
            for tag in dict.fromkeys(o.pains):
                evidence.append(_Evidence(o, stage, f"{_humanise(tag)} {free_text}".strip(), tag))
        elif o.pain_text and o.pain_text.strip():
            evidence.append(_Evidence(o, stage, o.pain_text.strip(), None))
    return evidence


def rank_pain_points(
    observations: Sequence[StepObservation],
    stage_labels: NDArray[np.int64],
    *,
    embedder: Embedder,
    seed: int = 0,
    stage_id: Callable[[int], str] = default_stage_id,
) -> list[PainPoint]:
    """Ranked pain points (highest score first; ties by label) with up to three quotes.
    ``stage_id`` names stage label i in the points' ``stages`` lists."""
    evidence = _pain_evidence(observations, stage_labels)
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
        # Each member step once, however many of its items joined this point.
        member_steps = {id(e.observation): e.observation for e in items}
        severity = float(np.mean([_severity(o) for o in member_steps.values()]))
        centroid = vectors[members].mean(axis=0)
        closeness = vectors[members] @ centroid
        nearest = sorted(range(len(items)), key=lambda j: (-round(float(closeness[j]), 9), j))
        tags = sorted({e.tag for e in items if e.tag is not None})
        steps = list(
            {
                (e.observation.interview_id, e.observation.ordinal): StepRef(
                    interview_id=e.observation.interview_id, ordinal=e.observation.ordinal
                )
                for e in items
            }.values()
        )
        words = keywords[index_of[key]]
        label = _humanise(key[4:]) if key.startswith("tag:") else " / ".join(words) or "Other"
        points.append(
            PainPoint(
                id="",
                rank=0,
                label=label,
                tags=tags,
                keywords=words,
                evidence=len(steps),
                interviews=interviews,
                interview_share=round(interviews / interview_total, 4),
                severity=round(severity, 4),
                score=round(interviews * severity, 4),
                stages=[stage_id(s) for s in sorted({e.stage for e in items})],
                quotes=distinct_quotes(pain_quote(items[j].observation) for j in nearest),
                steps=steps,
            )
        )
    points.sort(key=lambda p: (-p.score, -p.evidence, p.label))
    for rank, point in enumerate(points, start=1):
        point.rank = rank
        point.id = f"P{rank}"
    return points


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
    keys = [f"tag:{e.tag}" if e.tag is not None else "" for e in evidence]
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
