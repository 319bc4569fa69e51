"""Output formats of a journey map: an explicit format name -> renderer registry.

Every renderer turns a map into named files (bytes), so the same map always writes the
same bytes; :func:`write_outputs` writes the chosen formats into a folder, each file
whole and owner-only, never through a symlink (``storage.files.write_private``). What is
written is the published map (:mod:`synthesis.published`): nothing invisible, and
personal data redacted unless the caller passes ``include_personal_data=True``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storage.files import private_folder, write_private
from synthesis.model import JourneyMap
from synthesis.published import published_map
from synthesis.render_csv import (
    render_opportunities_csv,
    render_pain_points_csv,
    render_stages_csv,
    render_step_assignments_csv,
)
from synthesis.render_html import render_html
from synthesis.render_json import render_json
from synthesis.render_markdown import render_markdown
from synthesis.render_mermaid import render_mermaid

if TYPE_CHECKING:
    from synthesis.segments import SegmentedMaps

Files = dict[str, bytes]
SEGMENTS_DIR = "segments"


@dataclass(frozen=True)
class PageLinks:
    """Where a page links to: each segment value's page, and the whole campaign's page
    (for a segment's page); relative URLs."""

    segments: Mapping[str, str] = field(default_factory=dict)
    parent: str | None = None


@dataclass(frozen=True)
class OutputFormat:
    name: str
    description: str
    files: tuple[str, ...]
    render: Callable[[JourneyMap, PageLinks], Files]
    # Written only when asked for by name: a laid-out document takes a second or more,
    # and needs WeasyPrint's system libraries.
    on_request: bool = False


def _text(name: str, render: Callable[[JourneyMap], str]) -> Callable[..., Files]:
    return lambda m, _links: {name: render(m).encode("utf-8")}


def _csv(m: JourneyMap, _links: PageLinks) -> Files:
    return {
        "stages.csv": render_stages_csv(m).encode("utf-8"),
        "pain_points.csv": render_pain_points_csv(m).encode("utf-8"),
        "opportunities.csv": render_opportunities_csv(m).encode("utf-8"),
        "step_assignments.csv": render_step_assignments_csv(m).encode("utf-8"),
    }


def _html(m: JourneyMap, links: PageLinks) -> Files:
    page = render_html(m, links=dict(links.segments), parent=links.parent)
    return {"map.html": page.encode("utf-8")}


def _png(m: JourneyMap, _links: PageLinks) -> Files:
    from synthesis.render_png import render_channel_mix_png, render_emotion_curve_png

    return {
        "emotion_curve.png": render_emotion_curve_png(m),
        "channel_mix.png": render_channel_mix_png(m),
    }


def _pdf(m: JourneyMap, _links: PageLinks) -> Files:
    from synthesis.render_pdf import render_pdf

    return {"map.pdf": render_pdf(m)}


def _map_png(m: JourneyMap, _links: PageLinks) -> Files:
    from synthesis.render_map_image import render_map_png

    return {"map.png": render_map_png(m)}


def _whiteboard(m: JourneyMap, _links: PageLinks) -> Files:
    from synthesis.render_whiteboard import render_whiteboard_csv

    return {"whiteboard.csv": render_whiteboard_csv(m).encode("utf-8")}


OUTPUTS: Mapping[str, OutputFormat] = {
    f.name: f
    for f in (
        OutputFormat(
            "json",
            "canonical JSON (docs/map-schema.md)",
            ("map.json",),
            _text("map.json", render_json),
        ),
        OutputFormat("markdown", "Markdown report", ("map.md",), _text("map.md", render_markdown)),
        OutputFormat(
            "csv",
            "CSV tables",
            ("stages.csv", "pain_points.csv", "opportunities.csv", "step_assignments.csv"),
            _csv,
        ),
        OutputFormat(
            "mermaid", "Mermaid journey diagram", ("map.mmd",), _text("map.mmd", render_mermaid)
        ),
        OutputFormat("html", "self-contained HTML page", ("map.html",), _html),
        OutputFormat("png", "PNG charts", ("emotion_curve.png", "channel_mix.png"), _png),
        OutputFormat("pdf", "the whole map as a PDF", ("map.pdf",), _pdf, on_request=True),
        OutputFormat(
            "map-png", "the whole map as one PNG image", ("map.png",), _map_png, on_request=True
        ),
        OutputFormat(
            "whiteboard-csv",
            "CSV grid for Miro or FigJam: stages as columns, lanes as rows",
            ("whiteboard.csv",),
            _whiteboard,
            on_request=True,
        ),
    )
}
FORMATS: tuple[str, ...] = tuple(OUTPUTS)
# What is written when no format is named.
DEFAULT_FORMATS: tuple[str, ...] = tuple(f.name for f in OUTPUTS.values() if not f.on_request)


class UnknownFormat(ValueError):
    """No output format is registered under this name."""


def check_formats(formats: Iterable[str] | None) -> list[str]:
    """The formats to write, in registry order (None: the default ones, every format but
    those written on request); raises :class:`UnknownFormat`."""
    if formats is None:
        return list(DEFAULT_FORMATS)
    wanted = [f.strip().lower() for f in formats if f.strip()]
    unknown = sorted(set(wanted) - set(OUTPUTS))
    if unknown:
        raise UnknownFormat(
            f"unknown format {', '.join(map(repr, unknown))} (known: {', '.join(FORMATS)})"
        )
    return [f for f in FORMATS if f in wanted]


def write_outputs(
    journey_map: JourneyMap,
    out_dir: Path,
    formats: Iterable[str] | None = None,
    *,
    links: PageLinks | None = None,
    on_format: Callable[[str], None] | None = None,
    include_personal_data: bool = False,
) -> list[Path]:
    """Write ``formats`` (default: ``DEFAULT_FORMATS``) of the published map (personal data
    redacted unless ``include_personal_data``) into ``out_dir`` (created if missing) and
    return the written paths in registry order. ``links`` are the HTML page's links to
    segment pages and back; ``on_format`` is called with each format's name once it is
    written."""
    shown = published_map(journey_map, include_personal_data=include_personal_data)
    return _write(shown, out_dir, check_formats(formats), links or PageLinks(), on_format)


def _write(
    journey_map: JourneyMap,
    out_dir: Path,
    chosen: list[str],
    links: PageLinks,
    on_format: Callable[[str], None] | None,
) -> list[Path]:
    private_folder(out_dir)
    written: list[Path] = []
    for name in chosen:
        for filename, data in OUTPUTS[name].render(journey_map, links).items():
            written.append(write_private(out_dir / filename, data))
        if on_format is not None:
            on_format(name)
    return written


def write_segmented_outputs(
    maps: SegmentedMaps,
    out_dir: Path,
    formats: Iterable[str] | None = None,
    *,
    on_format: Callable[[str], None] | None = None,
    include_personal_data: bool = False,
) -> list[Path]:
    """The overall map (with its comparison) into ``out_dir`` and every segment's map into
    ``out_dir/segments/KEY=VALUE/``; the overall HTML page links the segment pages. All
    published as :func:`write_outputs` does."""
    chosen = check_formats(formats)
    overall = published_map(maps.overall, include_personal_data=include_personal_data)
    comparison = overall.comparison
    # Keyed by the published values: the page looks its links up by the value it shows.
    folders = {v.value: v.folder for v in comparison.values} if comparison else {}
    links = {value: f"{SEGMENTS_DIR}/{folder}/map.html" for value, folder in folders.items()}
    written = _write(overall, out_dir, chosen, PageLinks(segments=links), on_format)
    back = PageLinks(parent="../../map.html")
    original = maps.overall.comparison
    by_value = {v.value: v.folder for v in original.values} if original else {}
    for segment_map in maps.segments:
        (value,) = (segment_map.segment or {"": ""}).values()
        folder = out_dir / SEGMENTS_DIR / by_value.get(value, value)
        shown = published_map(segment_map, include_personal_data=include_personal_data)
        written += _write(shown, folder, chosen, back, on_format)
    return written
