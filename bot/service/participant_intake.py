"""Participants added one or many at a time by a script (the console API's
``POST /api/v1/campaigns/{slug}/participants``), each optionally invited at once or
after a delay.

Items are checked like a participant list's rows (``participant_rows``) and stored by
the same function as the CSV import (``participants.store_rows``), so someone sent
again (same external id, email or Slack id) is updated, never added twice; someone
suppressed is left out. An invitation is made only for a person with no invitation on
that channel yet (revoked ones do not count) and no interview: a retried request
invites nobody twice. Invitations of one request share one wave (kind ``direct``),
made only when someone is invited, so the wave's reminders and expiry apply to them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.service.campaign_states import Availability, availability
from bot.service.errors import CampaignNotFound
from bot.service.invitations import CHANNELS, MAX_REMINDERS, InvalidSchedule
from bot.service.link_tokens import LinkTokens, new_salt
from bot.service.participant_rows import Problem, parse_participant_items
from bot.service.participants import ImportReport, store_rows
from storage import invitations as store
from storage import jobs, queries
from storage.engines import write_session
from storage.models import Campaign, Participant
from storage.scheduler_models import InvitationWave
from storage.types import utcnow

SEND = "invitation.send"  # the scheduler's job kind (campaigns.sends.SEND)
DIRECT = "direct"
MAX_DELAY = timedelta(days=365)


@dataclass(frozen=True)
class InvitationRequest:
    """Invite the added people on ``channel`` after ``delay``, reminded ``max_reminders``
    times ``remind_after`` apart, their links closing ``expire_after`` after sending."""

    channel: str
    delay: timedelta = timedelta(0)
    remind_after: timedelta | None = None
    max_reminders: int = 0
    expire_after: timedelta | None = None

    def check(self) -> None:
        if self.channel not in CHANNELS:
            raise InvalidSchedule(f"unknown channel {self.channel!r}: use email, slack or link")
        if not timedelta(0) <= self.delay <= MAX_DELAY:
            raise InvalidSchedule("the delay is between 0 and 365 days")
        if not 0 <= self.max_reminders <= MAX_REMINDERS:
            raise InvalidSchedule(f"at most {MAX_REMINDERS} reminders")
        if self.max_reminders and self.remind_after is None:
            raise InvalidSchedule("reminders need remind_after_hours")
        if self.max_reminders and self.channel == "link":
            raise InvalidSchedule("links are handed out by you: journeyline cannot remind")


@dataclass
class ItemResult:
    """What became of one item: ``outcome`` ``added``, ``updated``, ``suppressed`` or
    ``invalid`` (with ``problems``); ``invitation`` ``scheduled``, ``sent`` (a link),
    ``already_invited`` or None; ``link`` for a link invitation."""

    index: int
    outcome: str
    participant_id: int | None = None
    external_id: str | None = None
    invitation: str | None = None
    send_at: datetime | None = None
    link: str | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class IntakeReport:
    items: list[ItemResult]
    wave_id: int | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.items if item.outcome == outcome)


class ParticipantIntake:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        tokens: Callable[[], LinkTokens],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._tokens = tokens
        self._clock = clock

    def add(
        self,
        *,
        campaign_slug: str,
        items: Sequence[Mapping[str, Any]],
        invitation: InvitationRequest | None = None,
    ) -> IntakeReport:
        """Store the good items (in one transaction) and invite them if asked; every
        item's result in order. Raises `CampaignNotFound`, `InvalidSchedule`."""
        if invitation is not None:
            invitation.check()
        parsed = parse_participant_items(items)
        results = [ItemResult(index=i, outcome="invalid") for i in range(len(items))]
        for problem in parsed.problems:
            results[problem.line].problems.append(problem)
        report = ImportReport()
        now = self._clock()
        with write_session(self._sessions) as session:
            campaign = queries.get_campaign_by_slug(session, campaign_slug)
            if campaign is None:
                raise CampaignNotFound(campaign_slug)
            if invitation is not None and availability(campaign, now) is Availability.CLOSED:
                # Nothing stored: the caller can add the people without inviting them.
                raise InvalidSchedule(
                    f"the campaign {campaign_slug!r} is closed: reopen it to invite people"
                )
            stored = store_rows(
                session, campaign=campaign, rows=parsed.rows, report=report, now=now
            )
            for line, _ in report.suppressed:
                results[line].outcome = "suppressed"
            for problem in report.problems:
                results[problem.line].problems.append(problem)
            for line, (person, new) in stored.items():
                result = results[line]
                result.participant_id, result.external_id = person.id, person.external_id
                result.outcome = "added" if new else "updated"
            wave_id = None
            if invitation is not None:
                people = [(results[line], person) for line, (person, _) in sorted(stored.items())]
                wave_id = self._invite(session, campaign, people, invitation, now)
        return IntakeReport(items=results, wave_id=wave_id)

    def _invite(
        self,
        session: Session,
        campaign: Campaign,
        people: list[tuple[ItemResult, Participant]],
        request: InvitationRequest,
        now: datetime,
    ) -> int | None:
        """Invite those of ``people`` not invited on the channel yet; the wave's id (None
        when nobody needed an invitation)."""
        fresh = {
            p.id
            for p in store.participants_to_invite(
                session, campaign_id=campaign.id, channel=request.channel
            )
        }
        wanted = []
        for result, person in people:
            if person.id in fresh:
                wanted.append((result, person))
                fresh.discard(person.id)  # an item listed twice is invited once
            else:
                result.invitation = "already_invited"
        if not wanted:
            return None
        wave = self._wave(session, campaign, request, now)
        tokens = self._tokens()
        salts = [new_salt() for _ in wanted]
        new = []
        for (_, person), salt in zip(wanted, salts, strict=True):
            link_hash, optout_hash = tokens.hashes(salt)
            new.append(store.NewInvitation(person.id, salt, link_hash, optout_hash))
        link = request.channel == "link"
        ids = store.add_invitations(
            session,
            wave=wave,
            invitations=new,
            now=now,
            status=store.SENT if link else store.PENDING,
            expires_at=now + request.expire_after if link and request.expire_after else None,
        )
        send_at = now + request.delay
        for (result, _), invitation_id, salt in zip(wanted, ids, salts, strict=True):
            if link:
                result.invitation, result.link = "sent", tokens.interview_link(salt)
                continue
            jobs.enqueue(
                session, kind=SEND, key=f"invitation:{invitation_id}:0", run_at=send_at,
                now=now, payload={"invitation": invitation_id, "number": 0},
            )  # fmt: skip
            result.invitation, result.send_at = "scheduled", send_at
        return wave.id

    @staticmethod
    def _wave(
        session: Session, campaign: Campaign, request: InvitationRequest, now: datetime
    ) -> InvitationWave:
        wave = store.create_wave(
            session,
            campaign=campaign,
            kind=DIRECT,
            channel=request.channel,
            scheduled_at=now + request.delay,
            time_zone="UTC",
            rate_per_second=10.0,
            now=now,
            remind_after_seconds=int(request.remind_after.total_seconds())
            if request.remind_after and request.max_reminders
            else None,
            max_reminders=request.max_reminders,
            expire_after_seconds=int(request.expire_after.total_seconds())
            if request.expire_after
            else None,
        )
        # No start of its own: its invitations are made here, now.
        wave.state = "started"
        wave.started_at = now
        return wave
