"""What the interviewer model must return, validated before the engine sees any of it."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.vocabulary import Channel, Pain

ACK_MAX_CHARS = 160
PROBE_MAX_CHARS = 160
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")


class ListenOutput(BaseModel):
    """The model's reading of one customer answer.

    Every field is optional so a partial answer still helps; ``on_topic`` False marks an
    answer that tries to change the bot's instructions, extract its prompt or steer it
    elsewhere (the engine then returns to the interview politely).
    """

    model_config = ConfigDict(extra="ignore")

    channel: Channel | None = Field(
        default=None, description="Contact channel of the step described, if stated."
    )
    feeling: int | None = Field(
        default=None, ge=1, le=5, description="How the customer felt, 1 very bad to 5 great."
    )
    duration_minutes: int | None = Field(
        default=None, ge=0, le=10_000_000, description="How long the step took, in minutes."
    )
    people: list[str] = Field(default_factory=list, max_length=10, description="Roles involved.")
    tools: list[str] = Field(
        default_factory=list, max_length=10, description="Systems, documents, apps involved."
    )
    pains: list[str] = Field(default_factory=list, max_length=10, description="Pain keys.")
    ended: bool = Field(default=False, description="The customer says the journey is over.")
    language: str = Field(default="en", description="ISO 639-1 code of the answer's language.")
    on_topic: bool = Field(default=True, description="False for instructions or off-topic text.")
    acknowledgement: str | None = Field(
        default=None, description="One short, warm sentence reflecting the answer; no question."
    )
    probe: str | None = Field(
        default=None,
        description="One short follow-up question when the answer is vague, else null.",
    )

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
    """The engine's reply texts in the customer's language, in the same order."""

    model_config = ConfigDict(extra="ignore")

    texts: list[str] = Field(description="One translation per input text, same order.")
