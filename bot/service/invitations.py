"""Invitation waves for researchers: schedule, revoke, export links, opt out, suppress.

Scheduling stores the wave and one durable job due at its start (``wave.start``); the
scheduler's workers (``campaigns.scheduler``) do the rest. Nothing here sends anything,
so the console and the CLI can call it from a request or a command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session, sessionmaker

from bot.service.access_tokens import hash_token
from bot.service.campaign_states import Availability, availability
from bot.service.email_templates import KINDS, InvalidTemplate, Wording, check
from bot.service.errors import CampaignNotFound
from bot.service.link_tokens import LinkTokens
from bot.service.links import LinkNotFound
from storage import invitations as store
from storage import jobs, queries
from storage.engines import write_session
from storage.models import Campaign
from storage.scheduler_models import InvitationWave
from storage.types import utcnow

CHANNELS = ("email", "slack", "link")
WAVE_START = "wave.start"
MAX_RATE_PER_SECOND = 1000.0
MAX_REMINDERS = 10
SUPPRESSION_KINDS = ("email", "slack")


class InvalidSchedule(ValueError):
    """A wave that cannot be scheduled as asked (the message says why)."""


class WaveNotFound(LookupError):
    def __init__(self, wave_id: int, campaign: str) -> None:
        super().__init__(f"no invitation wave {wave_id} in campaign {campaign!r}")


@dataclass(frozen=True)
class WaveSummary:
    id: int
    campaign: str
    kind: str
    channel: str
    scheduled_at: datetime
    time_zone: str
    rate_per_second: float
    remind_after: timedelta | None
    max_reminders: int
    expire_after: timedelta | None
    state: str
    counts: dict[str, int]
    participant_time: bool = False
    # Scheduled before with the same terms: this call added nothing.
    already: bool = False
    started_at: datetime | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class SchedulerStatus:
    """Jobs by (kind, state), and recent failures: (job id, kind, when, last error line)."""

    counts: dict[tuple[str, str], int]
    failures: list[tuple[int, str, datetime | None, str]]


@dataclass(frozen=True)
class LinkRow:
    """A personal link for a tool of the researcher's choice (a CSV row)."""

    participant: str
    name: str
    email: str
    link: str
    status: str


@dataclass(frozen=True)
class OptedOut:
    """Who opted out, masked for the page (``a***@example.com``), and whether they were
    on the list already."""

    address: str
    already: bool


# The earliest time zone in use is UTC+14 (Kiribati's Line Islands).
EARLIEST_OFFSET = timedelta(hours=14)


def wall_clock(at: datetime, zone: str) -> datetime:
    """``at`` as a naive wall-clock time in ``zone``."""
    return at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def local_start(at: datetime, wave_zone: str, person_zone: str | None) -> datetime:
    """When a person in ``person_zone`` (None: the wave's) reaches ``at``'s wall-clock
    time in ``wave_zone``, in UTC."""
    zone = person_zone or wave_zone
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo(wave_zone)
    return wall_clock(at, wave_zone).replace(tzinfo=tz).astimezone(UTC)


def first_local_start(at: datetime, wave_zone: str) -> datetime:
    """When ``at``'s wall-clock time comes first anywhere on Earth."""
    return wall_clock(at, wave_zone).replace(tzinfo=UTC) - EARLIEST_OFFSET


def _seconds(span: timedelta | None) -> int | None:
    return None if span is None else int(span.total_seconds())


