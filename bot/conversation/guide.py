"""Interview guides: YAML data under `prompts/guides/`, validated on load.

A guide holds every question the bot asks and the knobs a researcher may turn without
code (company name, step cap, extra questions, extra pain categories). A custom guide
names a base with `extends:` and overrides only what it changes.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.conversation.map_frame import MapFrame
from bot.conversation.messages import Choice
from bot.conversation.vocabulary import Pain, Slot

DEFAULT_GUIDE = "support_journey"
PLACEHOLDERS = frozenset({"company", "n", "max_chars", "facts"})
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def check_placeholders(value: str) -> str:
    """Reject empty texts and placeholders the engine cannot fill (a typo would crash later)."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(value)]
    except ValueError as error:  # unbalanced braces
        raise ValueError(f"bad braces: {error}") from None
    for name in fields:
        if name is not None and name not in PLACEHOLDERS:
            allowed = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))
            raise ValueError(f"unknown placeholder {{{name}}}; allowed: {allowed}")
    if not value.strip():
        raise ValueError("must not be empty")
    return value


class GuideError(ValueError):
    """A guide file is missing or invalid. The message names the file and the field."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        details = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"invalid interview guide {source}:\n{details}")


class GuideTexts(BaseModel):
    """Every sentence the bot can say. Placeholders: {company}, {n}, {max_chars}, {facts}."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    intro: str
    consent: str
    consent_reask: str
    consent_declined: str
    problem: str
    step_first: str
    channel: str
    channel_reask: str
    feeling: str
    feeling_reask: str
    thinking: str
    duration: str
    duration_reask: str
    channel_and_duration: str = (
        "How were you in touch with {company} for that, and roughly how long did it take?"
    )
    people_tools: str
    pain: str
    next_step: str
    confirm: str = "Here's what I noted for that step: {facts}. Did I get that right?"
    confirm_reask: str = (
        'Is that right? Tap "Yes", or tell me what to change (for example "it was by email").'
    )
    confirm_fixed: str = "Thanks, I've changed that: {facts}."
    clarify_nothing: str = "Do you mean nothing happened for a while, or was that the end of it?"
    nothing_for_a_while: str = "Nothing happened for a while."
    confirm_moment: str = 'Do you mean step {n}: "{facts}"?'
    step_cap_reached: str
    playback_intro: str
    playback: str
    playback_which: str
    playback_fix: str
    playback_fixed: str
    moment_of_truth: str
    resolved: str
    resolved_reask: str
    effort: str
    effort_reask: str
    improvement: str
    anything_else: str
    done: str
    already_finished: str
    help: str
    paused: str
    resumed: str
    undone: str
    nothing_to_undo: str
    cannot_skip_consent: str
    stale_choice: str
    empty_message: str
    too_long: str
    acknowledge: str
    # Said when an answer tries to instruct the bot instead of answering (LLM mode).
    off_topic: str = "I'm only here to hear about your support experience, so let's stay with that."
    # The playback's question while the make-or-break moment is still to ask: one message
    # confirms the journey and names the moment (a step's button or the customer's words).
    playback_moment: str = (
        "Did I get that right? If so: looking back, which step was the make-or-break moment,"
        " the point where it could have gone either way? Tap it, or tell me in your own words."
    )

    @field_validator("*")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        return check_placeholders(value)


class ExtraQuestion(BaseModel):
    """A researcher's own question, asked after `improvement` and before `anything_else`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    text: str = Field(min_length=1)
    choices: tuple[Choice, ...] = ()

    @field_validator("text")
    @classmethod
    def _text_placeholders(cls, value: str) -> str:
        return check_placeholders(value)

    @field_validator("id")
    @classmethod
    def _slot_like_id(cls, value: str) -> str:
        if not _ID_PATTERN.match(value):
            raise ValueError("must be lower_snake_case, start with a letter, at most 40 chars")
        if value in {slot.value for slot in Slot}:
            raise ValueError(f"{value!r} is a built-in slot name; choose another id")
        return value


class ExtraPain(BaseModel):
    """A pain category beyond the starting taxonomy, recognised by keyword phrases."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    label: str
    keywords: tuple[str, ...] = Field(min_length=1)

    @field_validator("key")
    @classmethod
    def _new_key(cls, value: str) -> str:
        if not _ID_PATTERN.match(value):
            raise ValueError("must be lower_snake_case, start with a letter, at most 40 chars")
        if value in {pain.value for pain in Pain}:
            raise ValueError(f"{value!r} is already in the starting pain taxonomy")
        return value


