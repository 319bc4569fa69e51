"""Picking verbatim quotes: always a stored inbound message, never rewritten text."""

from __future__ import annotations

from collections.abc import Iterable

from synthesis.model import Quote
from synthesis.observations import StepObservation


def step_quote(observation: StepObservation) -> Quote | None:
    """The message the step was first told in (its earliest source message)."""
    if not observation.messages:
        return None
    message_id, text = observation.messages[0]
    return _quote(observation, message_id, text)


def pain_quote(observation: StepObservation) -> Quote | None:
    """The message that holds the step's pain text, else its latest source message."""
    if not observation.messages:
        return None
    wanted = (observation.pain_text or "").strip().lower()
    for message_id, text in observation.messages:
        if wanted and wanted in text.lower():
            return _quote(observation, message_id, text)
    # A tagged pain was read from one of the step's messages; short answers to the other
    # questions ("15 min or so", "an agent") say least about it, the customer's own
    # telling of the step says most. Ties: the earlier message.
    message_id, text = max(observation.messages, key=lambda m: (len(m[1].split()), -m[0]))
    return _quote(observation, message_id, text)


def thinking_quote(observation: StepObservation) -> Quote | None:
    """The message the step's thinking was told in; None if it cannot be found (a quote
    is never made up from the stored summary)."""
    wanted = " ".join((observation.thinking or "").split()).casefold()
    if not wanted:
        return None
    for message_id, text in observation.messages:
        if wanted in " ".join(text.split()).casefold():
            return _quote(observation, message_id, text)
    return None


def improvement_quote(observation: StepObservation) -> Quote | None:
    """The interview's "what would have made it better" message, if stored."""
    if observation.improvement_message is None:
        return None
    message_id, text = observation.improvement_message
    return Quote(
        text=text,
        interview_id=observation.interview_id,
        message_id=message_id,
        step_ordinal=0,
    )


def distinct_quotes(candidates: Iterable[Quote | None], *, limit: int = 3) -> list[Quote]:
    """The first ``limit`` quotes with different messages and different texts."""
    chosen: list[Quote] = []
    seen_ids: set[int] = set()
    seen_texts: set[str] = set()
    for quote in candidates:
        if quote is None or quote.message_id in seen_ids:
            continue
        key = " ".join(quote.text.lower().split())
        if key in seen_texts:
            continue
        chosen.append(quote)
        seen_ids.add(quote.message_id)
        seen_texts.add(key)
        if len(chosen) == limit:
            break
    return chosen


def _quote(observation: StepObservation, message_id: int, text: str) -> Quote:
    return Quote(
        text=text,
        interview_id=observation.interview_id,
        message_id=message_id,
        step_ordinal=observation.ordinal,
    )
