"""Step observations: one row per stored journey step, with what synthesis needs of it.

Reads storage only. The quote candidates are the customer's own inbound messages that the
step's facts came from (``source_message_ids``), so every quote can link back to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from storage import synthesis_inputs as inputs


class SynthesisInputError(ValueError):
    """The requested input cannot be synthesised (unknown campaign, no steps, bad filter)."""


@dataclass(frozen=True)
class StepObservation:
    """One journey step of one interview, flattened for synthesis.

    ``position`` is where the step falls in its interview (0 = first, 1 = last; a lone
    step is 0.5). ``messages`` are the step's inbound source messages as (id, text), in
    id order.
    """

    interview_id: str
    ordinal: int
    doing: str
    text: str
    channel: str | None
    feeling: int | None
    duration_minutes: int | None
    pains: tuple[str, ...]
    pain_text: str | None
    people: tuple[str, ...]
    tools: tuple[str, ...]
    position: float
    moment_of_truth: bool
    moment_of_truth_text: str | None
    resolved: str | None
    effort: int | None
    segment: Mapping[str, Any] = field(default_factory=dict)
    messages: tuple[tuple[int, str], ...] = ()
    # What went through the customer's mind at this step (the thinking lane).
    thinking: str | None = None
    # The interview's answer to "what would have made it better" (the opportunities lane)
    # and the stored message it was given in, as (id, text); None when not found.
    improvement: str | None = None
    improvement_message: tuple[int, str] | None = None
    # Whether the interview was finished (only finished ones enter a map by default).
    completed: bool = True
    # How each fact was learnt (fact -> said / confirmed / inferred / corrected); empty
    # for steps stored before provenance was kept.
    provenance: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Selection:
    """Which interviews a map is drawn from: finished ones only unless
    ``include_partial``; started in ``[since, until)`` when given (UTC)."""

    include_partial: bool = False
    since: datetime | None = None
    until: datetime | None = None
    # Leave out facts read from the story and never shown to the customer (``inferred``):
    # a map resting only on what customers said or confirmed.
    exclude_inferred: bool = False

    def admits(self, status: str, started_at: datetime | None) -> bool:
        if not self.include_partial and status != COMPLETED:
            return False
        if started_at is None:
            return self.since is None and self.until is None
        when = started_at if started_at.tzinfo else started_at.replace(tzinfo=UTC)
        if self.since is not None and when < _aware(self.since):
            return False
        return self.until is None or when < _aware(self.until)


COMPLETED = "completed"
FINISHED_ONLY = Selection()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_observations(
    session: Session,
    *,
    campaign_slug: str,
    segment: tuple[str, str] | None = None,
    selection: Selection = FINISHED_ONLY,
) -> list[StepObservation]:
    """Every stored step of the campaign's consenting interviews that ``selection``
    admits (default: finished ones), in interview then step order. ``segment=(key,
    value)`` keeps only participants whose attribute ``key`` equals ``value`` (compared
    as text). Raises :class:`SynthesisInputError` for an unknown campaign."""
    campaign = inputs.campaign_id(session, campaign_slug)
    if campaign is None:
        raise SynthesisInputError(f"no campaign with slug {campaign_slug!r}")
    interviews: dict[int, Any] = {}
    for row in inputs.interview_rows(session, campaign):
        if row.consent is False or not selection.admits(row.status, row.started_at):
            continue
        attributes = dict(row.attributes or {})
        if segment is not None and str(attributes.get(segment[0])) != segment[1]:
            continue
        interviews[row.id] = (row, attributes)
    steps: dict[int, list[Any]] = {}
    for step in inputs.step_rows(session, campaign):
        if step.interview_id in interviews:
            steps.setdefault(step.interview_id, []).append(step)
    texts = inputs.inbound_texts(session, campaign)
    by_interview: dict[int, list[int]] = {}
    for message_id, (owner, _text) in texts.items():
        by_interview.setdefault(owner, []).append(message_id)
    observations: list[StepObservation] = []
    for interview_id in sorted(steps):
        interview, attributes = interviews[interview_id]
        ordered = sorted(steps[interview_id], key=lambda s: s.ordinal)
        last = len(ordered) - 1
        improvement_message = message_with(
            interview.improvement, sorted(by_interview.get(interview_id, ())), texts
        )
        for index, step in enumerate(ordered):
            observations.append(
                observation_of(
                    step,
                    interview,
                    attributes=attributes,
                    index=index,
                    last=last,
                    selection=selection,
                    improvement_message=improvement_message,
                    messages=tuple(
                        (mid, texts[mid][1])
                        for mid in sorted(set(step.source_message_ids))
                        if mid in texts and texts[mid][0] == interview_id
                    ),
                )
            )
    return observations


def observation_of(
    step: Any,
    interview: Any,
    *,
    attributes: dict[str, Any],
    index: int,
    last: int,
    selection: Selection,
    **more: Any,
) -> StepObservation:
    """One stored step as synthesis reads it. ``step`` and ``interview`` are rows of
    ``storage.synthesis_inputs.step_rows`` and ``interview_rows``; ``index`` is the step's
    place among the interview's ``last + 1`` steps; ``more`` fills what only some readers
    need (the improvement's message, the step's messages)."""
    provenance = dict(step.provenance or {})
    kept = kept_facts(step, provenance, selection)
    doing = step.doing.strip()
    is_mot = interview.moment_of_truth_step == step.ordinal
    return StepObservation(
        interview_id=interview.public_id,
        ordinal=int(step.ordinal),
        doing=doing,
        text=f"{doing} {step.pain_text.strip()}" if step.pain_text else doing,
        channel=kept["channel"],
        feeling=kept["feeling"],
        duration_minutes=kept["duration"],
        pains=kept["pains"],
        pain_text=step.pain_text,
        people=tuple(step.people),
        tools=tuple(step.tools),
        position=0.5 if last == 0 else index / last,
        moment_of_truth=is_mot,
        moment_of_truth_text=interview.moment_of_truth if is_mot else None,
        resolved=interview.resolved,
        effort=interview.effort,
        segment=attributes,
        thinking=step.thinking,
        improvement=interview.improvement,
        completed=interview.status == COMPLETED,
        provenance=provenance,
        **more,
    )


INFERRED = "inferred"


def kept_facts(step: Any, provenance: Mapping[str, str], selection: Selection) -> dict[str, Any]:
    """The step's facts, less the inferred ones when ``selection`` leaves those out."""
    facts: dict[str, Any] = {
        "channel": step.channel,
        "feeling": step.feeling,
        "duration": step.duration_minutes,
        "pains": tuple(step.pains),
    }
    if selection.exclude_inferred:
        for fact in facts:
            if provenance.get(fact) == INFERRED:
                facts[fact] = () if fact == "pains" else None
    return facts


def message_with(
    answer: str | None, message_ids: list[int], texts: Mapping[int, tuple[int, str]]
) -> tuple[int, str] | None:
    """The latest of ``message_ids`` whose text holds ``answer`` (the stored answer is the
    customer's message, maybe trimmed), as (id, text); None if none does."""
    wanted = " ".join((answer or "").split()).casefold()
    if not wanted:
        return None
    for message_id in reversed(message_ids):
        text = texts[message_id][1]
        if wanted in " ".join(text.split()).casefold():
            return message_id, text
    return None