class Invitations:
    """Schedules and revokes waves, exports links and keeps the suppression list."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        tokens: LinkTokens | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._tokens = tokens
        self._clock = clock

    def schedule_wave(
        self,
        *,
        campaign_slug: str,
        channel: str,
        at: datetime,
        time_zone: str = "UTC",
        rate_per_second: float = 10.0,
        remind_after: timedelta | None = None,
        max_reminders: int | None = None,
        expire_after: timedelta | None = None,
        participant_time: bool = False,
    ) -> WaveSummary:
        """Schedule a wave to the campaign's participants not invited on ``channel``
        yet, starting at ``at`` (aware; ``time_zone`` is how it was given, to show it
        back). Who is in it is decided at the start, so people imported until then are
        included. ``remind_after`` with ``max_reminders`` (default 1 when only
        ``remind_after`` is given) sends reminders to those who have not started;
        ``expire_after`` closes each link that long after its invitation was sent.
        ``participant_time``: each person gets it at ``at``'s wall-clock time in their
        own time zone (``time_zone`` for people without one); the wave then starts 14
        hours early, when that time comes in the first zone (UTC+14). Raises
        `InvalidSchedule` or `CampaignNotFound`."""
        if channel not in CHANNELS:
            raise InvalidSchedule(f"unknown channel {channel!r}: use email, slack or link")
        if at.tzinfo is None:
            raise InvalidSchedule("the start time needs a time zone")
        if not 0 < rate_per_second <= MAX_RATE_PER_SECOND:
            raise InvalidSchedule(f"the rate must be above 0 and at most {MAX_RATE_PER_SECOND:g}/s")
        reminders = max_reminders if max_reminders is not None else (1 if remind_after else 0)
        if reminders and remind_after is None:
            raise InvalidSchedule("reminders need --remind-after (e.g. 3d)")
        if not 0 <= reminders <= MAX_REMINDERS:
            raise InvalidSchedule(f"at most {MAX_REMINDERS} reminders")
        if reminders and channel == "link":
            raise InvalidSchedule("links are handed out by you: journeyline cannot remind")
        now = self._clock()
        with write_session(self._sessions) as session:
            campaign = _campaign(session, campaign_slug)
            terms = {
                "channel": channel,
                "scheduled_at": at,
                "time_zone": time_zone,
                "rate_per_second": rate_per_second,
                "remind_after_seconds": _seconds(remind_after) if reminders else None,
                "max_reminders": reminders,
                "expire_after_seconds": _seconds(expire_after),
                "local_time": participant_time,
            }
            twin = _same_wave(session, campaign.id, terms)
            if twin is not None:
                # A form sent twice (a double click, a retry): the wave it already made.
                return replace(wave_summary(session, twin, campaign_slug), already=True)
            if availability(campaign, now) is Availability.CLOSED:
                # Its sends would be held anyway; say so now, not at the start time.
                raise InvalidSchedule(
                    f"the campaign {campaign_slug!r} is closed: reopen it to schedule a wave"
                )
            wave = store.create_wave(
                session,
                campaign=campaign,
                channel=channel,
                scheduled_at=at,
                time_zone=time_zone,
                rate_per_second=rate_per_second,
                now=now,
                remind_after_seconds=_seconds(remind_after) if reminders else None,
                max_reminders=reminders,
                expire_after_seconds=_seconds(expire_after),
                local_time=participant_time,
            )
            jobs.enqueue(
                session,
                kind=WAVE_START,
                key=f"wave:{wave.id}:start",
                run_at=first_local_start(at, time_zone) if participant_time else at,
                now=now,
                payload={"wave": wave.id},
            )
            return wave_summary(session, wave, campaign_slug)

    def waves(self, *, campaign_slug: str) -> list[WaveSummary]:
        with self._sessions() as session:
            campaign = _campaign(session, campaign_slug)
            return [
                wave_summary(session, wave, campaign_slug)
                for wave in store.list_waves(session, campaign_id=campaign.id)
            ]

    def revoke(
        self,
        *,
        campaign_slug: str,
        wave_id: int | None = None,
        participant_ids: list[int] | None = None,
    ) -> int:
        """Revoke a wave (``wave_id``), some participants' invitations, or, with
        neither, every wave of the campaign: what was not sent is never sent, links not
        opened stop working, no more reminders. Interviews already opened go on.
        Returns how many invitations were revoked."""
        now = self._clock()
        with write_session(self._sessions) as session:
            campaign = _campaign(session, campaign_slug)
            waves = store.list_waves(session, campaign_id=campaign.id)
            if wave_id is not None:
                waves = [w for w in waves if w.id == wave_id]
                if not waves:
                    raise WaveNotFound(wave_id, campaign_slug)
            if participant_ids is None:
                for wave in waves:
                    if wave.state != store.REVOKED:
                        wave.state = store.REVOKED
                        wave.revoked_at = now
            chosen = {w.id for w in waves}
            targets = [
                i.id
                for i in store.invitations_of(
                    session, campaign_id=campaign.id, participant_ids=participant_ids
                )
                if i.wave_id in chosen
            ]
            return store.revoke_invitations(session, invitation_ids=targets, now=now)

    def export_links(self, *, campaign_slug: str, wave_id: int | None = None) -> list[LinkRow]:
        """Every personal link of the campaign's invitations (of one wave), for a mail
        merge or any other tool: the same links the invitations carry."""
        tokens = self._need_tokens()
        with self._sessions() as session:
            campaign = _campaign(session, campaign_slug)
            rows: list[LinkRow] = []
            for invitation in store.invitations_of(
                session, campaign_id=campaign.id, wave_id=wave_id
            ):
                invite = invitation.invite
                if invite is None:
                    continue
                if hash_token(tokens.token(invitation.link_salt, "link")) != invite.token_hash:
                    continue  # made under another secret: this link would not open
                person = invitation.participant
                rows.append(
                    LinkRow(
                        participant=person.external_id or str(person.id),
                        name=person.display_name or "",
                        email=person.email or "",
                        link=tokens.interview_link(invitation.link_salt),
                        status=invitation.status,
                    )
                )
            return rows

    def opt_out_address(self, token: str) -> str:
        """The masked address an opt-out link is for (raises `LinkNotFound`); changes
        nothing, so a mail scanner that follows links opts nobody out."""
        with self._sessions() as session:
            invitation = store.invitation_by_optout_hash(session, hash_token(token))
            if invitation is None:
                raise LinkNotFound
            return masked_address(
                invitation.participant.email or invitation.participant.slack_user_id or ""
            )

    def opt_out(self, token: str) -> OptedOut:
        """Put the person behind the opt-out ``token`` on the suppression list (email and
        Slack user id): nothing is sent to them again, from any campaign. Raises
        `LinkNotFound`."""
        now = self._clock()
        with write_session(self._sessions) as session:
            invitation = store.invitation_by_optout_hash(session, hash_token(token))
            if invitation is None:
                raise LinkNotFound
            person = invitation.participant
            added = False
            for kind, value in (
                ("email", (person.email or "").lower()),
                ("email", person.slack_email or ""),
                ("slack", person.slack_user_id or ""),
            ):
                if value:
                    added |= store.suppress(
                        session, kind=kind, value=value, reason="opt_out", now=now
                    )
            return OptedOut(
                masked_address(person.email or person.slack_user_id or ""), already=not added
            )

    def suppress(self, *, kind: str, value: str, reason: str = "manual") -> bool:
        """Add an email address or Slack user id to the suppression list."""
        if kind not in SUPPRESSION_KINDS:
            raise ValueError(f"kind must be email or slack, not {kind!r}")
        normalised = value.strip().lower() if kind == "email" else value.strip()
        with write_session(self._sessions) as session:
            return store.suppress(
                session, kind=kind, value=normalised, reason=reason, now=self._clock()
            )

    def unsuppress(self, *, kind: str, value: str) -> bool:
        normalised = value.strip().lower() if kind == "email" else value.strip()
        with write_session(self._sessions) as session:
            return store.unsuppress(session, kind=kind, value=normalised)

    def suppressions(self) -> list[tuple[str, str, str, datetime]]:
        """The suppression list: (kind, address, reason, since)."""
        with self._sessions() as session:
            return [
                (row.kind, row.value, row.reason, row.created_at)
                for row in store.list_suppressions(session)
            ]

    def set_template(
        self,
        *,
        campaign_slug: str,
        kind: str,
        subject: str,
        body_text: str,
        body_html: str | None = None,
    ) -> None:
        """Give the campaign its own ``invitation`` or ``reminder`` email (Jinja2; the
        variables are listed in the README). Checked by rendering it once."""
        if kind not in KINDS:
            raise InvalidTemplate(f"unknown kind of email {kind!r}: use invitation or reminder")
        check(Wording(subject, body_text, body_html))
        with write_session(self._sessions) as session:
            campaign = _campaign(session, campaign_slug)
            store.set_template(
                session,
                campaign_id=campaign.id,
                kind=kind,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                now=self._clock(),
            )

    def scheduler_status(self, *, failures: int = 10) -> SchedulerStatus:
        """The job queue: how many jobs of each kind are in each state, and the most
        recent failures with their errors' last line."""
        with self._sessions() as session:
            counts = jobs.counts(session)
            failed = [
                (job.id, job.kind, job.done_at, (job.last_error or "").strip().splitlines()[-1:])
                for job in jobs.failures(session, limit=failures)
            ]
        return SchedulerStatus(
            counts=counts,
            failures=[(i, k, at, lines[0] if lines else "") for i, k, at, lines in failed],
        )

    def _need_tokens(self) -> LinkTokens:
        if self._tokens is None:
            raise RuntimeError("link tokens need the link secret: pass tokens=LinkTokens(...)")
        return self._tokens


