"""The journey map as data: what every renderer reads and the JSON schema documents.

Bump ``SCHEMA_VERSION`` on any change a reader of the JSON would notice.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

SCHEMA_VERSION = "1"


class StepRef(BaseModel):
    """One stored step: the interview's public id and the step's 1-based ordinal."""

    interview_id: str
    ordinal: int


class Quote(BaseModel):
    """A customer's message, verbatim, and where it is stored."""

    text: str
    interview_id: str
    message_id: int
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


class MomentOfTruth(BaseModel):
    interview_id: str
    ordinal: int
    text: str | None


class Stage(BaseModel):
    id: str
    name: str
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
    # A researcher-style paragraph from the analyst (a language model), when configured.
    summary: str | None = None


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
    summary: str | None = None


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
    schema_version: str = SCHEMA_VERSION
    campaign: str
    segment: dict[str, str] | None = None
    embedder: str
    seed: int
    stages_requested: int | None = None
    interview_count: int
    step_count: int
    interview_ids: list[str]
    stages: list[Stage] = Field(default_factory=list)
    pain_points: list[PainPoint] = Field(default_factory=list)
    summary: str | None = None
    summary_quotes: list[Quote] = Field(default_factory=list)
    analysis: Analysis | None = None
