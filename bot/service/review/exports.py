"""Downloads of a curated map: the whole map as a PDF, as one PNG, and as a whiteboard
CSV, each made from the map reviewers see (the series' curation layer applied) and
published (:mod:`synthesis.published`): nothing invisible, and personal data redacted
unless the caller may see it *and* asked for it.

Documents take a second or more to lay out, so each is kept for the run, layer version
and privacy it was made for: every later download of the same map is instant, and a
new edit (a new layer version) makes a new one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.service.review.cache import Lru
from bot.service.review.service import ReviewService
from synthesis.model import JourneyMap
from synthesis.published import published_map
from synthesis.render_pdf import Labels

# Documents kept: a few maps in a few formats, a few hundred kilobytes each.
CACHED_DOCUMENTS = 24


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    suffix: str
    media_type: str


EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("pdf", "PDF", "pdf", "application/pdf"),
        ExportFormat("png", "PNG image", "png", "image/png"),
        ExportFormat("whiteboard-csv", "Whiteboard CSV", "csv", "text/csv; charset=utf-8"),
    )
}


class UnknownExport(ValueError):
    """No download of that name."""


@dataclass(frozen=True)
class Download:
    filename: str
    media_type: str
    body: bytes


def _render(name: str, journey_map: JourneyMap, labels: Labels) -> bytes:
    if name == "pdf":
        from synthesis.render_pdf import render_pdf

        return render_pdf(journey_map, labels)
    if name == "png":
        from synthesis.render_map_image import render_map_png

        return render_map_png(journey_map, labels)
    from synthesis.render_whiteboard import render_whiteboard_csv

    return render_whiteboard_csv(journey_map).encode("utf-8")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "map"


class MapExports:
    """The curated maps of ``review`` as files."""

    def __init__(self, review: ReviewService, *, cached: int = CACHED_DOCUMENTS) -> None:
        self.review = review
        self._documents: Lru[tuple[int, int, str, bool, str], bytes] = Lru(cached)

    def download(
        self, run_id: int, name: str, *, include_personal_data: bool, shared_by: str = ""
    ) -> Download:
        """Run ``run_id``'s curated map as the export ``name`` (raises
        :class:`UnknownExport`, and the review service's errors for a missing run).
        ``shared_by``: the document is for a share link's visitors, and says whose."""
        found = EXPORT_FORMATS.get(name)
        if found is None:
            raise UnknownExport(f"There is no download called {name[:40]!r}.")
        reviewed = self.review.reviewed(run_id, personal=True)
        info = reviewed.run.info
        key = (run_id, reviewed.layer.version, name, include_personal_data, shared_by)
        privacy = "personal data included" if include_personal_data else "personal data redacted"
        if shared_by:
            note = f"Shared read-only by {shared_by}; {privacy}."
        else:
            note = f"Run {run_id}, curated (edit version {reviewed.layer.version}); {privacy}."
        labels = Labels(note=note, footer=f"run {run_id}")

        def make() -> bytes:
            shown = published_map(
                reviewed.curated.journey_map, include_personal_data=include_personal_data
            )
            return _render(name, shown, labels)

        body = self._documents.get(key, make)
        segment = f"-{_slug(info.segment)}" if info.segment else ""
        filename = f"journey-map-{_slug(info.campaign)}{segment}-run{run_id}.{found.suffix}"
        return Download(filename=filename, media_type=found.media_type, body=body)
