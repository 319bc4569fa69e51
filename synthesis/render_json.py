"""Canonical JSON of a journey map: sorted keys, fixed indentation, UTF-8 text, every
string visible (no bidi override, zero-width or control character, even from a map that
was not published: see :mod:`synthesis.plain_text`)."""

from __future__ import annotations

import json

from synthesis.model import JourneyMap
from synthesis.plain_text import map_strings, visible_text


def render_json(journey_map: JourneyMap) -> str:
    """The map as canonical JSON (same map -> byte-identical text), newline-terminated."""
    data = map_strings(journey_map.model_dump(mode="json"), lambda _key, text: visible_text(text))
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
