"""A guide's journey-map stage frame: the stages (phases) a map is drawn in, as data.

Journey-mapping practice sets the stages first and lets research fill the lanes. The
guide declares them under ``map.stages``, keyed by id so that a guide which ``extends:``
another can change one stage (its name, words, position) and keep the rest, add a
stage, or drop one with ``stage_id: null``. Synthesis places steps in these stages
(``synthesis.frame_assignment``); the interview itself never reads them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.conversation.vocabulary import Channel, Pain

_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class FrameStage(BaseModel):
    """One stage of the frame. ``position`` (0 = start of a journey, 1 = its end) orders
    the stages and says where a stage usually falls; ``cues`` are words or phrases that
    place a step here (a trailing ``*`` matches any ending); ``channels``, ``pains`` and
    ``feelings`` (1 = very bad .. 5 = great) are step facts that point here (a step that
    felt good is more often the fix than the queue before it), and so is a step that took
    at least ``min_duration_minutes`` (a step that lasted days is mostly waiting);
    ``may_repeat``: the stage
    may hold several steps in a row and come back later in one journey at no cost (wait,
    explain, wait again); other stages come back at a small cost (chased, then
    resolved)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(min_length=1, max_length=400)
    position: float = Field(ge=0.0, le=1.0)
    examples: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    pains: tuple[str, ...] = ()
    feelings: tuple[int, ...] = ()
    min_duration_minutes: int | None = Field(default=None, ge=1)
    may_repeat: bool = False

    @field_validator("id")
    @classmethod
    def _id_like(cls, value: str) -> str:
        if not _ID_PATTERN.match(value):
            raise ValueError("must be lower_snake_case, start with a letter, at most 40 chars")
        return value

    @field_validator("cues", "examples")
    @classmethod
    def _no_blank(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not text.strip() for text in value):
            raise ValueError("must not contain empty entries")
        return value

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - {c.value for c in Channel})
        if unknown:
            raise ValueError(f"unknown channels: {', '.join(unknown)}")
        return value

    @field_validator("feelings")
    @classmethod
    def _feeling_scale(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        bad = [f for f in value if not 1 <= f <= 5]
        if bad:
            raise ValueError(f"feelings are 1 (very bad) to 5 (great), not {bad}")
        return value

    @field_validator("pains")
    @classmethod
    def _known_pains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Guides may add pains (extra_pains); the starting taxonomy is checked here and
        # the rest is accepted as lower_snake_case keys.
        bad = [p for p in value if p not in {x.value for x in Pain} and not _ID_PATTERN.match(p)]
        if bad:
            raise ValueError(f"not pain keys: {', '.join(bad)}")
        return value


class MapFrame(BaseModel):
    """The stages of the guide's journey map, in journey order (by ``position``, then
    as written)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: str = Field(default="en", min_length=2, max_length=16)
    stages: tuple[FrameStage, ...] = Field(min_length=2, max_length=20)

    @model_validator(mode="before")
    @classmethod
    def _stages_by_id(cls, data: Any) -> Any:
        """YAML writes the stages as a mapping id -> stage (so ``extends:`` can change one);
        a stage set to null is removed."""
        if not isinstance(data, Mapping):
            return data
        stages = data.get("stages")
        if not isinstance(stages, Mapping):
            return data
        listed = []
        for stage_id, body in stages.items():
            if body is None:
                continue
            if not isinstance(body, Mapping):
                raise ValueError(f"stages.{stage_id}: must be a mapping")
            listed.append({"id": stage_id, **body})
        listed.sort(key=lambda stage: _position_of(stage))
        return {**data, "stages": listed}

    @field_validator("stages")
    @classmethod
    def _unique_ids(cls, value: tuple[FrameStage, ...]) -> tuple[FrameStage, ...]:
        ids = [stage.id for stage in value]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate stage ids: {', '.join(duplicates)}")
        return value

    def stage(self, stage_id: str) -> FrameStage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    def as_yaml_data(self) -> dict[str, Any]:
        """The frame as the guide YAML writes it (stages keyed by id)."""
        return {
            "language": self.language,
            "stages": {s.id: s.model_dump(mode="json", exclude={"id"}) for s in self.stages},
        }


def _position_of(stage: Mapping[str, Any]) -> float:
    position = stage.get("position")
    return float(position) if isinstance(position, int | float) else 0.0
