"""Output formats by name: ``write_outputs`` writes a map in each chosen format.

Minimal on this branch (JSON and Markdown only), so ``maps export`` has a registry to
call; the full registry (CSV, Mermaid, HTML, PNG) replaces it with the same function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from synthesis.model import JourneyMap
from synthesis.render_json import render_json
from synthesis.render_markdown import render_markdown

# name -> (file name, renderer)
OUTPUTS: Mapping[str, tuple[str, Callable[[JourneyMap], str]]] = {
    "json": ("map.json", render_json),
    "markdown": ("map.md", render_markdown),
}


class UnknownFormat(ValueError):
    """No output format is registered under this name."""


def write_outputs(
    journey_map: JourneyMap, out_dir: Path, formats: Sequence[str] | None = None
) -> list[Path]:
    """Write the map into ``out_dir`` (created) in each of ``formats`` (default: all) and
    return the files written; raises :class:`UnknownFormat` before writing anything."""
    chosen = list(formats) if formats else list(OUTPUTS)
    unknown = [name for name in chosen if name not in OUTPUTS]
    if unknown:
        known = ", ".join(OUTPUTS)
        raise UnknownFormat(f"unknown format {unknown[0]!r} (known: {known})")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in dict.fromkeys(chosen):
        file_name, render = OUTPUTS[name]
        path = out_dir / file_name
        path.write_text(render(journey_map), encoding="utf-8")
        written.append(path)
    return written
