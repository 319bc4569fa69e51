"""The synthesis pipeline: stored interviews of a campaign -> :class:`JourneyMap`.

:func:`analyse` runs the expensive part once (observations, embeddings, stages, pain
points); :func:`map_of` turns an analysis, or a segment of it, into a map.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from synthesis.aggregates import build_stages, stage_id
from synthesis.embedders import Embedder, EmbedderConfig, make_embedder
from synthesis.metrics import channel_paths, journey_metrics
from synthesis.model import JourneyMap, PainPoint
from synthesis.observations import StepObservation, SynthesisInputError, load_observations
from synthesis.pain_members import attach_members, restrict_point
from synthesis.pain_points import rank_pain_points
from synthesis.saturation import saturation
from synthesis.stages import StageAssignment, assign_stages

PIPELINE_STEPS = ("observations", "embeddings", "stages", "aggregates", "pain points", "metrics")


@dataclass(frozen=True)
class Analysis:
    """Everything a map is made from: the observations, their embeddings and stages, and
    the ranked pain points with their member steps."""

    campaign: str
    segment: tuple[str, str] | None
    embedder: str
    seed: int
    stages_requested: int | None
    observations: list[StepObservation]
    embeddings: NDArray[np.float64]
    assignment: StageAssignment
    pain_points: list[PainPoint]
    # Stage ids in journey order when they were matched to a stored run (else S1..Sn).
    stage_ids: tuple[str, ...] = ()

    def stage_id_of(self, label: int) -> str:
        return self.stage_ids[label] if self.stage_ids else stage_id(label)

    def with_ids(self, stable: JourneyMap) -> Analysis:
        """This analysis under the ids of ``stable`` (its whole map with ids matched to
        the stored series), so every map, segment and comparison made from it uses them."""
        if len(stable.stages) != len(self.assignment.names) or len(stable.pain_points) != len(
            self.pain_points
        ):
            raise ValueError("the stable map is not a map of this analysis")
        return replace(
            self,
            stage_ids=tuple(stage.id for stage in stable.stages),
            pain_points=[p.model_copy(deep=True) for p in stable.pain_points],
        )


def synthesize(
    session: Session,
    *,
    campaign_slug: str,
    embedder: str | Embedder = "tfidf",
    embedder_config: EmbedderConfig | None = None,
    stages: int | None = None,
    seed: int = 0,
    segment: tuple[str, str] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> JourneyMap:
    """Draft the journey map of the campaign's stored interviews.

    ``embedder`` is a registered name (see ``synthesis.embedders.EMBEDDERS``) or an
    embedder object (``embedder_config`` configures a named one: keys, model folder);
    ``stages`` forces the number of stages (else chosen automatically);
    ``seed`` fixes every random choice, so the same stored input and arguments give the
    same map; ``segment=(key, value)`` keeps only participants with that attribute.
    ``on_step`` is called with each name of ``PIPELINE_STEPS`` as it finishes.
    Raises :class:`SynthesisInputError` when the campaign is unknown or has no steps.
    """
    done = on_step or (lambda _name: None)
    analysis = analyse(
        session,
        campaign_slug=campaign_slug,
        embedder=embedder,
        embedder_config=embedder_config,
        stages=stages,
        seed=seed,
        segment=segment,
        on_step=done,
    )
    journey_map = map_of(analysis)
    done(PIPELINE_STEPS[5])
    return journey_map


def analyse(
    session: Session,
    *,
    campaign_slug: str,
    embedder: str | Embedder = "tfidf",
    embedder_config: EmbedderConfig | None = None,
    stages: int | None = None,
    seed: int = 0,
    segment: tuple[str, str] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Analysis:
    """The first five ``PIPELINE_STEPS`` (arguments as for :func:`synthesize`)."""
    done = on_step or (lambda _name: None)
    observations = load_observations(session, campaign_slug=campaign_slug, segment=segment)
    if not observations:
        where = f" in segment {segment[0]}={segment[1]}" if segment else ""
        raise SynthesisInputError(
            f"campaign {campaign_slug!r} has no interview steps to synthesise{where}"
        )
    done(PIPELINE_STEPS[0])
    model = (
        make_embedder(embedder, seed=seed, config=embedder_config)
        if isinstance(embedder, str)
        else embedder
    )
    # Stages are about what customers did; what hurt is clustered on its own (pains.py),
    # and mixing it in here pulls steps with the same complaint into one stage.
    embeddings = model.embed([o.doing for o in observations])
    done(PIPELINE_STEPS[1])
    assignment = assign_stages(observations, embeddings, stages=stages, seed=seed)
    done(PIPELINE_STEPS[2])
    done(PIPELINE_STEPS[3])  # the aggregates are built per map, in map_of
    pain_points = rank_pain_points(observations, assignment.labels, embedder=model, seed=seed)
    attach_members(pain_points, observations, assignment.labels, embedder=model, seed=seed)
    done(PIPELINE_STEPS[4])
    return Analysis(
        campaign=campaign_slug,
        segment=segment,
        embedder=embedder if isinstance(embedder, str) else type(embedder).__name__,
        seed=seed,
        stages_requested=stages,
        observations=observations,
        embeddings=embeddings,
        assignment=assignment,
        pain_points=pain_points,
    )


def map_of(
    analysis: Analysis,
    *,
    rows: Sequence[int] | None = None,
    segment: tuple[str, str] | None = None,
) -> JourneyMap:
    """The map of the whole analysis, or of its observations ``rows`` only (a segment:
    the same stages and pain points, measured on those steps; pain points keep their
    ids and are re-ranked). ``segment`` labels the map (default: the analysis's filter)."""
    indices = list(range(len(analysis.observations))) if rows is None else list(rows)
    observations = [analysis.observations[i] for i in indices]
    labels = analysis.assignment.labels[indices]
    assignment = StageAssignment(
        labels=labels,
        names=analysis.assignment.names,
        keywords=analysis.assignment.keywords,
        median_positions=analysis.assignment.median_positions,
    )
    with warnings.catch_warnings():
        # A segment may have no step in some stage: its (unused) centre is the mean of
        # nothing, which numpy warns about.
        warnings.simplefilter("ignore", RuntimeWarning)
        stage_list = build_stages(
            observations, analysis.embeddings[indices], assignment, ids=analysis.stage_ids
        )
    interview_ids = list(dict.fromkeys(o.interview_id for o in observations))
    if rows is None:
        points = analysis.pain_points
    else:
        points = _restricted_points(analysis, observations, labels, interview_ids)
    paths, distinct = channel_paths(observations)
    label = segment if segment is not None else analysis.segment
    return JourneyMap(
        campaign=analysis.campaign,
        segment={label[0]: label[1]} if label else None,
        embedder=analysis.embedder,
        seed=analysis.seed,
        stages_requested=analysis.stages_requested,
        interview_count=len(interview_ids),
        step_count=len(observations),
        interview_ids=interview_ids,
        stages=stage_list,
        pain_points=points,
        metrics=journey_metrics(observations),
        channel_paths=paths,
        distinct_channel_paths=distinct,
        saturation=saturation(interview_ids, points),
    )


def _restricted_points(
    analysis: Analysis,
    observations: Sequence[StepObservation],
    labels: NDArray[np.int64],
    interview_ids: Sequence[str],
) -> list[PainPoint]:
    points = analysis.pain_points
    by_step = {(o.interview_id, o.ordinal): o for o in observations}
    stage_of = {
        (o.interview_id, o.ordinal): analysis.stage_id_of(int(label))
        for o, label in zip(observations, labels.tolist(), strict=True)
    }
    kept = [
        p
        for p in (
            restrict_point(point, by_step, stage_of, interview_total=len(interview_ids))
            for point in points
        )
        if p is not None
    ]
    kept.sort(key=lambda p: (-p.score, -p.evidence, p.label))
    for rank, point in enumerate(kept, start=1):
        point.rank = rank
    return kept
