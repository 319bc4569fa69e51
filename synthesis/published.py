"""The journey map as it leaves journeyline: what every output and every printed summary
shows.

Every string is made visible (:func:`synthesis.plain_text.visible_text`: no bidi
overrides, zero-width or control characters), and, unless the caller explicitly asks to
include personal data, the customers' emails, phone numbers, card numbers, IBANs and the
names they gave for themselves are replaced by placeholders
(:mod:`bot.understanding.personal_data`). The stored run keeps the words as the
pipeline found them, so a researcher allowed to see them can still export them.

Identifiers (stage, pain point and interview ids, the campaign's slug, channel paths,
model names) are made visible but never redacted: the map's cross-references must hold,
and journeyline makes them itself. Everything else is treated as customer words, so a
field added to the map later is redacted without anyone remembering to.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from bot.understanding.personal_data import given_names, redact
from synthesis.model import JourneyMap
from synthesis.plain_text import map_strings, visible_text

# Field names (of synthesis.model) whose strings are identifiers or journeyline's own
# vocabulary, never customer words.
IDENTIFIERS = frozenset(
    {
        "schema_version",
        "campaign",
        "embedder",
        "interviews_included",
        "since",
        "until",
        "interview_id",
        "interview_ids",
        "example_interview_ids",
        "id",
        "frame_stage",
        "stages",
        "pain_points",
        "placed_in",
        "top_pain_points",
        "new_pain_points",
        "path",
        "folder",
        "metric",
        "subject",
        "model",
        "prompt_version",
    }
)


def published_map(journey_map: JourneyMap, *, include_personal_data: bool = False) -> JourneyMap:
    """``journey_map`` with every string visible and, unless ``include_personal_data``,
    personal data replaced by placeholders. The same map gives the same result, so files
    written from a stored run match the ones first written."""
    data = journey_map.model_dump(mode="python")
    published = published_data(
        data, identifiers=IDENTIFIERS, include_personal_data=include_personal_data
    )
    return JourneyMap.model_validate(published)


def published_data(
    data: Any,
    *,
    identifiers: Collection[str],
    include_personal_data: bool = False,
    names: Collection[str] = (),
) -> Any:
    """JSON-like ``data`` (a map, an interview) published: every string visible and,
    unless ``include_personal_data``, redacted, except the strings under a key in
    ``identifiers``. The names masked are those given anywhere in ``data``, and
    ``names``."""
    if include_personal_data:
        return map_strings(data, lambda _key, text: visible_text(text))
    words: list[str] = []

    def collect(key: str | None, text: str) -> str:
        if key not in identifiers:
            words.append(text)
        return text

    map_strings(data, collect)
    masked = given_names(words) | frozenset(names)
    done: dict[str, str] = {}

    def publish(key: str | None, text: str) -> str:
        visible = visible_text(text)
        if key in identifiers:
            return visible
        if visible not in done:  # labels and quotes repeat across a map
            done[visible] = redact(visible, names=masked).text
        return done[visible]

    return map_strings(data, publish)
