"""What the console's home and the campaigns API show: campaigns with their counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.service.campaign_states import availability_at
from bot.service.console.views import CampaignSummary
from storage.campaign_overview import campaign_counts

IN_PROGRESS = ("awaiting_consent", "active", "paused")


def campaign_summaries(
    read_sessions: sessionmaker[Session], *, now: datetime
) -> list[CampaignSummary]:
    """Every campaign, newest first, with participants and interviews by state, and
    whether it takes interviews at ``now``."""
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
            status=availability_at(
                status=row.status, starts_at=row.starts_at, ends_at=row.ends_at, now=now
            ).value,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            time_zone=row.time_zone,
            target_completes=row.target_completes,
            closed_reason=row.closed_reason,
        )
        for row in rows
    ]
