"""Step observations: one row per stored journey step, with what synthesis needs of it.

Reads storage only. The quote candidates are the customer's own inbound messages that the
step's facts came from (``source_message_ids``), so every quote can link back to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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


def load_observations(
    session: Session, *, campaign_slug: str, segment: tuple[str, str] | None = None
) -> list[StepObservation]:
    """Every stored step of the campaign's consenting interviews, in interview then step
    order. ``segment=(key, value)`` keeps only participants whose attribute ``key``
    equals ``value`` (compared as text). Raises :class:`SynthesisInputError` for an
    unknown campaign."""
    campaign = inputs.campaign_id(session, campaign_slug)
    if campaign is None:
        raise SynthesisInputError(f"no campaign with slug {campaign_slug!r}")
    interviews: dict[int, Any] = {}
    for row in inputs.interview_rows(session, campaign):
        if row.consent is False:
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
    observations: list[StepObservation] = []
    for interview_id in sorted(steps):
        interview, attributes = interviews[interview_id]
        ordered = sorted(steps[interview_id], key=lambda s: s.ordinal)
        last = len(ordered) - 1
        for index, step in enumerate(ordered):
            doing = step.doing.strip()
            text = f"{doing} {step.pain_text.strip()}" if step.pain_text else doing
            is_mot = interview.moment_of_truth_step == step.ordinal
            observations.append(
                StepObservation(
                    interview_id=interview.public_id,
                    ordinal=step.ordinal,
                    doing=doing,
                    text=text,
                    channel=step.channel,
                    feeling=step.feeling,
                    duration_minutes=step.duration_minutes,
                    pains=tuple(step.pains),
                    pain_text=step.pain_text,
                    people=tuple(step.people),
                    tools=tuple(step.tools),
                    position=0.5 if last == 0 else index / last,
                    moment_of_truth=is_mot,
                    moment_of_truth_text=interview.moment_of_truth if is_mot else None,
                    resolved=interview.resolved,
                    effort=interview.effort,
                    segment=attributes,
                    messages=tuple(
                        (mid, texts[mid][1])
                        for mid in sorted(set(step.source_message_ids))
                        if mid in texts and texts[mid][0] == interview_id
                    ),
                )
            )
    return observations
