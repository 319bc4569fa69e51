"""A turn's writes as the statements that store them, in order, for either database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.turn_store.rows import (
    InboundMessage,
    InterviewRow,
    NewInterview,
    ReplyRow,
    TurnWrites,
)
from storage.turn_store.statements import INTERVIEW_COLUMNS, MODEL_CALL_COLUMNS, STEP_COLUMNS


@dataclass(frozen=True)
class Step:
    """One statement of the plan, run once per row of ``rows`` (in order)."""

    statement: str
    rows: Sequence[Mapping[str, Any]]


def turn_plan(
    inbound: InboundMessage, inbound_id: int, writes: TurnWrites
) -> tuple[list[Step], int]:
    """The statements that store ``writes`` after the customer's message (stored as
    ``inbound_id``); and the interview's revision once they have run."""
    interview_id, now = inbound.interview_id, inbound.now
    plan = [Step("insert_reply", reply_rows(interview_id, inbound_id, writes.replies, now))]
    revision = inbound.expected_revision
    update = writes.interview
    if update is not None:
        revision += 1
        values: dict[str, Any] = {name: getattr(update, name) for name in INTERVIEW_COLUMNS}
        values.update(
            interview_id=interview_id,
            engine_state=update.engine_state_json,
            extra_answers=dict(update.extra_answers),
            consent_at=update.consent_at,
            completed_at=update.completed_at,
            updated_at=now,
            revision=revision,
        )
        plan.append(Step("update_interview", [values]))
    if writes.removed_steps:
        plan.append(
            Step(
                "delete_step",
                [{"interview_id": interview_id, "ordinal": o} for o in writes.removed_steps],
            )
        )
    if writes.changed_steps:
        rows = []
        for step in writes.changed_steps:
            row: dict[str, Any] = {"interview_id": interview_id, "ordinal": step.ordinal}
            for name in STEP_COLUMNS:
                value = getattr(step, name)
                if isinstance(value, tuple):
                    value = list(value)
                elif isinstance(value, dict):
                    value = dict(value)  # the row must not share the caller's mapping
                row[name] = value
            rows.append(row)
        plan.append(Step("upsert_step", rows))
    if writes.redact_other_inbound:
        plan.append(
            Step(
                "redact_inbound_except",
                [{"interview_id": interview_id, "keep_message_id": inbound_id}],
            )
        )
    if writes.model_calls:
        calls = []
        for call in writes.model_calls:
            row = {name: getattr(call, name) for name in MODEL_CALL_COLUMNS}
            row.update(interview_id=interview_id, created_at=now, error=_short(call.error))
            calls.append(row)
        plan.append(Step("insert_model_call", calls))
    return [step for step in plan if step.rows], revision


def reply_rows(
    interview_id: int, in_reply_to_id: int | None, replies: list[ReplyRow] | Any, now: datetime
) -> list[Mapping[str, Any]]:
    """The ``insert_reply`` rows of ``replies``, in sending order."""
    return [
        {
            "interview_id": interview_id,
            "text": reply.text,
            "slot": reply.slot,
            "choices": reply.choices,
            "items": reply.items,
            "understood": reply.understood,
            "also_asks": reply.also_asks,
            "in_reply_to_id": in_reply_to_id,
            "created_at": now,
        }
        for reply in replies
    ]


def inbound_row(inbound: InboundMessage) -> dict[str, Any]:
    return {
        "interview_id": inbound.interview_id,
        "text": inbound.text,
        "choice": inbound.choice,
        "slot": inbound.slot,
        "channel_message_id": inbound.channel_message_id,
        "created_at": inbound.now,
    }


def interview_row(new: NewInterview, public_id: str) -> dict[str, Any]:
    return {
        "public_id": public_id,
        "campaign_id": new.campaign_id,
        "participant_id": new.participant_id,
        "channel": new.channel,
        "status": new.status,
        "engine_state": new.engine_state_json,
        "started_at": new.now,
        "updated_at": new.now,
        "access_token_hash": new.access_token_hash,
    }


def interview_from(row: tuple[Any, ...]) -> InterviewRow:
    """The ``load`` statement's row (its types processed) as an ``InterviewRow``."""
    (row_id, public, revision, status, state, consent, completed_at, token_hash, guide, text) = row[
        :10
    ]
    inbound_messages, inbound_chars = row[10:]
    return InterviewRow(
        id=row_id,
        public_id=public,
        revision=revision,
        status=status,
        engine_state=state,
        consent=None if consent is None else bool(consent),
        completed=completed_at is not None,
        access_token_hash=token_hash,
        guide_source=guide,
        consent_text=text,
        inbound_messages=int(inbound_messages or 0),
        inbound_chars=int(inbound_chars or 0),
    )


def reply_from(row: tuple[Any, ...]) -> ReplyRow:
    text, slot, choices, items, understood, also_asks = row
    return ReplyRow(
        text=text,
        slot=slot,
        choices=choices,
        items=items,
        understood=understood,
        also_asks=also_asks,
    )


def _short(error: str | None) -> str | None:
    # The column holds 300 characters: the client's short error text, never customer words.
    return (error or None) and error[:300]
