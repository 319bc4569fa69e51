"""Campaigns with their interview counts, in one query (the console's home, the API).

Counting in SQL, grouped by campaign and status, rather than loading every interview:
a campaign may hold tens of thousands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Campaign, Interview, Participant


@dataclass
class CampaignCounts:
    """One campaign and how its interviews stand."""

    slug: str
    name: str
    guide_name: str
    guide_version: str
    open_link: bool
    created_at: datetime
    # Migration 0016: open or closed, the dates, and the target of completed interviews.
    status: str = "open"
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    time_zone: str = "UTC"
    target_completes: int | None = None
    closed_reason: str | None = None
    participants: int = 0
    # Interview status -> count ("in_progress", "completed", "declined", ...).
    statuses: dict[str, int] = field(default_factory=dict)
    last_activity_at: datetime | None = None

    @property
    def interviews(self) -> int:
        return sum(self.statuses.values())


def campaign_counts(session: Session) -> list[CampaignCounts]:
    """Every campaign, newest first, with its interviews counted by status, its
    participants counted and the time its last interview moved."""
    campaigns = {
        row.id: CampaignCounts(
            slug=row.slug,
            name=row.name,
            guide_name=row.guide_name,
            guide_version=row.guide_version,
            open_link=row.open_link,
            created_at=row.created_at,
            status=row.status,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            time_zone=row.time_zone,
            target_completes=row.target_completes,
            closed_reason=row.closed_reason,
        )
        for row in session.scalars(select(Campaign).order_by(Campaign.id.desc()))
    }
    by_status = select(
        Interview.campaign_id, Interview.status, func.count(), func.max(Interview.updated_at)
    ).group_by(Interview.campaign_id, Interview.status)
    for campaign_id, status, count, last in session.execute(by_status):
        counts = campaigns.get(campaign_id)
        if counts is None:
            continue  # a campaign created after the first query, in another transaction
        counts.statuses[status] = int(count)
        if last is not None and (counts.last_activity_at is None or last > counts.last_activity_at):
            counts.last_activity_at = last
    people = select(Participant.campaign_id, func.count()).group_by(Participant.campaign_id)
    for campaign_id, count in session.execute(people):
        if campaign_id in campaigns:
            campaigns[campaign_id].participants = int(count)
    return list(campaigns.values())
