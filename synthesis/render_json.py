"""Canonical JSON of a journey map: sorted keys, fixed indentation, UTF-8 text."""

from __future__ import annotations

import json

from synthesis.model import JourneyMap


def render_json(journey_map: JourneyMap) -> str:
    """The map as canonical JSON (same map -> byte-identical text), newline-terminated."""
    data = journey_map.model_dump(mode="json")
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
