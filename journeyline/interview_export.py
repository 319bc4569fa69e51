"""Interviews as plain data: one JSON document each, or flat CSV tables.

The JSON shape is the export contract (`schema_version`); CSV files are for
spreadsheets: one row per interview, per step, per message.

Both are published as the journey maps are (:mod:`synthesis.published`): every string
visible, and the customer's emails, phone numbers, card numbers, IBANs and names (the
ones they gave, and the participant's display name) replaced by placeholders unless the
caller passes ``include_personal_data=True``. The CSV tables are built from the published
documents and every text cell is guarded against spreadsheet formulas
(:func:`synthesis.spreadsheet_text.spreadsheet_text`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from storage.files import private_folder, write_private
from storage.models import Interview, Message, StepRecord
from synthesis.published import published_data
from synthesis.spreadsheet_text import spreadsheet_text

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
# Keys whose strings journeyline makes itself (ids, times, vocabulary): never redacted.
IDENTIFIERS = frozenset(
    {
        "schema_version",
        "interview_id",
        "campaign",
        "channel",
        "status",
        "started_at",
        "completed_at",
        "created_at",
        "direction",
        "slot",
        "choice",
        "value",
        "pains",
        "resolved",
        "provenance",
    }
)


def interview_document(
    interview: Interview, *, include_personal_data: bool = False
) -> dict[str, Any]:
    """Everything about one interview, JSON-ready, published: personal data replaced by
    placeholders unless ``include_personal_data``."""
    participant = interview.participant
    names = (participant.display_name or "").split() if participant is not None else []
    return published_data(  # type: ignore[no-any-return]
        _raw_document(interview),
        identifiers=IDENTIFIERS,
        include_personal_data=include_personal_data,
        names=names,
    )


def _raw_document(interview: Interview) -> dict[str, Any]:
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


def write_csv_tables(
    interviews: Sequence[Interview], out_dir: Path, *, include_personal_data: bool = False
) -> list[Path]:
    """Write interviews.csv, steps.csv and messages.csv into `out_dir`; return the paths.
    Personal data is replaced by placeholders unless ``include_personal_data``."""
    private_folder(out_dir)
    documents = [
        interview_document(i, include_personal_data=include_personal_data) for i in interviews
    ]
    rows = {
        "interviews.csv": (INTERVIEW_COLUMNS, (_interview_row(d) for d in documents)),
        "steps.csv": (
            STEP_COLUMNS,
            ({"interview_id": d["interview_id"], **s} for d in documents for s in d["steps"]),
        ),
        "messages.csv": (
            MESSAGE_COLUMNS,
            ({"interview_id": d["interview_id"], **m} for d in documents for m in d["messages"]),
        ),
    }
    written = []
    for name, (columns, records) in rows.items():
        path = out_dir / name
        _write_csv(path, columns, records)
        written.append(path)
    return written


def _interview_row(document: dict[str, Any]) -> dict[str, Any]:
    """One interview's CSV row, from its (published) document."""
    participant = document["participant"]
    return {
        **{key: document[key] for key in INTERVIEW_COLUMNS if key in document},
        "participant": participant["external_id"] if participant else None,
        "moment_of_truth": document["moment_of_truth"]["text"],
        "moment_of_truth_step": document["moment_of_truth"]["step"],
        "resolved": document["outcome"]["resolved"],
        "effort": document["outcome"]["effort"],
        "steps": len(document["steps"]),
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
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):  # provenance: "channel=said; feeling=confirmed"
        value = "; ".join(f"{key}={kind}" for key, kind in value.items())
    # Customer text is data, never a formula, however a spreadsheet splits the file.
    return spreadsheet_text(value) if isinstance(value, str) else value


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()
