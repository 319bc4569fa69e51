"""Stop rules, run by the durable scheduler: a campaign closes at its end date, at its
target of completed interviews, or when its last N completed interviews added no new
pain point (saturation).

Each check is a ``campaign.stop_check`` job (``bot.service.campaign_states``); one that
leaves the campaign open queues the next, ``every`` after its own due moment (so a
re-run of the same check queues the same successor, once). The saturation reading comes
from synthesis, which this package may not import: the composition root hands in a
``SaturationProbe`` (``journeyline.stop_rules_wiring``). It runs outside any write
transaction, since it reads every step of the campaign.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.service.campaign_states import (
    DEFAULT_CHECK_EVERY,
    CloseReason,
    close_in,
    generation,
    schedule_stop_check,
)
from campaigns.scheduler import Claim
from storage import queries
from storage.campaign_quotas import completed_count
from storage.engines import write_session
from storage.models import Campaign
from storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SaturationReading:
    """How saturated a campaign's finished interviews are, in the order they came."""

    interviews: int
    # Interviews since the last one that brought a new pain point.
    since_last_new: int


# The campaign's slug in; None when it has nothing to read yet.
SaturationProbe = Callable[[str], SaturationReading | None]


@dataclass(frozen=True)
class Verdict:
    reason: CloseReason
    note: str


class StopRules:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        saturation: SaturationProbe | None = None,
        every: timedelta = DEFAULT_CHECK_EVERY,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._saturation = saturation
        self._every = every
        self._clock = clock

    def check(
        self, campaign_id: int, *, chain: str, due: datetime, claim: Claim | None = None
    ) -> CloseReason | None:
        """Check the campaign's stop rules; the reason it closed, or None. ``chain``: the
        save of the campaign that queued this check (an older one's chain just ends);
        ``due``: when this check was due (its successor is due ``every`` after)."""
        with self._sessions() as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None or campaign.status == "closed" or generation(campaign) != chain:
                verdict, slug = None, None
            else:
                slug = campaign.slug
                verdict = self._rules(session, campaign)
        if verdict is None and slug is not None:
            verdict = self._saturated(slug=slug, campaign_id=campaign_id)
        now = self._clock()
        with write_session(self._sessions) as session:
            if claim is not None:
                claim.finish(session, now=now)
            if slug is None:
                return None
            campaign = queries.get_campaign_by_slug(session, slug)
            if campaign is None or campaign.status == "closed" or generation(campaign) != chain:
                return None  # closed or edited meanwhile: that change queued its own check
            if verdict is not None:
                close_in(session, campaign, reason=verdict.reason, note=verdict.note, now=now)
                log.info("campaign %s closed: %s", slug, verdict.note)
                return verdict.reason
            schedule_stop_check(session, campaign, now=now, every=self._every, after=due)
            return None

    def _rules(self, session: Session, campaign: Campaign) -> Verdict | None:
        now = self._clock()
        if campaign.ends_at is not None and campaign.ends_at <= now:
            return Verdict(CloseReason.END_DATE, "Its end date came.")
        target = campaign.target_completes
        if target is not None and completed_count(session, campaign_id=campaign.id) >= target:
            return Verdict(
                CloseReason.TARGET, f"It reached its target of {target} completed interviews."
            )
        return None

    def _saturated(self, *, slug: str, campaign_id: int) -> Verdict | None:
        with self._sessions() as session:
            campaign = session.get(Campaign, campaign_id)
            wanted = None if campaign is None else campaign.saturation_n
            completed = completed_count(session, campaign_id=campaign_id) if wanted else 0
        if wanted is None or self._saturation is None or completed < wanted:
            return None  # cheaper than reading the steps: too few interviews to tell
        reading = self._saturation(slug)
        if reading is None or reading.interviews < wanted or reading.since_last_new < wanted:
            return None
        return Verdict(
            CloseReason.SATURATION,
            f"Its last {reading.since_last_new} finished interviews added no new pain point "
            f"(the rule: {wanted}).",
        )
