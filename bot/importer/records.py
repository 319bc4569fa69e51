"""The import record: one interview done elsewhere, one JSON object per line.

Documented for users in docs/import-format.md; keep the two in step. Unknown fields are
rejected (a typo must not silently drop data).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from bot.conversation.vocabulary import EFFORT_MAX, EFFORT_MIN


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError("needs a time zone, e.g. 2026-11-03T14:05:00Z")
    return value


AwareDatetime = Annotated[datetime | None, AfterValidator(_aware)]
Text = Annotated[str, Field(min_length=1, max_length=20_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ParticipantRecord(_Strict):
    id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    name: Annotated[str, Field(max_length=200)] | None = None
    email: Annotated[str, Field(max_length=320)] | None = None


class StepRecordIn(_Strict):
    """A structured step: what the customer did and what the other tool recorded of it."""

    doing: Text
    channel: str | None = None
    feeling: int | str | None = None
    thinking: str | None = None
    duration_minutes: Annotated[int, Field(ge=0, le=10**7)] | None = None
    duration: str | None = None
    people: list[str] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list)
    pains: list[str] = Field(default_factory=list)
    pain_text: str | None = None
    moment_of_truth: bool = False


class TurnRecord(_Strict):
    """One question and the customer's answer to it. ``slot`` names what the question
    asked (a bot slot such as ``channel``); without it the question's words decide."""

    question: str | None = None
    answer: Text
    slot: str | None = None


class ImportRecord(_Strict):
    external_id: Annotated[str, Field(min_length=1, max_length=200)]
    campaign: str | None = None
    participant: ParticipantRecord | None = None
    attributes: dict[str, str | int | float | bool] = Field(default_factory=dict)
    started_at: AwareDatetime = None
    completed_at: AwareDatetime = None
    problem: str | None = None
    steps: list[StepRecordIn] | None = Field(default=None, min_length=1, max_length=50)
    turns: list[TurnRecord] | None = Field(default=None, min_length=1, max_length=500)
    moment_of_truth: str | None = None
    moment_of_truth_step: Annotated[int, Field(ge=1)] | None = None
    resolved: str | None = None
    effort: Annotated[int, Field(ge=EFFORT_MIN, le=EFFORT_MAX)] | None = None
    improvement: str | None = None
    anything_else: str | None = None
    # The customer asked, with their consent, to hear what the company changes.
    hear_back: bool = False

    @model_validator(mode="after")
    def _one_shape(self) -> ImportRecord:
        if (self.steps is None) == (self.turns is None):
            raise ValueError("give either 'steps' or 'turns' (exactly one of them)")
        return self


def describe_errors(errors: list[Any]) -> str:
    """Pydantic's errors as one readable line: ``steps.2.feeling: ...; external_id: ...``."""
    parts = []
    for error in errors:
        where = ".".join(str(p + 1) if isinstance(p, int) else str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)
