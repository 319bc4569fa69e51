"""A reviewer's edit of a map, as the curation layer stores and applies it.

Every edit names its target by an id that stays the same from run to run of a series
(a stage, pain-point, opportunity or emerging-stage id, see ``synthesis.id_matching``;
a step as interview public id + ordinal, ``"ID#3"``), so the layer of edits can be
applied again to the next run.

| kind | targets | payload |
|---|---|---|
| ``rename`` | stage, pain | ``name`` and/or ``description`` |
| ``merge`` | stage, pain | ``into``: the id it joins |
| ``split`` | stage, pain | ``steps``: the step keys that leave, ``name`` of the new one |
| ``move`` | step | ``to``: the stage id |
| ``decide`` | pain, emerging, opportunity | ``decision``: ``accepted`` or ``rejected`` |
| ``pin`` | stage, pain, opportunity | ``message_id``, ``interview_id``, ``step`` |

(A pinned quote's ``step`` is 0 for an answer about the whole interview.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

EditKind = Literal["rename", "merge", "split", "move", "decide", "pin"]
TargetKind = Literal["stage", "pain", "emerging", "opportunity", "step"]
Decision = Literal["accepted", "rejected"]
EDIT_KINDS: tuple[EditKind, ...] = ("rename", "merge", "split", "move", "decide", "pin")
TARGETS: dict[EditKind, tuple[TargetKind, ...]] = {
    "rename": ("stage", "pain"),
    "merge": ("stage", "pain"),
    "split": ("stage", "pain"),
    "move": ("step",),
    "decide": ("pain", "emerging", "opportunity"),
    "pin": ("stage", "pain", "opportunity"),
}
DECISIONS: tuple[Decision, ...] = ("accepted", "rejected")
MAX_NAME = 120
MAX_DESCRIPTION = 1000
MAX_SPLIT_STEPS = 10_000
# Ids of what reviewers make: a stage split off another (``RS12``) and a pain point split
# off another (``RP13``), numbered by the edit that made them, so they never collide
# with the ids synthesis hands out (S, P, O, E, or a frame's stage ids).
SPLIT_STAGE_PREFIX = "RS"
SPLIT_PAIN_PREFIX = "RP"

StepKey = tuple[str, int]


class InvalidEdit(ValueError):
    """An edit that cannot be made as given: the message says why, for the person."""


@dataclass(frozen=True)
class Edit:
    """One stored edit. ``id`` orders the layer (edits apply oldest first)."""

    id: int
    kind: EditKind
    target_kind: TargetKind
    target_id: str
    payload: Mapping[str, Any]
    reason: str = ""
    author: str = ""
    created_at: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def split_id(self) -> str:
        """The id of the stage or pain point a split makes."""
        prefix = SPLIT_STAGE_PREFIX if self.target_kind == "stage" else SPLIT_PAIN_PREFIX
        return f"{prefix}{self.id}"


def step_key(text: str) -> StepKey:
    """``"ID#3"`` -> ``("ID", 3)`` (:class:`InvalidEdit` for anything else)."""
    interview, sep, ordinal = text.rpartition("#")
    if not sep or not interview or not ordinal.isdigit() or int(ordinal) < 1:
        raise InvalidEdit(f"{text[:60]!r} is not a step (interview id#step number).")
    return interview, int(ordinal)


def step_text(key: StepKey) -> str:
    return f"{key[0]}#{key[1]}"


def check_shape(
    kind: str, target_kind: str, target_id: str, payload: Mapping[str, Any]
) -> tuple[EditKind, TargetKind, dict[str, Any]]:
    """The edit's kind, target kind and payload, checked and cleaned (names trimmed,
    steps as ``"ID#n"`` texts, numbers as ints); :class:`InvalidEdit` if they do not fit
    together. Whether the target exists is checked against a map, elsewhere."""
    if kind not in EDIT_KINDS:
        raise InvalidEdit(f"There is no kind of edit called {kind[:40]!r}.")
    edit_kind = kind
    if target_kind not in TARGETS[edit_kind]:
        raise InvalidEdit(f"A {kind} edit cannot be made to a {target_kind[:40]}.")
    target = target_kind
    if not target_id.strip():
        raise InvalidEdit("Say what the edit is about.")
    cleaned: dict[str, Any] = {}
    if edit_kind == "rename":
        name = _text(payload.get("name"), MAX_NAME)
        description = _text(payload.get("description"), MAX_DESCRIPTION)
        if name is None and description is None:
            raise InvalidEdit("Give a new name or a description.")
        if name is not None:
            cleaned["name"] = name
        if description is not None:
            cleaned["description"] = description
    elif edit_kind == "merge":
        into = str(payload.get("into") or "").strip()
        if not into:
            raise InvalidEdit(f"Choose the {target_kind} to merge it into.")
        if into == target_id:
            raise InvalidEdit(f"A {target_kind} cannot be merged into itself.")
        cleaned["into"] = into
    elif edit_kind == "split":
        steps = payload.get("steps") or []
        if isinstance(steps, str):
            steps = [steps]
        keys = list(dict.fromkeys(step_key(str(s)) for s in steps))
        if not keys:
            raise InvalidEdit("Tick the steps that should form the new one.")
        if len(keys) > MAX_SPLIT_STEPS:
            raise InvalidEdit(f"Split at most {MAX_SPLIT_STEPS} steps at once.")
        name = _text(payload.get("name"), MAX_NAME)
        if name is None:
            raise InvalidEdit("Name the new one.")
        cleaned["steps"] = [step_text(k) for k in keys]
        cleaned["name"] = name
    elif edit_kind == "move":
        step_key(target_id)
        to = str(payload.get("to") or "").strip()
        if not to:
            raise InvalidEdit("Choose the stage to move the step to.")
        cleaned["to"] = to
    elif edit_kind == "decide":
        decision = str(payload.get("decision") or "")
        if decision not in DECISIONS:
            raise InvalidEdit("Accept or reject it.")
        cleaned["decision"] = decision
    else:  # pin
        try:
            message_id = int(payload.get("message_id") or 0)
            step = int(payload.get("step") or 0)
        except (TypeError, ValueError):
            raise InvalidEdit("That quote cannot be pinned.") from None
        interview = str(payload.get("interview_id") or "").strip()
        if message_id < 1 or step < 0 or not interview:
            raise InvalidEdit("That quote cannot be pinned.")
        cleaned.update({"message_id": message_id, "interview_id": interview, "step": step})
    return edit_kind, target, cleaned


def _text(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split()) if limit == MAX_NAME else str(value).strip()
    if not text:
        return None
    if len(text) > limit:
        raise InvalidEdit(f"Keep it under {limit} characters.")
    return text
