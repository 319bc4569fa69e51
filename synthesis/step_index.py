"""The steps of a stored run, by step: what the review console filters a cell's evidence
by, and what the curation layer re-measures a changed stage or pain point with.

A stored map keeps, per cell, only its member steps (interview id + ordinal). Their
facts (channel, feeling, time, people, tools, pains, moment of truth) are read back here
from storage, as the run read them (without inferred facts when the run left them out),
in two column queries over the campaign and no message text. Texts are fetched for the
few steps a page shows or a quote needs (:meth:`StepIndex.with_texts`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from storage import synthesis_inputs as inputs
from synthesis.observations import (
    Selection,
    StepObservation,
    SynthesisInputError,
    message_with,
    observation_of,
)

StepKey = tuple[str, int]


@dataclass(frozen=True)
class InterviewFacts:
    """What a journey's end says: how it was resolved, the effort, the improvement."""

    interview_id: str
    resolved: str | None
    effort: int | None
    improvement: str | None
    step_count: int


@dataclass(frozen=True)
class StepIndex:
    """Every step of a run's interviews: ``steps[(interview id, ordinal)]`` is its
    observation without message texts (``messages`` empty), ``sources`` its source
    message ids, ``interviews`` the journeys' end facts."""

    steps: Mapping[StepKey, StepObservation]
    sources: Mapping[StepKey, tuple[int, ...]]
    interviews: Mapping[str, InterviewFacts]
    # Numeric interview id -> public id (messages are stored under the numeric one).
    public_ids: Mapping[int, str]

    def with_texts(
        self, session: Session, keys: Iterable[StepKey]
    ) -> dict[StepKey, StepObservation]:
        """The observations of ``keys`` (those in the index) with their source messages'
        texts, as synthesis reads them (unredacted inbound messages only)."""
        wanted = [key for key in dict.fromkeys(keys) if key in self.steps]
        texts = inputs.message_texts(session, (m for k in wanted for m in self.sources[k]))
        found: dict[StepKey, StepObservation] = {}
        for key in wanted:
            messages = tuple(
                (mid, texts[mid][1])
                for mid in sorted(set(self.sources[key]))
                if mid in texts and self.public_ids.get(texts[mid][0]) == key[0]
            )
            found[key] = replace(self.steps[key], messages=messages)
        return found

    def improvement_messages(
        self, session: Session, interview_ids: Iterable[str]
    ) -> dict[str, tuple[int, str]]:
        """Per interview, the stored message its improvement answer was given in."""
        numeric = {public: number for number, public in self.public_ids.items()}
        wanted = [i for i in dict.fromkeys(interview_ids) if i in numeric]
        texts = inputs.inbound_texts_of(session, (numeric[i] for i in wanted))
        by_interview: dict[int, list[int]] = {}
        for message_id, (owner, _text) in texts.items():
            by_interview.setdefault(owner, []).append(message_id)
        found: dict[str, tuple[int, str]] = {}
        for public in wanted:
            facts = self.interviews.get(public)
            message = message_with(
                facts.improvement if facts else None,
                sorted(by_interview.get(numeric[public], ())),
                texts,
            )
            if message is not None:
                found[public] = message
        return found


def load_step_index(
    session: Session,
    *,
    campaign_slug: str,
    interview_ids: Collection[str],
    exclude_inferred: bool = False,
) -> StepIndex:
    """The steps of ``interview_ids`` (public ids) of the campaign, with the facts a run
    that ``exclude_inferred`` (or not) read. Raises :class:`SynthesisInputError` for an
    unknown campaign."""
    campaign = inputs.campaign_id(session, campaign_slug)
    if campaign is None:
        raise SynthesisInputError(f"no campaign with slug {campaign_slug!r}")
    wanted = set(interview_ids)
    rows: dict[int, Any] = {
        row.id: row for row in inputs.interview_rows(session, campaign) if row.public_id in wanted
    }
    by_interview: dict[int, list[Any]] = {}
    for step in inputs.step_rows(session, campaign):
        if step.interview_id in rows:
            by_interview.setdefault(step.interview_id, []).append(step)
    selection = Selection(include_partial=True, exclude_inferred=exclude_inferred)
    steps: dict[StepKey, StepObservation] = {}
    sources: dict[StepKey, tuple[int, ...]] = {}
    interviews: dict[str, InterviewFacts] = {}
    for number, row in rows.items():
        ordered = sorted(by_interview.get(number, ()), key=lambda s: s.ordinal)
        interviews[row.public_id] = InterviewFacts(
            interview_id=row.public_id,
            resolved=row.resolved,
            effort=row.effort,
            improvement=row.improvement,
            step_count=len(ordered),
        )
        last = len(ordered) - 1
        attributes = dict(row.attributes or {})
        for index, step in enumerate(ordered):
            key = (row.public_id, int(step.ordinal))
            steps[key] = observation_of(
                step, row, attributes=attributes, index=index, last=last, selection=selection
            )
            sources[key] = tuple(int(m) for m in step.source_message_ids or ())
    return StepIndex(
        steps=steps,
        sources=sources,
        interviews=interviews,
        public_ids={number: row.public_id for number, row in rows.items()},
    )


def index_of(observations: Sequence[StepObservation]) -> StepIndex:
    """The index of observations synthesis has just read (with their messages' texts),
    so what follows a synthesis in the same process need not read them again."""
    steps = {(o.interview_id, o.ordinal): o for o in observations}
    counts: dict[str, int] = {}
    for o in observations:
        counts[o.interview_id] = counts.get(o.interview_id, 0) + 1
    interviews = {
        o.interview_id: InterviewFacts(
            interview_id=o.interview_id,
            resolved=o.resolved,
            effort=o.effort,
            improvement=o.improvement,
            step_count=counts[o.interview_id],
        )
        for o in observations
    }
    return StepIndex(
        steps=steps,
        sources={key: tuple(m for m, _ in o.messages) for key, o in steps.items()},
        interviews=interviews,
        public_ids={},
    )
