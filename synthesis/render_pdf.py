"""The journey map as a printable document: HTML made for paper (``map_print.html``)
laid out by WeasyPrint into a PDF, or onto one tall page for a PNG of the whole map.

Customer text is autoescaped by Jinja and made visible (no bidi overrides or invisible
characters) as in the HTML page (:mod:`synthesis.render_html`'s environment), so no
quote becomes markup in the document. The document loads nothing: no URL fetcher is
reachable from the template (no links, images or stylesheets by URL), and WeasyPrint's
fetcher is replaced by one that refuses everything, so even a stray ``url()`` in a
customer's words could not make the server fetch it.

WeasyPrint is imported when a document is rendered, not before: it needs Pango's
system libraries, and every other format works without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from synthesis.model import JourneyMap
from synthesis.render_html import COLUMN, CURVE_HEIGHT, _environment, _y, feeling_curve

if TYPE_CHECKING:
    from weasyprint import Document

# Paper grows with the number of stages so a column keeps room for a quote.
PAGE_SIZES: tuple[tuple[int, str], ...] = ((5, "A4 landscape"), (9, "A3 landscape"))
LARGEST_PAGE = "A2 landscape"
# Widths of those pages in millimetres, less the margins and the lane names' column: the
# width the feeling curve is drawn into (its dots are drawn round at that scale).
CURVE_MM = {"A4 landscape": 297 - 44, "A3 landscape": 420 - 44, "A2 landscape": 594 - 44}
CURVE_HEIGHT_MM = 22
DOT_RADIUS_MM = 1.4
LANE_WIDTH = "24mm"
DOT_COLOURS = {"bad": "#c8453b", "ok": "#c98a12", "good": "#2e8b57", "none": "#5b6575"}


class DocumentUnavailable(RuntimeError):
    """WeasyPrint or its system libraries (Pango) are missing."""


@dataclass(frozen=True)
class Labels:
    """Words around the map: ``note`` after the header's facts (e.g. "Curated by the
    review team; personal data redacted"), ``footer`` at the end."""

    note: str = ""
    footer: str = ""


def page_size(stage_count: int) -> str:
    """The CSS page size for a map of ``stage_count`` stages."""
    return next((size for most, size in PAGE_SIZES if stage_count <= most), LARGEST_PAGE)


def print_html(journey_map: JourneyMap, labels: Labels | None = None) -> str:
    """The document as HTML (its stylesheet is given to WeasyPrint separately)."""
    words = labels or Labels()
    parts, dots = feeling_curve(journey_map.stages)
    width = max(1, len(journey_map.stages)) * COLUMN
    curve_mm = CURVE_MM.get(page_size(len(journey_map.stages)), CURVE_MM[LARGEST_PAGE])
    return (
        _environment()
        .get_template("map_print.html")
        .render(
            m=journey_map,
            note=words.note,
            footer=words.footer,
            curve_parts=parts,
            curve_dots=dots,
            curve_width=width,
            curve_height=CURVE_HEIGHT,
            # The curve is stretched to its cell (preserveAspectRatio none): the dots'
            # radii undo the stretch so they stay round.
            dot_rx=round(DOT_RADIUS_MM * width / curve_mm, 2),
            dot_ry=round(DOT_RADIUS_MM * CURVE_HEIGHT / CURVE_HEIGHT_MM, 2),
            gridlines=[(level, _y(level)) for level in range(1, 6)],
            dot_colours=DOT_COLOURS,
            pain_labels={p.id: p.label for p in journey_map.pain_points},
            stage_names={s.id: s.name for s in journey_map.stages},
        )
    )


@cache
def _stylesheet_text() -> str:
    folder = resources.files("synthesis").joinpath("templates")
    return folder.joinpath("map_print.css").read_text(encoding="utf-8")


def stylesheet(size: str) -> str:
    """The print stylesheet for pages of ``size`` (any CSS ``@page`` size)."""
    return _stylesheet_text().replace("PAGE_SIZE", size).replace("LANE_WIDTH", LANE_WIDTH)


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the map document loads nothing ({url[:60]!r} refused)")


def layout(journey_map: JourneyMap, *, size: str, labels: Labels | None = None) -> Document:
    """The document laid out on pages of ``size``."""
    try:
        from weasyprint import CSS, HTML
    except (ImportError, OSError) as error:  # OSError: Pango's libraries are missing
        raise DocumentUnavailable(
            "PDF and map PNG exports need WeasyPrint and Pango: pip install weasyprint, "
            f"and on Debian apt-get install libpango-1.0-0 libpangoft2-1.0-0 ({error})"
        ) from error
    html = HTML(string=print_html(journey_map, labels), url_fetcher=_refuse_fetch)
    return html.render(stylesheets=[CSS(string=stylesheet(size), url_fetcher=_refuse_fetch)])


def render_pdf(journey_map: JourneyMap, labels: Labels | None = None) -> bytes:
    """The whole map as a PDF, on paper sized for its stages (same map -> same bytes)."""
    document = layout(journey_map, size=page_size(len(journey_map.stages)), labels=labels)
    pdf: bytes = document.write_pdf()
    return pdf
