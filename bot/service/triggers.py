"""Interviews triggered by a closed support case: a helpdesk (or any system) reports
the case, and the person is invited a while later, if the campaign samples this case
and nobody has asked them in the last days.

A campaign takes triggered invitations once it has a trigger wave (`configure`): its
channel, the delay after the case closes, the share of cases sampled, the cool-down,
and the wave's rate, reminders and expiry. Each case is one invitation at most, however
often it is reported (a helpdesk retries webhooks): the case id is the job's key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session, sessionmaker

from bot.service.errors import CampaignNotFound
from bot.service.invitations import InvalidSchedule, WaveSummary, wave_summary
from bot.service.link_tokens import LinkTokens, new_salt
from bot.service.participant_rows import parse_participants
from storage import invitations as store
from storage import jobs, queries
from storage.engines import write_session
from storage.scheduler_models import InvitationWave, TriggeredCase
from storage.types import utcnow

SEND = "invitation.send"  # the scheduler's job kind (campaigns.sends.SEND)

Outcome = Literal[
    "scheduled", "already_reported", "not_sampled", "cooling_down", "suppressed", "no_trigger"
]


@dataclass(frozen=True)
class ClosedCase:
    """A support case that ended: whose, when, and what to keep about them."""

    case_id: str
    closed_at: datetime
    email: str | None = None
    slack_user_id: str | None = None
    name: str | None = None
    language: str | None = None
    attributes: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Triggered:
    outcome: Outcome
    send_at: datetime | None = None


class InvalidCase(ValueError):
    """A case that cannot be taken (no way to reach the person, a bad address)."""


def sampled(case_id: str, rate: float) -> bool:
    """Whether the case is in the sample: decided by its id's hash, so a retried report
    of the same case gets the same answer."""
    digest = hashlib.sha256(case_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


class Triggers:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        tokens: LinkTokens,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._tokens = tokens
        self._clock = clock

    def configure(
        self,
        *,
        campaign_slug: str,
        channel: str = "email",
        delay: timedelta = timedelta(hours=1),
        sample_rate: float = 1.0,
        cooldown_days: int = 90,
        rate_per_second: float = 5.0,
        remind_after: timedelta | None = None,
        max_reminders: int = 0,
        expire_after: timedelta | None = None,
    ) -> WaveSummary:
        """Give the campaign a trigger wave (a newer one replaces it for new cases)."""
        if channel not in ("email", "slack"):
            raise InvalidSchedule("triggered invitations go by email or slack")
        if not 0 < sample_rate <= 1:
            raise InvalidSchedule("the sampling rate is a share above 0 and at most 1")
        if cooldown_days < 0 or delay < timedelta(0):
            raise InvalidSchedule("the delay and the cool-down cannot be negative")
        if max_reminders and remind_after is None:
            raise InvalidSchedule("reminders need a delay between them")
        now = self._clock()
        with write_session(self._sessions) as session:
            campaign = queries.get_campaign_by_slug(session, campaign_slug)
            if campaign is None:
                raise CampaignNotFound(campaign_slug)
            wave = store.create_wave(
                session,
                campaign=campaign,
                kind="trigger",
                channel=channel,
                scheduled_at=now,
                time_zone="UTC",
                rate_per_second=rate_per_second,
                now=now,
                remind_after_seconds=int(remind_after.total_seconds()) if remind_after else None,
                max_reminders=max_reminders,
                expire_after_seconds=int(expire_after.total_seconds()) if expire_after else None,
                delay_seconds=int(delay.total_seconds()),
                sample_rate=sample_rate,
                cooldown_days=cooldown_days,
            )
            # A trigger wave has no start of its own: each case adds its invitation.
            wave.state = "started"
            wave.started_at = now
            return wave_summary(session, wave, campaign_slug)

    def case_closed(self, *, campaign_slug: str, case: ClosedCase) -> Triggered:
        """Invite the person behind ``case`` ``delay`` after it closed, unless the case
        was reported before, is not sampled, the person was invited or interviewed
        within the cool-down, or is suppressed. Raises `CampaignNotFound`,
        `InvalidCase`."""
        row = _checked(case)
        now = self._clock()
        with write_session(self._sessions) as session:
            campaign = queries.get_campaign_by_slug(session, campaign_slug)
            if campaign is None:
                raise CampaignNotFound(campaign_slug)
            wave = store.trigger_wave(session, campaign_id=campaign.id)
            if wave is None:
                return Triggered("no_trigger")
            send_at = max(case.closed_at + timedelta(seconds=wave.delay_seconds or 0), now)
            reported = store.record_case(session, wave_id=wave.id, case_id=case.case_id, now=now)
            if reported is None:
                return Triggered("already_reported")
            outcome = self._decide(session, campaign.id, wave, row, case, reported, send_at, now)
            reported.outcome = outcome
            return Triggered(outcome, send_at if outcome == "scheduled" else None)

    def _decide(
        self,
        session: Session,
        campaign_id: int,
        wave: InvitationWave,
        row: Any,
        case: ClosedCase,
        reported: TriggeredCase,
        send_at: datetime,
        now: datetime,
    ) -> Outcome:
        if not sampled(case.case_id, wave.sample_rate or 1.0):
            return "not_sampled"
        if store.suppressed(session, kind="email", values=[row.email or ""]) or (
            store.suppressed(session, kind="slack", values=[row.slack_user_id or ""])
        ):
            return "suppressed"
        since = now - timedelta(days=wave.cooldown_days or 0)
        if wave.cooldown_days and store.recently_contacted(
            session, email=row.email, slack_user_id=row.slack_user_id, since=since
        ):
            return "cooling_down"
        person = store.get_participant(session, campaign_id=campaign_id, external_id=row.key())
        if person is None:
            person = store.add_participant(
                session, campaign_id=campaign_id, external_id=row.key(), now=now,
                display_name=row.name, email=row.email, slack_user_id=row.slack_user_id,
                language=row.language, attributes=row.attributes,
            )  # fmt: skip
        elif store.invitations_of(
            session, campaign_id=campaign_id, wave_id=wave.id, participant_ids=[person.id]
        ):
            # One invitation per person and trigger wave: past the cool-down, a newer
            # trigger wave asks them again.
            return "cooling_down"
        salt = new_salt()
        link_hash, optout_hash = self._tokens.hashes(salt)
        (invitation_id,) = store.add_invitations(
            session,
            wave=wave,
            invitations=[store.NewInvitation(person.id, salt, link_hash, optout_hash)],
            now=now,
        )
        reported.invitation_id = invitation_id
        jobs.enqueue(
            session, kind=SEND, key=f"invitation:{invitation_id}:0", run_at=send_at,
            now=now, payload={"invitation": invitation_id, "number": 0},
        )  # fmt: skip
        return "scheduled"


def _checked(case: ClosedCase) -> Any:
    """The case's person as a checked participant row (the CSV rules)."""
    header = ["external_id", "email", "slack_user_id", "name", "language"]
    values = [
        f"case-person:{(case.email or case.slack_user_id or '').lower()}",
        case.email or "",
        case.slack_user_id or "",
        case.name or "",
        case.language or "",
    ]
    extra = {str(k): str(v) for k, v in (case.attributes or {}).items() if v is not None}
    header += list(extra)
    values += list(extra.values())
    text = ",".join(header) + "\n" + ",".join(_csv(v) for v in values) + "\n"
    parsed = parse_participants(text)
    if parsed.problems or not parsed.rows:
        raise InvalidCase("; ".join(p.message for p in parsed.problems) or "nothing to read")
    row = parsed.rows[0]
    return row


def _csv(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'
