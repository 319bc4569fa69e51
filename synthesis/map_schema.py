"""The JSON Schema of ``map.json``, generated from the pydantic model.

``python -m synthesis.map_schema > docs/map-schema.json`` regenerates the shipped copy; a test
checks that the shipped copy is current.
"""

from __future__ import annotations

import json
from typing import Any

from synthesis.model import SCHEMA_VERSION, JourneyMap


def map_json_schema() -> dict[str, Any]:
    schema = JourneyMap.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"journeyline:map-schema:{SCHEMA_VERSION}"
    return schema


def render_schema() -> str:
    return json.dumps(map_json_schema(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render_schema(), end="")
