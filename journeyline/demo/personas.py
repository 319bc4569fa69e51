"""Demo customers: who they are, what happened to them and how they type.

The types live here; the customers themselves are data, in the YAML files of the
``personas/`` folder next to this module (read by :mod:`journeyline.demo.persona_files`
the first time ``PERSONAS`` or ``DECLINING_PERSONAS`` is used).

Each `Persona` carries two things for every answer: the *truth* (a `Channel`, a feeling
1..5, pains, resolved, effort) and the *phrasing* the customer would type if asked
("rang the 0800 number", "😤", "1h20"). The simulator types the phrasing and clicks the
truth when it uses buttons; benchmarks can score what the bot understood against the
truth. A phrasing of None means "the step text already says it" (channel, feeling) or "no
prepared answer" (the simulator then sends "skip" or clicks "none").

The stories were written for journeyline. A few themes recur on purpose so clustering has
something to find: a chatbot loop before reaching a human, billing errors fixed only on
a second call, repeating the story after a transfer, promised call-backs that never came,
identity checks, wrong items and slow deliveries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from bot.conversation.vocabulary import (
    EFFORT_MAX,
    EFFORT_MIN,
    FEELING_MAX,
    FEELING_MIN,
    Channel,
    Slot,
)

Resolved = Literal["yes", "partly", "no"]


class Style(StrEnum):
    """How a persona types; the simulator picks its stock phrases by style."""

    TERSE = "terse"
    CHATTY = "chatty"
    EMOJI = "emoji"
    TEXTING = "texting"
    FORMAL = "formal"
    BUTTONS = "buttons"
    NON_NATIVE = "non_native"


# Slots a persona may deliberately skip or take back. Consent, playback and next_step
# drive the flow itself, and anything after `anything_else` is the end: undoing or
# skipping those would test the engine's edge cases, not a customer's habits.
_SKIPPABLE = frozenset(
    {
        Slot.THINKING,
        Slot.DURATION,
        Slot.PEOPLE_TOOLS,
        Slot.PAIN,
        Slot.MOMENT_OF_TRUTH,
        Slot.IMPROVEMENT,
    }
)
_BACKABLE = frozenset(
    {
        Slot.PROBLEM,
        Slot.CHANNEL,
        Slot.FEELING,
        Slot.THINKING,
        Slot.DURATION,
        Slot.PEOPLE_TOOLS,
        Slot.PAIN,
        Slot.MOMENT_OF_TRUTH,
        Slot.RESOLVED,
        Slot.EFFORT,
        Slot.IMPROVEMENT,
    }
)
_PAUSABLE = frozenset(Slot) - {Slot.CONSENT, Slot.DONE}


@dataclass(frozen=True)
class PersonaStep:
    """One step of a persona's journey.

    `doing` is typed as the answer to `step` (first step) or `next_step` (later steps).
    `channel`, `feeling`, `minutes` and `pains` are the truth; the `*_answer`, `duration`
    and `pain` strings are how the customer types it when the bot asks.
    """

    doing: str
    channel: Channel
    feeling: int
    channel_answer: str | None = None
    feeling_answer: str | None = None
    thinking: str | None = None
    minutes: int | None = None
    duration: str | None = None
    people_tools: str | None = None
    pains: tuple[str, ...] = ()
    pain: str | None = None

    def __post_init__(self) -> None:
        if not FEELING_MIN <= self.feeling <= FEELING_MAX:
            raise ValueError(f"feeling {self.feeling} outside {FEELING_MIN}..{FEELING_MAX}")
        if self.minutes is not None and self.minutes <= 0:
            raise ValueError("minutes must be positive")


@dataclass(frozen=True)
class Persona:
    """A demo customer and the support journey they will describe.

    `attributes` is the segment data a campaign would import with the participant
    (`segment`, `region`, `plan`, `tenure_years`). `moment_of_truth` is free text or a
    1-based step number. Behaviours: `pause_after_slot` pauses once when that slot is
    first asked; `back_after_slot` answers that slot with `mistaken_answer`, sends "back"
    and answers again properly; `fix_step_in_playback` = (step number, corrected text);
    `skip_slots` are answered with "skip"; `uses_buttons` clicks a matching choice
    whenever one exists. `extra_answers` answers guide questions outside the standard
    slots, keyed by slot name.
    """

    name: str
    domain: str
    style: Style
    attributes: Mapping[str, str | int]
    problem: str
    steps: tuple[PersonaStep, ...]
    moment_of_truth: str | int
    resolved: Resolved
    effort: int
    improvement: str | None = None
    anything_else: str | None = None
    resolved_answer: str | None = None
    effort_answer: str | None = None
    extra_answers: Mapping[str, str] = field(default_factory=dict)
    uses_buttons: bool = False
    pause_after_slot: str | None = None
    back_after_slot: str | None = None
    mistaken_answer: str | None = None
    fix_step_in_playback: tuple[int, str] | None = None
    skip_slots: frozenset[str] = frozenset()
    declines_consent: bool = False

    def __post_init__(self) -> None:
        if len(self.steps) < 2:
            raise ValueError(f"{self.name}: a journey needs at least 2 steps")
        if not EFFORT_MIN <= self.effort <= EFFORT_MAX:
            raise ValueError(f"{self.name}: effort {self.effort} outside 1..7")
        if isinstance(self.moment_of_truth, int) and not 1 <= self.moment_of_truth <= len(
            self.steps
        ):
            raise ValueError(f"{self.name}: moment_of_truth step out of range")
        if self.fix_step_in_playback and not 1 <= self.fix_step_in_playback[0] <= len(self.steps):
            raise ValueError(f"{self.name}: fix_step_in_playback step out of range")
        if (self.back_after_slot is None) != (self.mistaken_answer is None):
            raise ValueError(f"{self.name}: back_after_slot needs a mistaken_answer")
        if self.back_after_slot is not None and self.back_after_slot not in _BACKABLE:
            raise ValueError(f"{self.name}: cannot go back after {self.back_after_slot}")
        if self.pause_after_slot is not None and self.pause_after_slot not in _PAUSABLE:
            raise ValueError(f"{self.name}: cannot pause at {self.pause_after_slot}")
        if not self.skip_slots <= _SKIPPABLE:
            raise ValueError(f"{self.name}: cannot skip {set(self.skip_slots - _SKIPPABLE)}")

    @property
    def segment(self) -> str:
        """The `segment` attribute ("consumer" or "business")."""
        return str(self.attributes["segment"])


PERSONAS: tuple[Persona, ...]
"""The demo customers: 26 consumers, then 12 businesses, all of whom consent
(personas/consumers.yaml, then personas/businesses.yaml). Read on first access."""

DECLINING_PERSONAS: tuple[Persona, ...]
"""Extra customers who decline consent, for exercising the decline path; not in PERSONAS
(personas/declining.yaml). Read on first access."""

# Which files make up each collection, in order.
_FILES: dict[str, tuple[str, ...]] = {
    "PERSONAS": ("consumers", "businesses"),
    "DECLINING_PERSONAS": ("declining",),
}


def __getattr__(name: str) -> tuple[Persona, ...]:
    # PEP 562: PERSONAS and DECLINING_PERSONAS are read from YAML when first used, so
    # importing the types (the simulator, the CLI) reads nothing.
    if name in _FILES:
        return _collections()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _collections() -> dict[str, tuple[Persona, ...]]:
    """Every collection, read once per process."""
    # Imported here: the reader imports this module's types.
    from journeyline.demo.persona_files import read_collections

    folder = Path(str(resources.files("journeyline.demo").joinpath("personas")))
    return read_collections(folder, _FILES)


def persona_by_name(name: str) -> Persona:
    """Return the persona called `name` (from `PERSONAS` or `DECLINING_PERSONAS`)."""
    collections = _collections()
    for persona in (*collections["PERSONAS"], *collections["DECLINING_PERSONAS"]):
        if persona.name == name:
            return persona
    raise KeyError(name)
