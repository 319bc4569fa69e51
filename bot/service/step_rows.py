"""The engine's journey steps as the rows storage keeps, for every writer of steps (the
turn, the importer)."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.conversation.state import StepDraft
from storage.queries import StepRecordData

_FIELDS = tuple(field.name for field in dataclasses.fields(StepRecordData))


def step_record(step: StepDraft) -> StepRecordData:
    """The step as a storage row (same field names; lists frozen to tuples)."""
    values: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(step, name)
        if isinstance(value, list):
            value = tuple(value)
        elif isinstance(value, dict):
            value = {str(key): str(kind) for key, kind in value.items()}
        values[name] = value
    return StepRecordData(**values)
