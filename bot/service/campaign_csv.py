"""CSV files researchers download: personal links for a mail merge, a campaign's
progress. Every text cell is made safe for spreadsheets (no formula runs)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from bot.service.invitations import LinkRow
from bot.service.participants import FUNNEL
from bot.service.progress import CampaignProgress, FunnelCell
from synthesis.spreadsheet_text import spreadsheet_text

LINK_COLUMNS = ("participant", "name", "email", "link", "status")


def _write(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_text(v) if isinstance(v, str) else v for v in row])
    return out.getvalue()


def links_csv(rows: Iterable[LinkRow]) -> str:
    """participant, name, email, link, status: one row per personal link."""
    return _write(LINK_COLUMNS, ((r.participant, r.name, r.email, r.link, r.status) for r in rows))


def progress_csv(progress: CampaignProgress) -> str:
    """One row per funnel cell: its level (campaign, wave, channel or the attribute's
    name), its label, the participants, each funnel step, and the share completed of
    those invited."""
    levels: list[tuple[str, list[FunnelCell]]] = [
        ("campaign", [progress.total]),
        ("wave", progress.waves),
        ("channel", progress.channels),
    ]
    if progress.attribute:
        levels.append((f"attribute:{progress.attribute}", progress.values))

    def rows() -> Iterable[list[object]]:
        for level, cells in levels:
            for cell in cells:
                share = cell.share("completed")
                yield [
                    level,
                    cell.label,
                    cell.participants,
                    *(cell.steps[step] for step in FUNNEL),
                    "" if share is None else f"{share:.3f}",
                ]

    return _write(["level", "cell", "participants", *FUNNEL, "completed_share"], rows())
