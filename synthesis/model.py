"""The journey map as data: what every renderer reads and the JSON schema documents.

Bump ``SCHEMA_VERSION`` on any change a reader of the JSON would notice.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

SCHEMA_VERSION = "4"


class StepRef(BaseModel):
    """One stored step: the interview's public id and the step's 1-based ordinal."""

    interview_id: str
    ordinal: int


class Quote(BaseModel):
    """A customer's message, verbatim, and where it is stored."""

    text: str
    interview_id: str
    message_id: int
    # 0: an answer about the whole interview (e.g. what would have made it better).
    step_ordinal: int


class Count(BaseModel):
    value: str
    count: int
    share: float


class FeelingStats(BaseModel):
    """Feeling ratings (1-5) at the stage's steps: ``spread`` is the standard deviation."""

    rated: int
    mean: float | None
    spread: float | None
    distribution: dict[str, int]


class Theme(BaseModel):
    """A group of like answers (what customers were thinking at a stage), named by a
    short phrase in the customers' own words, with how many said it and quotes."""

    label: str
    steps: int
    interviews: int
    quotes: list[Quote]
    # Every member step (interview id + ordinal), so the theme's count opens its evidence.
    members: list[StepRef] = Field(default_factory=list)


class Opportunity(BaseModel):
    """What customers said would have made it better, grouped, and the pain points it
    addresses (those clearly more common in these customers' journeys)."""

    id: str
    label: str
    interviews: int
    interview_share: float
    pain_points: list[str]
    stages: list[str]
    quotes: list[Quote]
    interview_ids: list[str]


class MomentOfTruth(BaseModel):
    interview_id: str
    ordinal: int
    text: str | None


class Stage(BaseModel):
    """A column of the map. A stage of the guide's frame has the frame's id (``wait``),
    name and description (``frame_stage`` is that id); a discovered stage is ``S1``,
    ``S2``, ... and named by its words."""

    id: str
    name: str
    frame_stage: str | None = None
    description: str | None = None
    keywords: list[str]
    median_position: float
    step_count: int
    interviews: int
    interview_share: float
    channel_mix: list[Count]
    feeling: FeelingStats
    duration_median_minutes: float | None
    duration_p90_minutes: float | None
    people: list[Count]
    tools: list[Count]
    pains: list[Count]
    quotes: list[Quote]
    moments_of_truth: list[MomentOfTruth]
    steps: list[StepRef]
    # In how many journeys this stage came back after another one (a loop).
    comebacks: int = 0
    # What customers did here, in one line taken from their words, and
    # what went through their minds (the thinking lane), grouped.
    doing: str | None = None
    thinking: list[Theme] = Field(default_factory=list)
    # A researcher-style paragraph from the analyst (a language model), when configured.
    summary: str | None = None


class EmergingStage(BaseModel):
    """Steps whose words fit no stage of the frame, grouped and proposed as a new stage
    for a reviewer to accept. Meanwhile its steps stay in the frame stages ``placed_in``
    (most first), so the map is whole either way."""

    id: str
    name: str
    step_count: int
    interviews: int
    interview_share: float
    median_position: float
    placed_in: list[str]
    quotes: list[Quote]
    steps: list[StepRef]


class PainPoint(BaseModel):
    """A cluster of what got in the way, ranked by ``score`` = interviews × severity."""

    id: str
    rank: int
    label: str
    tags: list[str]
    keywords: list[str]
    evidence: int
    interviews: int
    interview_share: float
    severity: float
    score: float
    stages: list[str]
    quotes: list[Quote]
    # Every step whose pain is part of this point (interview id + step ordinal).
    steps: list[StepRef] = Field(default_factory=list)
    # A researcher-style paragraph from the analyst (a language model), when configured.
    summary: str | None = None


class Spread(BaseModel):
    """A per-journey number over the journeys that have it: mean, median, p90, min, max."""

    journeys: int
    mean: float | None
    median: float | None
    p90: float | None
    min: float | None
    max: float | None


class EventCount(BaseModel):
    """Something that happens in journeys (a transfer, a channel switch, ...): how often in
    all, per journey, and the share of journeys where it happened at least once."""

    total: int
    per_journey: Spread
    journeys_with: int
    share_of_journeys: float


class Resolution(BaseModel):
    """How journeys ended, as customers said: ``rate`` = yes / answered (``partly`` and
    ``no`` are not resolved); ``None`` when nobody answered."""

    answered: int
    yes: int
    partly: int
    no: int
    unknown: int
    rate: float | None


