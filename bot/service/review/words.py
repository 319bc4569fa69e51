"""Edits in words, for the log, the history and the conflict message: "Renamed stage
Waiting to On hold", "Moved step 3 of interview 1a2b3c4d to Waiting"."""

from __future__ import annotations

from collections.abc import Mapping

from synthesis.curation.edits import Edit, step_key

LABELS = {"stage": "stage", "pain": "pain point", "emerging": "emerging stage"}


def _label(kind: str) -> str:
    return LABELS.get(kind, kind)


def describe(edit: Edit, names: Mapping[tuple[str, str], str]) -> str:
    """What ``edit`` does, naming cells by ``names[(kind, id)]`` where known."""

    def name(kind: str, item_id: str) -> str:
        known = names.get((kind, item_id))
        return f"“{known}” ({item_id})" if known and known != item_id else item_id

    kind, target, payload = edit.target_kind, edit.target_id, edit.payload
    if edit.kind == "rename":
        parts = []
        if "name" in payload:
            parts.append(f"renamed {_label(kind)} {target} to “{payload['name']}”")
        if "description" in payload:
            parts.append(f"described {_label(kind)} {target}")
        text = " and ".join(parts)
    elif edit.kind == "merge":
        text = f"merged {_label(kind)} {name(kind, target)} into {name(kind, str(payload['into']))}"
    elif edit.kind == "split":
        count = len(payload.get("steps", []))
        text = (
            f"split {count} step{'s' if count != 1 else ''} off {_label(kind)} "
            f"{name(kind, target)} as “{payload['name']}”"
        )
    elif edit.kind == "move":
        interview, ordinal = step_key(target)
        text = (
            f"moved step {ordinal} of interview {interview[:8]} to stage "
            f"{name('stage', str(payload['to']))}"
        )
    elif edit.kind == "decide":
        text = f"{payload['decision']} {_label(kind)} {name(kind, target)}"
    else:
        text = f"pinned a key quote to {_label(kind)} {name(kind, target)}"
    return text[:1].upper() + text[1:]
