"""The journey map as a CSV laid out for a whiteboard (Miro, FigJam): stages as
columns, lanes as rows, one short text per cell.

Whiteboards turn an imported CSV grid into one sticky note per cell, placed as the cells
are (Miro's CSV import; FigJam pastes it as a table), so the file is the map's grid
itself: the first row names the stages in journey order, the first column the lanes
(doing, thinking, channels, people, tools and systems, time, feeling, pains, pain
points, moments of truth, then a row per quote). Each cell stays on one line (some
importers break rows at any line break) and within ``MAX_CELL`` characters, so a sticky
stays readable. Every cell is formula-guarded as the other CSV files are
(:func:`synthesis.spreadsheet_text.spreadsheet_text`): the same file opened in a
spreadsheet runs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from synthesis.formatting import human_minutes
from synthesis.model import Count, JourneyMap, Quote, Stage
from synthesis.render_csv import csv_table
from synthesis.render_html import channel_label
from synthesis.spreadsheet_text import spreadsheet_text

MAX_CELL = 280
QUOTE_ROWS = 3
SEPARATOR = " · "


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_CELL else flat[: MAX_CELL - 1].rstrip() + "…"


def _counts(counts: Iterable[Count], *, limit: int = 4, label: Callable[[str], str] = str) -> str:
    return SEPARATOR.join(f"{label(c.value)} ({c.count})" for c in list(counts)[:limit])


def _quote(quote: Quote) -> str:
    # The interview's first characters say where the words come from without the
    # sticky turning into an id.
    return f"“{' '.join(quote.text.split())}” (interview {quote.interview_id[:8]})"


def _feeling(stage: Stage) -> str:
    mean = stage.feeling.mean
    if mean is None:
        return "no ratings"
    return f"{mean:.1f}/5 ± {stage.feeling.spread or 0:.1f} ({stage.feeling.rated} rated)"


def render_whiteboard_csv(journey_map: JourneyMap) -> str:
    """The map's grid as CSV text (RFC 4180, CRLF): a header row of stages, a row per
    lane; empty cells where a stage has nothing in that lane."""
    stages = journey_map.stages
    points: dict[str, list[str]] = {s.id: [] for s in stages}
    for p in journey_map.pain_points:
        for sid in p.stages:
            points.setdefault(sid, []).append(f"#{p.rank} {p.label}")
    ideas: dict[str, list[str]] = {s.id: [] for s in stages}
    for o in journey_map.opportunities:
        for sid in o.stages:
            ideas.setdefault(sid, []).append(o.label)

    lanes: list[tuple[str, Callable[[Stage], str]]] = [
        ("Doing", lambda s: s.doing or ""),
        ("Thinking", lambda s: SEPARATOR.join(t.label for t in s.thinking[:2])),
        ("Channels", lambda s: SEPARATOR.join(
            f"{channel_label(c.value)} {c.share:.0%}" for c in s.channel_mix[:4]
        )),
        ("People", lambda s: _counts(s.people)),
        ("Tools & systems", lambda s: _counts(s.tools)),
        ("Time", lambda s: "" if s.duration_median_minutes is None
            else f"median {human_minutes(s.duration_median_minutes)}"),
        ("Feeling", _feeling),
        ("Pains", lambda s: _counts(s.pains, limit=5, label=lambda v: v.replace("_", " "))),
        ("Pain points", lambda s: SEPARATOR.join(points.get(s.id, [])[:4])),
        ("Moments of truth", lambda s: f"{len(s.moments_of_truth)} named a step here as "
            "make-or-break" if s.moments_of_truth else ""),
        ("Opportunities", lambda s: SEPARATOR.join(ideas.get(s.id, [])[:3])),
    ]  # fmt: skip
    header = ["Lane", *(f"{n}. {s.name}" for n, s in enumerate(stages, start=1))]
    rows = [[lane, *(cell(s) for s in stages)] for lane, cell in lanes]
    for n in range(QUOTE_ROWS):
        rows.append(
            [f"Quote {n + 1}", *(_quote(s.quotes[n]) if n < len(s.quotes) else "" for s in stages)]
        )
    return csv_table(
        [spreadsheet_text(_short(h)) for h in header], ([_short(c) for c in row] for row in rows)
    )
