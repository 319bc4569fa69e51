"""What the console's home and the campaigns API show: campaigns with their counts."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.service.console.views import CampaignSummary
from storage.campaign_overview import campaign_counts

IN_PROGRESS = ("awaiting_consent", "active", "paused")


def campaign_summaries(read_sessions: sessionmaker[Session]) -> list[CampaignSummary]:
    """Every campaign, newest first, with participants and interviews by state."""
    with read_sessions.begin() as session:
        rows = campaign_counts(session)
    return [
        CampaignSummary(
            slug=row.slug,
            name=row.name,
            guide=f"{row.guide_name} v{row.guide_version}",
            open_link=row.open_link,
            created_at=row.created_at,
            participants=row.participants,
            interviews=row.interviews,
            completed=row.statuses.get("completed", 0),
            in_progress=sum(row.statuses.get(status, 0) for status in IN_PROGRESS),
            declined=row.statuses.get("declined", 0),
            last_activity_at=row.last_activity_at,
        )
        for row in rows
    ]
