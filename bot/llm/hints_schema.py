"""What the interviewer model must return, validated before the engine sees any of it."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.conversation.vocabulary import Channel, Pain

ACK_MAX_CHARS = 160
PROBE_MAX_CHARS = 160
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")


class ListenOutput(BaseModel):
    """What one customer answer says."""

    # Field descriptions live in the prompt, once: repeating them in the tool schema
    # would send them twice with every call.
    model_config = ConfigDict(extra="ignore")

    channel: Channel | None = None
    feeling: int | None = Field(default=None, ge=1, le=5)
    duration_minutes: int | None = Field(default=None, ge=0, le=10_000_000)
    people: list[str] = Field(default_factory=list, max_length=10)
    tools: list[str] = Field(default_factory=list, max_length=10)
    pains: list[str] = Field(default_factory=list, max_length=10)
    ended: bool = False
    language: str = "en"
    on_topic: bool = True
    acknowledgement: str | None = None
    probe: str | None = None

    @field_validator("people", "tools")
    @classmethod
    def _short_names(cls, values: list[str]) -> list[str]:
        return [v.strip().lower()[:60] for v in values if v and v.strip()]

    @field_validator("language")
    @classmethod
    def _language_code(cls, value: str) -> str:
        value = (value or "en").strip()
        return value.lower() if _LANGUAGE.match(value) else "en"


def known_pains(extra: tuple[str, ...] = ()) -> frozenset[str]:
    """Pain keys the model may report: the built-in taxonomy plus a guide's extras."""
    return frozenset({p.value for p in Pain} | set(extra))


class TranslationOutput(BaseModel):
    """The texts translated, in the same order."""

    model_config = ConfigDict(extra="ignore")

    texts: list[str]