class Guide(BaseModel):
    """A validated interview guide."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: str = Field(min_length=1)
    company: str = Field(min_length=1, max_length=120)
    step_cap: int = Field(ge=1, le=20)
    max_reasks: int = Field(ge=0, le=3)
    # When to ask "what was going through your mind?": at the moments that shape a journey
    # map's thinking lane (the first step, a feeling at either end of the scale, a feeling
    # that swung), or after every step. Every step costs about three more messages per
    # interview (`bench.interview_accuracy`).
    ask_thinking: Literal["key_moments", "every_step"] = "key_moments"
    # Ask how they were in touch and how long it took in one message (`channel_and_duration`);
    # about four messages fewer per interview (`bench.interview_accuracy`). A click on a
    # channel button answers the channel alone, and the length is then asked on its own.
    ask_channel_with_duration: bool = True
    texts: GuideTexts
    extra_questions: tuple[ExtraQuestion, ...] = ()
    extra_pains: tuple[ExtraPain, ...] = ()
    # The journey map's stage frame (``bot.conversation.map_frame``); None: synthesis
    # discovers stages by clustering instead.
    map: MapFrame | None = None

    @field_validator("extra_questions")
    @classmethod
    def _unique_question_ids(cls, value: tuple[ExtraQuestion, ...]) -> tuple[ExtraQuestion, ...]:
        ids = [question.id for question in value]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate question ids: {', '.join(duplicates)}")
        return value

    def say(self, key: str, **values: object) -> str:
        """The text `key` with placeholders filled ({company} always available)."""
        return self.fill(getattr(self.texts, key), **values)

    def fill(self, template: str, **values: object) -> str:
        """Fill a guide text's placeholders; ones not given are left visible, never raised."""
        known: dict[str, object] = {name: "{" + name + "}" for name in PLACEHOLDERS}
        known.update(company=self.company, **values)
        return template.format(**known)

    def extra_pain_keywords(self) -> dict[str, tuple[str, ...]]:
        return {pain.key: pain.keywords for pain in self.extra_pains}

    def extra_question(self, question_id: str) -> ExtraQuestion | None:
        return next((q for q in self.extra_questions if q.id == question_id), None)


def builtin_guide_path(name: str) -> Path:
    """Where the packaged guide `name` lives (raises GuideError when there is none)."""
    if not _ID_PATTERN.match(name):
        raise GuideError(name, ["guide names are lower_snake_case, like 'support_journey'"])
    path = Path(str(resources.files("prompts").joinpath("guides", f"{name}.yaml")))
    if not path.is_file():
        raise GuideError(name, [f"no built-in guide named {name!r} (looked for {path})"])
    return path


def load_guide(name_or_path: str | Path = DEFAULT_GUIDE) -> Guide:
    """Load and validate a guide by built-in name or by file path.

    A file may say `extends: <built-in name or relative path>`; its keys are merged over
    the base (mappings merge key by key, everything else replaces). Errors name the file
    and the dotted field path.
    """
    data, source = _resolve(name_or_path, seen=())
    return guide_from_mapping(data, source=source)


def customised_guide(
    text: str, *, base: str = DEFAULT_GUIDE, source: str = "<customisation>"
) -> Guide:
    """A guide from a researcher's customisation typed in the console: YAML whose
    ``extends:`` names a built-in guide, merged as :func:`load_guide` merges a file; text
    without ``extends:`` is a whole guide of its own (such as the resolved guide a
    campaign stores). File paths are refused: text from a web form must not read files
    on the server. An empty text is the built-in guide ``base``."""
    if not text.strip():
        return load_guide(base)
    data = _parse_yaml(text, source)
    if "extends" not in data:
        return guide_from_mapping(data, source=source)
    base_ref = data.pop("extends")
    if not isinstance(base_ref, str) or not _ID_PATTERN.match(base_ref):
        raise GuideError(source, ["extends: must name a built-in guide such as 'support_journey'"])
    base_data, _ = _resolve(builtin_guide_path(base_ref), seen=())
    return guide_from_mapping(_merge(base_data, data), source=source)


def guide_from_mapping(data: Mapping[str, Any], *, source: str) -> Guide:
    """Validate an already-merged guide mapping (e.g. a campaign's stored guide)."""
    try:
        return Guide.model_validate(dict(data))
    except ValidationError as error:
        problems = []
        for issue in error.errors():
            field = ".".join(str(part) for part in issue["loc"]) or "(top level)"
            problems.append(f"{field}: {issue['msg']}")
        raise GuideError(source, problems) from None


def load_guide_text(text: str, *, source: str = "<stored guide>") -> Guide:
    """Validate a guide from YAML text, e.g. the resolved guide stored with a campaign."""
    return guide_from_mapping(_parse_yaml(text, source), source=source)


def resolved_guide_yaml(guide: Guide) -> str:
    """The guide as one self-contained YAML document (stored with each campaign)."""
    data = guide.model_dump(mode="json")
    if guide.map is not None:
        # Stages keyed by id, as guides write them, so the stored guide loads back.
        data["map"] = guide.map.as_yaml_data()
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _resolve(name_or_path: str | Path, *, seen: tuple[Path, ...]) -> tuple[dict[str, Any], str]:
    path = _locate(name_or_path)
    if path in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise GuideError(str(path), [f"extends: circular chain {chain}"])
    data = _parse_yaml(_read(path), str(path))
    base_ref = data.pop("extends", None)
    if base_ref is None:
        return data, str(path)
    if not isinstance(base_ref, str):
        raise GuideError(str(path), ["extends: must be a guide name or a file path"])
    base_target: str | Path = base_ref
    if "/" in base_ref or base_ref.endswith((".yaml", ".yml")):
        base_target = (path.parent / base_ref).resolve()
    base, _ = _resolve(base_target, seen=(*seen, path))
    return _merge(base, data), str(path)


def _locate(name_or_path: str | Path) -> Path:
    if isinstance(name_or_path, Path) or name_or_path.endswith((".yaml", ".yml")):
        path = Path(name_or_path).expanduser().resolve()
        if not path.is_file():
            raise GuideError(str(path), ["file not found"])
        return path
    return builtin_guide_path(name_or_path)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise GuideError(str(path), [f"cannot read: {error}"]) from None


def _parse_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise GuideError(source, [f"not valid YAML: {error}"]) from None
    if not isinstance(data, dict):
        raise GuideError(source, ["(top level): must be a mapping of keys to values"])
    return data


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
