"""One validated import record -> the rows to store (pure: no database).

Structured steps are taken as given (vocabulary values checked, free-text values read
with the understanding layer); turns go through :mod:`bot.importer.transcript_turns`. Either way the
customer's words become inbound messages and every step cites the messages it came from,
so quotes in a journey map link to stored text exactly as for chat interviews.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.conversation.guide import Guide
from bot.conversation.state import STEP_SLOTS, InterviewState, StepDraft, new_state
from bot.conversation.vocabulary import Channel, InterviewStatus, Pain, Slot
from bot.importer.records import ImportRecord, StepRecordIn
from bot.importer.transcript_turns import state_from_turns
from bot.service.step_rows import step_record
from bot.understanding import parse_channel, parse_duration_minutes, parse_feeling, parse_resolved
from storage.imports import NewInterview, NewMessage

RESOLVED = ("yes", "partly", "no")


class RecordError(ValueError):
    """The record is well-formed JSON of the right shape but its content cannot be used."""


def content_hash(raw: Any) -> str:
    """SHA-256 of the record's canonical JSON: equal records hash equal, key order aside."""
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def plan_interview(
    record: ImportRecord, *, campaign_id: int, guide: Guide, record_hash: str
) -> NewInterview:
    """The rows of one interview; raises :class:`RecordError` for unusable content."""
    if record.turns is not None:
        state, messages = state_from_turns(record.turns, guide)
    else:
        state, messages = _state_from_steps(record.steps or [], guide)
    _apply_interview_fields(record, state, messages)
    state.hear_back = record.hear_back
    # Message ids cited by the steps are still indexes into ``messages`` here.
    steps = [step_record(step) for step in state.steps]
    participant = record.participant
    return NewInterview(
        campaign_id=campaign_id,
        external_id=record.external_id,
        content_hash=record_hash,
        engine_state=_stored_state(state),
        messages=messages,
        steps=steps,
        participant_external_id=participant.id if participant else None,
        display_name=participant.name if participant else None,
        email=participant.email if participant else None,
        attributes=dict(record.attributes),
        problem=state.problem,
        moment_of_truth=state.moment_of_truth,
        moment_of_truth_step=state.moment_of_truth_step,
        resolved=state.resolved,
        effort=state.effort,
        improvement=state.improvement,
        anything_else=state.anything_else,
        extra_answers=dict(state.extra_answers),
        hear_back=record.hear_back,
        started_at=record.started_at,
        completed_at=record.completed_at,
    )


def _state_from_steps(
    steps: list[StepRecordIn], guide: Guide
) -> tuple[InterviewState, list[NewMessage]]:
    state = new_state(guide)
    state.consent = True
    state.status = InterviewStatus.COMPLETED
    state.steps_closed = state.playback_confirmed = True
    messages: list[NewMessage] = []
    known_pains = {p.value for p in Pain} | set(guide.extra_pain_keywords())

    def say(text: str | None, slot: Slot) -> int | None:
        if not text:
            return None
        messages.append(NewMessage("in", text, slot))
        return len(messages) - 1

    for ordinal, given in enumerate(steps, start=1):
        where = f"steps.{ordinal}"
        step = StepDraft(ordinal=ordinal, doing=given.doing, settled=list(STEP_SLOTS))
        step.cite(say(given.doing, Slot.STEP if ordinal == 1 else Slot.NEXT_STEP))
        if given.channel:
            step.channel = _channel(given.channel, where)
            step.channel_text = None if given.channel == step.channel.value else given.channel
        step.feeling = _feeling(given.feeling, where)
        step.thinking = given.thinking or None
        step.cite(say(given.thinking, Slot.THINKING))
        step.duration_minutes = given.duration_minutes
        if given.duration and step.duration_minutes is None:
            step.duration_minutes = parse_duration_minutes(given.duration)
        step.duration_text = given.duration or None
        step.people = [p for p in given.people if p.strip()]
        step.tools = [t for t in given.tools if t.strip()]
        unknown = [p for p in given.pains if p not in known_pains]
        if unknown:
            known = ", ".join(sorted(known_pains))
            raise RecordError(f"{where}.pains: unknown pain {unknown[0]!r} (known: {known})")
        step.pains = list(dict.fromkeys(given.pains))
        step.pain_text = given.pain_text or None
        step.cite(say(given.pain_text, Slot.PAIN))
        if given.moment_of_truth and state.moment_of_truth_step is None:
            state.moment_of_truth_step = ordinal
        state.steps.append(step)
    return state, messages


def _apply_interview_fields(
    record: ImportRecord, state: InterviewState, messages: list[NewMessage]
) -> None:
    """Interview-level fields given in the record win over what turns said."""
    for attribute, slot in (
        ("problem", Slot.PROBLEM),
        ("moment_of_truth", Slot.MOMENT_OF_TRUTH),
        ("improvement", Slot.IMPROVEMENT),
        ("anything_else", Slot.ANYTHING_ELSE),
    ):
        text = getattr(record, attribute)
        if text:
            setattr(state, attribute, text)
            messages.append(NewMessage("in", text, slot))
    if record.moment_of_truth_step is not None:
        if state.step(record.moment_of_truth_step) is None:
            raise RecordError(
                f"moment_of_truth_step: there is no step {record.moment_of_truth_step}"
            )
        state.moment_of_truth_step = record.moment_of_truth_step
    if record.resolved:
        resolved = record.resolved if record.resolved in RESOLVED else None
        resolved = resolved or parse_resolved(record.resolved)
        if resolved is None:
            raise RecordError(f"resolved: {record.resolved!r} is not yes, partly or no")
        state.resolved = resolved
    if record.effort is not None:
        state.effort = record.effort
    if not state.steps:
        raise RecordError("no journey step: the turns tell no step of what the customer did")


def _channel(value: str, where: str) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        parsed = parse_channel(value)
    if parsed is None:
        known = ", ".join(c.value for c in Channel)
        raise RecordError(f"{where}.channel: {value!r} is not a channel (known: {known})")
    return parsed


def _feeling(value: int | str | None, where: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int):
        if not 1 <= value <= 5:
            raise RecordError(f"{where}.feeling: {value} is not between 1 and 5")
        return value
    parsed = parse_feeling(value, bare_number=True)
    if parsed is None:
        raise RecordError(f"{where}.feeling: {value!r} is not a 1-5 rating or a feeling")
    return parsed


def _stored_state(state: InterviewState) -> dict[str, Any]:
    # Message ids in the state are still indexes into the record's messages; the stored
    # step records carry the real links, so the state keeps answers, not message links.
    data = state.model_dump(mode="json", exclude={"answers", "answer_message_ids"})
    for step in data["steps"]:
        step["source_message_ids"] = []
    data["answers"] = []
    data["answer_message_ids"] = {}
    return data
