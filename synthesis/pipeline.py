"""The synthesis pipeline: stored interviews of a campaign -> :class:`JourneyMap`.

:func:`analyse` runs the expensive part once (observations, embeddings, stages, pain
points); :func:`map_of` turns an analysis, or a segment of it, into a map.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from bot.conversation.map_frame import MapFrame
from synthesis.aggregates import build_stages
from synthesis.embedders import Embedder, EmbedderConfig, make_embedder
from synthesis.emerging_stages import propose_emerging_stages
from synthesis.frames import campaign_frame
from synthesis.lanes import improvement_rows, opportunities, said_something
from synthesis.metrics import channel_paths, journey_metrics
from synthesis.model import EmergingStage, JourneyMap, Opportunity, PainPoint
from synthesis.observations import (
    FINISHED_ONLY,
    Selection,
    StepObservation,
    SynthesisInputError,
    load_observations,
)
from synthesis.pain_members import restrict_point
from synthesis.pain_points import rank_pain_points
from synthesis.saturation import saturation
from synthesis.stages import StageAssignment, assign_stages, frame_stages

PIPELINE_STEPS = ("observations", "embeddings", "stages", "aggregates", "pain points", "metrics")

# Where a language model says each step belongs in the frame: step index -> stage id.
StagePlacer = Callable[[Sequence[StepObservation], MapFrame], Mapping[int, str]]


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
    # Frame maps: proposed stages for steps the frame has no words for.
    emerging_stages: tuple[EmergingStage, ...] = ()
    selection: Selection = FINISHED_ONLY
    # Rows (n x d; zeros where nothing was said) of what went through customers' minds,
    # and the improvement answers' rows and vectors: the thinking and opportunity lanes.
    thinking_vectors: NDArray[np.float64] | None = None
    improvement_rows: tuple[int, ...] = ()
    improvement_vectors: NDArray[np.float64] | None = None
    # Opportunity ids in the order the opportunities are found, when they were matched
    # to a stored run (else O1..On by interviews).
    opportunity_ids: tuple[str, ...] = ()

    def stage_id_of(self, label: int) -> str:
        return self.stage_ids[label] if self.stage_ids else self.assignment.stage_id(label)

    def stage_order(self) -> dict[str, int]:
        """Each stage id's place in journey order."""
        return {self.stage_id_of(i): i for i in range(len(self.assignment.names))}

    def with_ids(self, stable: JourneyMap) -> Analysis:
        """This analysis under the ids of ``stable`` (its whole map with ids matched to
        the stored series), so every map, segment and comparison made from it uses them:
        stages, pain points, opportunities and emerging stages."""
        if len(stable.stages) != len(self.assignment.names) or len(stable.pain_points) != len(
            self.pain_points
        ):
            raise ValueError("the stable map is not a map of this analysis")
        return replace(
            self,
            stage_ids=tuple(stage.id for stage in stable.stages),
            pain_points=[p.model_copy(deep=True) for p in stable.pain_points],
            opportunity_ids=tuple(o.id for o in stable.opportunities),
            emerging_stages=tuple(e.model_copy(deep=True) for e in stable.emerging_stages),
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
    discover: bool = False,
    frame: MapFrame | None = None,
    selection: Selection = FINISHED_ONLY,
    on_step: Callable[[str], None] | None = None,
) -> JourneyMap:
    """Draft the journey map of the campaign's stored interviews.

    ``embedder`` is a registered name (see ``synthesis.embedders.EMBEDDERS``) or an
    embedder object (``embedder_config`` configures a named one: keys, model folder);
    the stages are the guide's stage frame (``frame``, default: the one the campaign's
    guide declares) filled with the steps, unless ``discover`` is set, ``stages`` is
    given or there is no frame: then they are discovered by clustering (``stages``
    forces their number, else it is chosen automatically);
    ``seed`` fixes every random choice, so the same stored input and arguments give the
    same map; ``segment=(key, value)`` keeps only participants with that attribute;
    ``selection`` picks the interviews (default: finished ones, any date).
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
        discover=discover,
        frame=frame,
        selection=selection,
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
    discover: bool = False,
    frame: MapFrame | None = None,
    selection: Selection = FINISHED_ONLY,
    on_step: Callable[[str], None] | None = None,
    placer: StagePlacer | None = None,
) -> Analysis:
    """The first five ``PIPELINE_STEPS`` (arguments as for :func:`synthesize`). With a
    ``placer`` (a language model), steps are placed in the stage frame with its advice."""
    done = on_step or (lambda _name: None)
    observations = load_observations(
        session, campaign_slug=campaign_slug, segment=segment, selection=selection
    )
    if not observations:
        where = f" in segment {segment[0]}={segment[1]}" if segment else ""
        which = "" if selection.include_partial else " (finished interviews only; "
        which += "" if selection.include_partial else "--include-partial adds the rest)"
        raise SynthesisInputError(
            f"campaign {campaign_slug!r} has no interview steps to synthesise{where}{which}"
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
    thinking_vectors = _embedded_rows(
        model, [o.thinking or "" for o in observations], said_something
    )
    answered = improvement_rows(observations)
    improvement_vectors = (
        model.embed([observations[i].improvement or "" for i in answered]) if answered else None
    )
    done(PIPELINE_STEPS[1])
    if frame is None and not discover and stages is None:
        frame = campaign_frame(session, campaign_slug)
    if frame is not None and not discover and stages is None:
        advice = placer(observations, frame) if placer is not None else None
        assignment = frame_stages(observations, frame, advice)
    else:
        assignment = assign_stages(observations, embeddings, stages=stages, seed=seed)
    emerging: list[EmergingStage] = []
    if assignment.placement is not None:
        emerging = propose_emerging_stages(
            observations,
            embeddings,
            assignment.placement.low_fit(),
            lambda i: assignment.stage_id(int(assignment.labels[i])),
            seed=seed,
        )
    done(PIPELINE_STEPS[2])
    done(PIPELINE_STEPS[3])  # the aggregates are built per map, in map_of
    pain_points = rank_pain_points(
        observations, assignment.labels, embedder=model, seed=seed, stage_id=assignment.stage_id
    )
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
        emerging_stages=tuple(emerging),
        selection=selection,
        thinking_vectors=thinking_vectors,
        improvement_rows=tuple(answered),
        improvement_vectors=improvement_vectors,
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
        frame_ids=analysis.assignment.frame_ids,
        descriptions=analysis.assignment.descriptions,
    )
    with warnings.catch_warnings():
        # A segment may have no step in some stage: its (unused) centre is the mean of
        # nothing, which numpy warns about.
        warnings.simplefilter("ignore", RuntimeWarning)
        stage_list = build_stages(
            observations,
            analysis.embeddings[indices],
            assignment,
            ids=analysis.stage_ids,
            thinking_vectors=None
            if analysis.thinking_vectors is None
            else analysis.thinking_vectors[indices],
            seed=analysis.seed,
        )
    interview_ids = list(dict.fromkeys(o.interview_id for o in observations))
    if rows is None:
        points = analysis.pain_points
    else:
        points = _restricted_points(analysis, observations, labels, interview_ids)
    paths, distinct = channel_paths(observations)
    label = segment if segment is not None else analysis.segment
    chosen = analysis.selection
    partial = len({o.interview_id for o in observations if not o.completed})
    return JourneyMap(
        campaign=analysis.campaign,
        segment={label[0]: label[1]} if label else None,
        embedder=analysis.embedder,
        seed=analysis.seed,
        stages_requested=analysis.stages_requested,
        interview_count=len(interview_ids),
        step_count=len(observations),
        interviews_included="all" if chosen.include_partial else "completed",
        partial_interviews=partial,
        facts_included="said_or_confirmed" if chosen.exclude_inferred else "all",
        since=chosen.since.isoformat() if chosen.since else None,
        until=chosen.until.isoformat() if chosen.until else None,
        interview_ids=interview_ids,
        stages=stage_list,
        emerging_stages=list(analysis.emerging_stages) if rows is None else [],
        pain_points=points,
        opportunities=_opportunities(analysis, points) if rows is None else [],
        metrics=journey_metrics(observations),
        channel_paths=paths,
        distinct_channel_paths=distinct,
        saturation=saturation(interview_ids, points),
    )


def _opportunities(analysis: Analysis, points: Sequence[PainPoint]) -> list[Opportunity]:
    if analysis.improvement_vectors is None:
        return []
    order = analysis.stage_order()
    found = opportunities(
        analysis.observations,
        analysis.improvement_rows,
        analysis.improvement_vectors,
        points,
        order,
        seed=analysis.seed,
    )
    if len(analysis.opportunity_ids) == len(found):
        # The same analysis finds the same groups in the same order: give them the ids
        # they were matched to in the stored series.
        for opportunity, stable_id in zip(found, analysis.opportunity_ids, strict=True):
            opportunity.id = stable_id
    return found


def _embedded_rows(
    model: Embedder, texts: Sequence[str], keep: Callable[[str], bool]
) -> NDArray[np.float64] | None:
    """``texts`` embedded where ``keep`` holds, zero rows elsewhere; None if none is kept."""
    rows = [i for i, text in enumerate(texts) if keep(text)]
    if not rows:
        return None
    vectors = model.embed([texts[i] for i in rows])
    full = np.zeros((len(texts), vectors.shape[1]), dtype=np.float64)
    full[rows] = vectors
    return full


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
    order = analysis.stage_order()
    kept = [
        p
        for p in (
            restrict_point(
                point,
                by_step,
                stage_of,
                interview_total=len(interview_ids),
                stage_order=order,
            )
            for point in points
        )
        if p is not None
    ]
    kept.sort(key=lambda p: (-p.score, -p.evidence, p.label))
    for rank, point in enumerate(kept, start=1):
        point.rank = rank
    return kept