def _campaign(session: Session, slug: str) -> Campaign:
    campaign = queries.get_campaign_by_slug(session, slug)
    if campaign is None:
        raise CampaignNotFound(slug)
    return campaign


def _same_wave(
    session: Session, campaign_id: int, terms: dict[str, object]
) -> InvitationWave | None:
    """A wave of the campaign still to start with exactly these terms."""
    return next(
        (
            wave
            for wave in store.list_waves(session, campaign_id=campaign_id)
            if wave.kind == "wave"
            and wave.state == "scheduled"
            and all(getattr(wave, name) == value for name, value in terms.items())
        ),
        None,
    )


def wave_summary(session: Session, wave: InvitationWave, slug: str) -> WaveSummary:
    return WaveSummary(
        id=wave.id,
        campaign=slug,
        kind=wave.kind,
        channel=wave.channel,
        scheduled_at=wave.scheduled_at,
        time_zone=wave.time_zone,
        rate_per_second=wave.rate_per_second,
        remind_after=None
        if wave.remind_after_seconds is None
        else timedelta(seconds=wave.remind_after_seconds),
        max_reminders=wave.max_reminders,
        expire_after=None
        if wave.expire_after_seconds is None
        else timedelta(seconds=wave.expire_after_seconds),
        state=wave.state,
        counts=store.count_invitations(session, wave_id=wave.id),
        participant_time=wave.local_time,
        started_at=wave.started_at,
        created_at=wave.created_at,
    )


def masked_address(address: str) -> str:
    """``ana@example.com`` -> ``a***@example.com``: enough to recognise, not to harvest."""
    local, at, domain = address.partition("@")
    if not at:
        return address[:2] + "***" if address else "you"
    return f"{local[:1]}***@{domain}"
