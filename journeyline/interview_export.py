"""Interviews as plain data: one JSON document each, or flat CSV tables.

The JSON shape is the export contract (`schema_version`); CSV files are for
spreadsheets: one row per interview, per step, per message.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from storage.files import private_folder, write_private
from storage.models import Interview, Message, StepRecord

SCHEMA_VERSION = 1
INTERVIEW_COLUMNS = (
    "interview_id", "campaign", "participant", "channel", "status", "consent", "started_at",
    "completed_at", "problem", "moment_of_truth", "moment_of_truth_step", "resolved", "effort",
    "improvement", "anything_else", "steps",
)  # fmt: skip
STEP_COLUMNS = (
    "interview_id", "ordinal", "doing", "channel", "channel_text", "feeling", "thinking",
    "duration_minutes", "duration_text", "people", "tools", "people_tools_text", "pains",
    "pain_text", "source_message_ids", "provenance",
)  # fmt: skip
MESSAGE_COLUMNS = (
    "interview_id", "message_id", "direction", "created_at", "slot", "choice", "text", "redacted",
)  # fmt: skip


def interview_document(interview: Interview) -> dict[str, Any]:
    """Everything about one interview, JSON-ready."""
    participant = interview.participant
    return {
        "schema_version": SCHEMA_VERSION,
        "interview_id": interview.public_id,
        "campaign": interview.campaign.slug,
        "participant": None
        if participant is None
        else {
            "external_id": participant.external_id,
            "display_name": participant.display_name,
            "attributes": participant.attributes,
        },
        "channel": interview.channel,
        "status": interview.status,
        "consent": interview.consent,
        "started_at": _iso(interview.started_at),
        "completed_at": _iso(interview.completed_at),
        "problem": interview.problem,
        "steps": [step_document(step) for step in interview.steps],
        "moment_of_truth": {
            "text": interview.moment_of_truth,
            "step": interview.moment_of_truth_step,
        },
        "outcome": {"resolved": interview.resolved, "effort": interview.effort},
        "improvement": interview.improvement,
        "anything_else": interview.anything_else,
        "extra_answers": interview.extra_answers,
        "messages": [message_document(m) for m in interview.messages],
    }


def step_document(step: StepRecord) -> dict[str, Any]:
    return {column: getattr(step, column) for column in STEP_COLUMNS if column != "interview_id"}


def message_document(message: Message) -> dict[str, Any]:
    return {
        "message_id": message.id,
        "direction": message.direction,
        "created_at": _iso(message.created_at),
        "slot": message.slot,
        "choice": message.choice,
        "choices": message.choices,
        "text": message.text,
        "redacted": message.redacted,
    }


def write_csv_tables(interviews: Sequence[Interview], out_dir: Path) -> list[Path]:
    """Write interviews.csv, steps.csv and messages.csv into `out_dir`; return the paths."""
    private_folder(out_dir)
    rows = {
        "interviews.csv": (INTERVIEW_COLUMNS, (_interview_row(i) for i in interviews)),
        "steps.csv": (
            STEP_COLUMNS,
            (
                {"interview_id": i.public_id, **step_document(s)}
                for i in interviews
                for s in i.steps
            ),
        ),
        "messages.csv": (
            MESSAGE_COLUMNS,
            (
                {"interview_id": i.public_id, **message_document(m)}
                for i in interviews
                for m in i.messages
            ),
        ),
    }
    written = []
    for name, (columns, records) in rows.items():
        path = out_dir / name
        _write_csv(path, columns, records)
        written.append(path)
    return written


def _interview_row(interview: Interview) -> dict[str, Any]:
    return {
        "interview_id": interview.public_id,
        "campaign": interview.campaign.slug,
        "participant": interview.participant.external_id if interview.participant else None,
        "channel": interview.channel,
        "status": interview.status,
        "consent": interview.consent,
        "started_at": _iso(interview.started_at),
        "completed_at": _iso(interview.completed_at),
        "problem": interview.problem,
        "moment_of_truth": interview.moment_of_truth,
        "moment_of_truth_step": interview.moment_of_truth_step,
        "resolved": interview.resolved,
        "effort": interview.effort,
        "improvement": interview.improvement,
        "anything_else": interview.anything_else,
        "steps": len(interview.steps),
    }


def _write_csv(path: Path, columns: Sequence[str], records: Iterable[dict[str, Any]]) -> None:
    # Built in memory, then written whole and owner-only (storage.files.write_private).
    handle = io.StringIO(newline="")
    writer = csv.DictWriter(handle, fieldnames=list(columns))
    writer.writeheader()
    for record in records:
        writer.writerow({key: _cell(record.get(key)) for key in columns})
    write_private(path, handle.getvalue().encode("utf-8"))


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):  # provenance: "channel=said; feeling=confirmed"
        return "; ".join(f"{key}={kind}" for key, kind in value.items())
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        # Spreadsheets execute cells starting with these: customer text is data, not a formula.
        return "'" + value
    return value


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()