class Effort(BaseModel):
    """Customer effort score, 1 (very easy) .. 7 (very hard); ``high_share`` is 5-7."""

    rated: int
    mean: float | None
    median: float | None
    high_share: float | None
    distribution: dict[str, int]


class JourneyMetrics(BaseModel):
    """Per-journey facts from the stored steps and end-of-interview answers."""

    journeys: int
    steps_per_journey: Spread
    total_minutes: Spread
    contacts: EventCount
    repeat_contacts: EventCount
    channel_switches: EventCount
    transfers: EventCount
    handoffs: EventCount
    resolution: Resolution
    effort: Effort
    # How the map's step facts (channel, feeling, duration, pains) were learnt: counts
    # by said / confirmed / inferred / corrected, "unknown" for steps stored before
    # provenance was kept. Shows how much of the map rests on inference.
    facts_by_provenance: dict[str, int] = Field(default_factory=dict)


class PathVariant(BaseModel):
    """A journey's sequence of contact channels (repeats in a row collapsed, no-contact
    steps left out): how many journeys took it and a few of them."""

    path: list[str]
    interviews: int
    share: float
    example_interview_ids: list[str]


class SaturationPoint(BaseModel):
    """Interview ``index`` (1-based, interview order) and the pain points first heard in it."""

    index: int
    interview_id: str
    new_pain_points: list[str]
    cumulative: int


class Saturation(BaseModel):
    """How many new pain points each further interview added, and since when none did."""

    interviews: int
    pain_points: int
    points: list[SaturationPoint]
    window: int
    new_in_window: int
    interviews_since_last_new: int
    statement: str


class SegmentValue(BaseModel):
    """One segment of a comparison, measured on the whole campaign's stages and pain
    points so the segments can be compared cell by cell."""

    value: str
    interviews: int
    steps: int
    stage_shares: dict[str, float]
    stage_feelings: dict[str, float | None]
    pain_shares: dict[str, float]
    top_pain_points: list[str]
    resolution_rate: float | None
    effort_mean: float | None
    folder: str


class Difference(BaseModel):
    """A difference between segments worth a look: ``metric`` of ``subject`` is ``high``
    in ``high_value`` and ``low`` in ``low_value``."""

    metric: str
    subject: str
    high_value: str
    high: float
    low_value: str
    low: float
    gap: float
    text: str


class SegmentComparison(BaseModel):
    key: str
    values: list[SegmentValue]
    differences: list[Difference]


class Analysis(BaseModel):
    """How the analyst named and summarised the map: model, prompt version, spend, and the
    quotes it cited that were not in any transcript (dropped, never shown)."""

    model: str
    prompt_version: str
    calls: int
    failed_calls: int
    cost_usd: float
    dropped_quotes: int
    named_stages: int
    titled_pain_points: int


class JourneyMap(BaseModel):
    """A draft journey map of a campaign's interviews (or one segment of them): stages in
    journey order, ranked pain points, journey metrics, channel paths, saturation, and,
    when the map was split by a participant attribute, the comparison of its segments."""

    schema_version: str = SCHEMA_VERSION
    campaign: str
    segment: dict[str, str] | None = None
    embedder: str
    seed: int
    stages_requested: int | None = None
    interview_count: int
    step_count: int
    # Which interviews the map is drawn from: finished ones only ("completed", the
    # default) or every consenting one ("all": ``partial_interviews`` were unfinished),
    # started within [since, until) when given (ISO 8601, UTC).
    interviews_included: str = "completed"
    partial_interviews: int = 0
    # "all" step facts, or "said_or_confirmed" when inferred ones were left out.
    facts_included: str = "all"
    since: str | None = None
    until: str | None = None
    interview_ids: list[str]
    stages: list[Stage] = Field(default_factory=list)
    # Proposed stages the frame has no place for (frame maps only), for review.
    emerging_stages: list[EmergingStage] = Field(default_factory=list)
    pain_points: list[PainPoint] = Field(default_factory=list)
    opportunities: list[Opportunity] = Field(default_factory=list)
    metrics: JourneyMetrics | None = None
    channel_paths: list[PathVariant] = Field(default_factory=list)
    distinct_channel_paths: int = 0
    saturation: Saturation | None = None
    comparison: SegmentComparison | None = None
    # From the analyst (a language model), when configured: quotes checked verbatim.
    summary: str | None = None
    summary_quotes: list[Quote] = Field(default_factory=list)
    analysis: Analysis | None = None
