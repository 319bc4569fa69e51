"""CSV tables of a journey map: stages, pain points, opportunities and which stage
every step is in.

RFC 4180 CSV (comma, double quotes, CRLF), UTF-8. Every text cell goes through
:func:`synthesis.spreadsheet_text.spreadsheet_text`: visible, and an apostrophe before
any formula character (``= + - @``) that starts a cell in a ``,`` or a ``;`` reading of
the file, at the field's start and after every ``,`` ``;`` and line break, so quotes and
joined lists (people, tools) cannot run as formulas; the customer's words follow intact.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from synthesis.model import Count, JourneyMap, Quote
from synthesis.spreadsheet_text import spreadsheet_text

QUOTES = 3


def render_stages_csv(journey_map: JourneyMap) -> str:
    header = [
        "stage_id",
        "order",
        "name",
        "keywords",
        "median_position",
        "steps",
        "interviews",
        "interview_share",
        "feeling_rated",
        "feeling_mean",
        "feeling_spread",
        "duration_median_minutes",
        "duration_p90_minutes",
        "channel_mix",
        "people",
        "tools",
        "pains",
        "moments_of_truth",
        "frame_stage",
        "description",
        "doing",
        "thinking",
        "comebacks",
        *_quote_header(),
    ]
    rows = [
        [
            s.id,
            order,
            s.name,
            "; ".join(s.keywords),
            s.median_position,
            s.step_count,
            s.interviews,
            s.interview_share,
            s.feeling.rated,
            s.feeling.mean,
            s.feeling.spread,
            s.duration_median_minutes,
            s.duration_p90_minutes,
            _counts(s.channel_mix),
            _counts(s.people),
            _counts(s.tools),
            _counts(s.pains),
            len(s.moments_of_truth),
            s.frame_stage,
            s.description,
            s.doing,
            "; ".join(f"{t.label} ({t.interviews})" for t in s.thinking),
            s.comebacks,
            *_quote_cells(s.quotes),
        ]
        for order, s in enumerate(journey_map.stages, start=1)
    ]
    return csv_table(header, rows)


def render_pain_points_csv(journey_map: JourneyMap) -> str:
    header = [
        "pain_point_id",
        "rank",
        "label",
        "tags",
        "keywords",
        "evidence",
        "interviews",
        "interview_share",
        "severity",
        "score",
        "stages",
        *_quote_header(),
    ]
    rows = [
        [
            p.id,
            p.rank,
            p.label,
            "; ".join(p.tags),
            "; ".join(p.keywords),
            p.evidence,
            p.interviews,
            p.interview_share,
            p.severity,
            p.score,
            "; ".join(p.stages),
            *_quote_cells(p.quotes),
        ]
        for p in journey_map.pain_points
    ]
    return csv_table(header, rows)


def render_opportunities_csv(journey_map: JourneyMap) -> str:
    header = [
        "opportunity_id",
        "label",
        "interviews",
        "interview_share",
        "pain_points",
        "stages",
        *_quote_header(),
    ]
    rows = [
        [
            o.id,
            o.label,
            o.interviews,
            o.interview_share,
            "; ".join(o.pain_points),
            "; ".join(o.stages),
            *_quote_cells(o.quotes),
        ]
        for o in journey_map.opportunities
    ]
    return csv_table(header, rows)


def render_step_assignments_csv(journey_map: JourneyMap) -> str:
    """One row per step: its stage, and the pain points it is evidence for."""
    pains: dict[tuple[str, int], list[str]] = {}
    for p in journey_map.pain_points:
        for ref in p.steps:
            pains.setdefault((ref.interview_id, ref.ordinal), []).append(p.id)
    order = {interview_id: i for i, interview_id in enumerate(journey_map.interview_ids)}
    rows = sorted(
        (
            [ref.interview_id, ref.ordinal, s.id, s.name, "; ".join(pains.get(key, []))]
            for s in journey_map.stages
            for ref in s.steps
            for key in [(ref.interview_id, ref.ordinal)]
        ),
        key=lambda row: (order.get(str(row[0]), len(order)), str(row[0]), int(str(row[1]))),
    )
    return csv_table(
        ["interview_id", "step_ordinal", "stage_id", "stage_name", "pain_points"], rows
    )


def _quote_header() -> list[str]:
    return [
        f"quote_{n}_{field}"
        for n in range(1, QUOTES + 1)
        for field in ("text", "interview_id", "message_id", "step_ordinal")
    ]


def _quote_cells(quotes: Sequence[Quote]) -> list[object]:
    cells: list[object] = []
    for n in range(QUOTES):
        if n < len(quotes):
            q = quotes[n]
            cells += [q.text, q.interview_id, q.message_id, q.step_ordinal]
        else:
            cells += ["", "", "", ""]
    return cells


def _counts(counts: Iterable[Count]) -> str:
    return "; ".join(f"{c.value} {c.count}" for c in counts)


def _cell(value: object) -> str:
    if value is None:
        return ""
    return spreadsheet_text(value) if isinstance(value, str) else str(value)


def csv_table(header: list[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buffer.getvalue()
