"""The synthesis pipeline: stored interviews of a campaign -> :class:`JourneyMap`."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from synthesis.aggregates import build_stages
from synthesis.embedders import Embedder, EmbedderConfig, make_embedder
from synthesis.model import JourneyMap
from synthesis.observations import SynthesisInputError, load_observations
from synthesis.pains import rank_pain_points
from synthesis.stages import assign_stages

PIPELINE_STEPS = ("observations", "embeddings", "stages", "aggregates", "pain points")


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
    stage_list = build_stages(observations, embeddings, assignment)
    done(PIPELINE_STEPS[3])
    pain_points = rank_pain_points(observations, assignment.labels, embedder=model, seed=seed)
    done(PIPELINE_STEPS[4])
    interview_ids = list(dict.fromkeys(o.interview_id for o in observations))
    return JourneyMap(
        campaign=campaign_slug,
        segment={segment[0]: segment[1]} if segment else None,
        embedder=embedder if isinstance(embedder, str) else type(embedder).__name__,
        seed=seed,
        stages_requested=stages,
        interview_count=len(interview_ids),
        step_count=len(observations),
        interview_ids=interview_ids,
        stages=stage_list,
        pain_points=pain_points,
    )
