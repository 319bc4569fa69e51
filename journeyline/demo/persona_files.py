"""The demo persona files (``journeyline/demo/personas/*.yaml``): their shape and reader.

A file maps each persona's name to its fields, as documented on
:class:`journeyline.demo.personas.Persona`. The models here check the shape and the
value ranges; the dataclasses then check how fields relate (a ``back_after_slot`` needs
a ``mistaken_answer``, a step number must exist, ...). Either kind of problem raises
:class:`PersonaFileError`, naming the file and the persona.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, StrictBool, StrictInt, StrictStr

from bot.conversation.vocabulary import (
    EFFORT_MAX,
    EFFORT_MIN,
    FEELING_MAX,
    FEELING_MIN,
    Channel,
    Pain,
    Slot,
)
from bot.data_files import DataFileError, read_data_file
from journeyline.demo.personas import Persona, PersonaStep, Style

Feeling = Annotated[int, Field(strict=True, ge=FEELING_MIN, le=FEELING_MAX)]


class PersonaFileError(DataFileError):
    """A persona file is missing or invalid. The message names the file and the persona."""

    kind = "persona file"


class _Model(BaseModel):
    # defer_build: the schema is built when a file is first read, not at import.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class StepFields(_Model):
    """One step, as written in a persona file (see :class:`PersonaStep`)."""

    doing: StrictStr
    channel: Channel
    feeling: Feeling
    channel_answer: StrictStr | None = None
    feeling_answer: StrictStr | None = None
    thinking: StrictStr | None = None
    minutes: Annotated[int, Field(strict=True, gt=0)] | None = None
    duration: StrictStr | None = None
    people_tools: StrictStr | None = None
    pains: tuple[Pain, ...] = ()
    pain: StrictStr | None = None


class PlaybackFix(_Model):
    """``fix_step_in_playback``: which step to correct (1-based) and the corrected text."""

    step: StrictInt
    text: StrictStr


class PersonaFields(_Model):
    """One persona, as written in a persona file (see :class:`Persona`); no name, it is
    the key."""

    domain: StrictStr
    style: Style
    attributes: dict[str, StrictStr | StrictInt]
    problem: StrictStr
    steps: tuple[StepFields, ...]
    moment_of_truth: StrictInt | StrictStr
    resolved: Literal["yes", "partly", "no"]
    effort: Annotated[int, Field(strict=True, ge=EFFORT_MIN, le=EFFORT_MAX)]
    improvement: StrictStr | None = None
    anything_else: StrictStr | None = None
    resolved_answer: StrictStr | None = None
    effort_answer: StrictStr | None = None
    extra_answers: dict[str, StrictStr] = Field(default_factory=dict)
    uses_buttons: StrictBool = False
    pause_after_slot: Slot | None = None
    back_after_slot: Slot | None = None
    mistaken_answer: StrictStr | None = None
    fix_step_in_playback: PlaybackFix | None = None
    skip_slots: tuple[Slot, ...] = ()
    declines_consent: StrictBool = False


class PersonaFile(RootModel[dict[str, PersonaFields]]):
    """A whole persona file: name -> persona, in the order the demo runs them."""

    model_config = ConfigDict(frozen=True, defer_build=True)


def read_collections(
    folder: Path, files: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[Persona, ...]]:
    """Read each collection from its files (``name -> file stems``, in order) in ``folder``.

    A persona name used twice, in one file or across files, is an error.
    """
    collections: dict[str, tuple[Persona, ...]] = {}
    seen: dict[str, Path] = {}
    for collection, stems in files.items():
        personas: list[Persona] = []
        for stem in stems:
            path = folder / f"{stem}.yaml"
            for persona in read_persona_file(path):
                if persona.name in seen:
                    problem = f"{persona.name}: already defined in {seen[persona.name]}"
                    raise PersonaFileError(str(path), [problem])
                seen[persona.name] = path
                personas.append(persona)
        collections[collection] = tuple(personas)
    return collections


def read_persona_file(path: Path) -> tuple[Persona, ...]:
    """The personas of the file at ``path``, in file order.

    Raises :class:`PersonaFileError` when the file is unreadable, is not YAML, repeats
    a key, does not fit the models, or breaks a rule of the dataclasses.
    """
    parsed = read_data_file(path, PersonaFile, error=PersonaFileError)
    personas = []
    for name, fields in parsed.root.items():
        try:
            personas.append(_persona(name, fields))
        except ValueError as problem:
            message = str(problem)
            where = message if message.startswith(f"{name}:") else f"{name}: {message}"
            raise PersonaFileError(str(path), [where]) from None
    return tuple(personas)


def _persona(name: str, fields: PersonaFields) -> Persona:
    fix = fields.fix_step_in_playback
    data = fields.model_dump(exclude={"steps", "fix_step_in_playback", "skip_slots"})
    return Persona(
        name=name,
        steps=tuple(PersonaStep(**step.model_dump()) for step in fields.steps),
        fix_step_in_playback=None if fix is None else (fix.step, fix.text),
        skip_slots=frozenset(fields.skip_slots),
        **data,
    )
