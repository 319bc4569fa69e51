"""Which map series a run belongs to, as the workspace's tables key it: the campaign's
id and the segment (threads, actions and the curation layer all hang on the series, so
they carry over from run to run)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.service.review.errors import MapNotFound
from storage import queries
from synthesis.runs import RunInfo


@dataclass(frozen=True)
class SeriesRef:
    campaign_id: int
    segment: str


def series_ref(session: Session, info: RunInfo) -> SeriesRef:
    campaign = queries.get_campaign_by_slug(session, info.campaign)
    if campaign is None:
        raise MapNotFound(info.id)
    return SeriesRef(campaign.id, info.segment)
