"""A campaign's participants: imported from a list, and where each one stands.

`Participants.import_csv` stores a checked participant list in one transaction (the
console's upload and `journeyline participants import` both call it). `status_of`
tells where a person stands in the funnel, read from their invitations, link and
interview: nothing stores that twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.vocabulary import FINISHED_STATUSES, InterviewStatus
from bot.service.errors import CampaignNotFound
from bot.service.participant_rows import ParticipantRow, Problem, parse_participants
from storage import campaign_progress as counting
from storage import invitations as store
from storage import queries
from storage.campaign_progress import ParticipantLine
from storage.engines import write_session
from storage.models import Campaign, Interview, Invite, Participant
from storage.scheduler_models import Invitation, InvitationMessage
from storage.types import utcnow


@dataclass
class ImportReport:
    """What an import did: rows added and updated, people left out because they are on
    the suppression list, and the rows with problems (left out too)."""

    added: int = 0
    updated: int = 0
    suppressed: list[tuple[int, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ParticipantStatus:
    """One participant and where they stand: ``status`` is one of ``not_invited``,
    ``scheduled``, ``pending``, ``sent``, ``opened``, ``started``, ``completed``,
    ``declined``, ``expired``, ``revoked``, ``failed``, ``skipped``, ``suppressed``."""

    id: int
    external_id: str | None
    name: str | None
    email: str | None
    slack_user_id: str | None
    status: str
    reminders_sent: int
    attributes: dict[str, Any]
    # The newest invitation's wave and channel (None: never invited).
    wave_id: int | None = None
    channel: str | None = None


# The funnel's steps, each counting everyone who got at least that far.
FUNNEL = ("invited", "delivered", "opened", "consented", "completed")
# How many of the funnel's steps a participant in each status got through.
REACHED = {
    "pending": 1,
    "failed": 1,
    "skipped": 1,
    "revoked": 1,
    "sent": 2,
    "expired": 2,
    "opened": 3,
    "declined": 3,
    "started": 4,
    "completed": 5,
}


@dataclass(frozen=True)
class FunnelRow:
    """One wave's funnel: how many got how far (``FUNNEL``), and every status counted."""

    wave_id: int | None
    channel: str | None
    steps: dict[str, int]
    statuses: dict[str, int]


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    what: str


@dataclass(frozen=True)
class ParticipantDetail:
    participant: ParticipantStatus
    language: str | None
    time_zone: str | None
    history: tuple[HistoryEntry, ...]


@dataclass(frozen=True)
class ParticipantPage:
    """A page of participants, how many match its filter, how many are in each status,
    and how many waves are still to start."""

    lines: list[ParticipantLine]
    matching: int
    statuses: dict[str, int]
    waiting_waves: int

    @property
    def total(self) -> int:
        return sum(self.statuses.values())


class ParticipantNotFound(LookupError):
    def __init__(self, who: str | int, campaign: str) -> None:
        super().__init__(f"no participant {who!r} in campaign {campaign!r}")


class Participants:
    """Imports participant lists and reports where each participant stands."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    def import_csv(self, *, campaign_slug: str, text: str, dry_run: bool = False) -> ImportReport:
        """Check every row of the CSV ``text`` and store the good ones (nothing with
        ``dry_run``). A row naming someone already in the campaign (same external id,
        email, Slack user id or Slack email) updates them; a person on the suppression
        list is left out and reported. Raises `CampaignNotFound`."""
        parsed = parse_participants(text)
        report = ImportReport(problems=list(parsed.problems))
        now = self._clock()
        with write_session(self._sessions) as session:
            campaign = _campaign(session, campaign_slug)
            store_rows(session, campaign=campaign, rows=parsed.rows, report=report, now=now)
            report.problems.sort(key=lambda p: p.line)
            if dry_run:
                session.rollback()
        return report

    def statuses(
        self, *, campaign_slug: str, status: str | None = None, limit: int | None = None
    ) -> list[ParticipantStatus]:
        """The campaign's participants with their status, oldest first (only those in
        ``status``, at most ``limit``)."""
        with self._sessions() as session:
            campaign = _campaign(session, campaign_slug)
            participants = store.participants_of(session, campaign_id=campaign.id)
            found = _statuses(session, campaign, participants, now=self._clock())
        if status is not None:
            found = [p for p in found if p.status == status]
        return found[:limit] if limit is not None else found

    def funnel(self, *, campaign_slug: str) -> list[FunnelRow]:
        """Per wave (and the people in none, ``wave_id`` None): invited -> delivered
        (SMTP accepted, Slack posted, link handed out) -> opened -> consented ->
        completed, each step counting everyone who got at least that far, and the count
        of every status. "Opened" means the link was opened: there are no tracking
        pixels."""
        rows: dict[int | None, FunnelRow] = {}
        for person in self.statuses(campaign_slug=campaign_slug):
            row = rows.get(person.wave_id)
            if row is None:
                row = rows[person.wave_id] = FunnelRow(
                    person.wave_id, person.channel, dict.fromkeys(FUNNEL, 0), {}
                )
            row.statuses[person.status] = row.statuses.get(person.status, 0) + 1
            for step in FUNNEL[: REACHED.get(person.status, 0)]:
                row.steps[step] += 1
        return sorted(rows.values(), key=lambda r: (r.wave_id is None, r.wave_id or 0))

    def page(
        self,
        *,
        campaign_slug: str,
        status: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> ParticipantPage:
        """One page of the campaign's participants with their status (only ``status``
        when given), the number in each status and in all: counted in SQL, so a page of
        a campaign of 10,000 costs what a page of one of 100 does."""
        now = self._clock()
        with self._sessions() as session:
            campaign = _campaign(session, campaign_slug)
            lines, matching = counting.participant_page(
                session, campaign_id=campaign.id, now=now, status=status,
                offset=max(offset, 0), limit=limit,
            )  # fmt: skip
            totals: dict[str, int] = {}
            for count in counting.status_counts(session, campaign_id=campaign.id, now=now):
                totals[count.status] = totals.get(count.status, 0) + count.count
            return ParticipantPage(
                lines=lines, matching=matching, statuses=totals, waiting_waves=_waiting(
                    session, campaign.id
                ),
            )  # fmt: skip

    def detail(self, *, campaign_slug: str, participant: str | int) -> ParticipantDetail:
        """One participant (by id, external id, email or Slack user id) with their
        status and history. Raises `ParticipantNotFound`."""
        with self._sessions() as session:
            campaign = _campaign(session, campaign_slug)
            person = _find(session, campaign, participant)
            if person is None:
                raise ParticipantNotFound(participant, campaign_slug)
            (summary,) = _statuses(session, campaign, [person], now=self._clock())
            history = _history(session, campaign, person, now=self._clock())
            return ParticipantDetail(summary, person.language, person.time_zone, history)


def store_rows(
    session: Session,
    *,
    campaign: Campaign,
    rows: Sequence[ParticipantRow],
    report: ImportReport,
    now: datetime,
) -> dict[int, tuple[Participant, bool]]:
    """Store checked rows in the campaign (the caller's transaction): someone already
    in it (same external id, email, Slack user id or Slack email) is updated, someone
    suppressed is left out, a row naming two different participants is a problem; all
    counted in ``report``. Returns each stored row's participant and whether it is
    new, by the row's line."""
    stored: dict[int, tuple[Participant, bool]] = {}
    index = _Index(store.participants_of(session, campaign_id=campaign.id))
    blocked = store.suppressed(
        session, kind="email", values=[r.email or "" for r in rows]
    ) | store.suppressed(session, kind="email", values=[r.slack_email or "" for r in rows])
    blocked_users = store.suppressed(
        session, kind="slack", values=[r.slack_user_id or "" for r in rows]
    )
    for row in rows:
        address = next(
            (a for a in (row.email, row.slack_email) if a is not None and a in blocked),
            None,
        ) or (row.slack_user_id if row.slack_user_id in blocked_users else None)
        if address is not None:
            report.suppressed.append((row.line, address))
            continue
        matches = index.matching(row)
        if len(matches) > 1:
            report.problems.append(Problem(row.line, "email", "matches two different participants"))
            continue
        if matches:
            _update(matches[0], row)
            report.updated += 1
            stored[row.line] = (matches[0], False)
            continue
        participant = store.add_participant(
            session,
            campaign_id=campaign.id,
            external_id=row.key(),
            now=now,
            display_name=row.name,
            email=row.email,
            slack_user_id=row.slack_user_id,
            slack_email=row.slack_email,
            language=row.language,
            time_zone=row.time_zone,
            attributes=row.attributes,
        )
        index.add(participant)
        report.added += 1
        stored[row.line] = (participant, True)
    counting.refresh_statistics(session, tables=("participants",), rows=report.added)
    return stored


def _campaign(session: Session, slug: str) -> Campaign:
    campaign = queries.get_campaign_by_slug(session, slug)
    if campaign is None:
        raise CampaignNotFound(slug)
    return campaign


def _waiting(session: Session, campaign_id: int) -> int:
    return sum(
        1
        for wave in store.list_waves(session, campaign_id=campaign_id)
        if wave.state == "scheduled" and wave.kind == "wave"
    )


def _find(session: Session, campaign: Campaign, who: str | int) -> Participant | None:
    if isinstance(who, int):
        found_by_id = session.get(Participant, who)
        return found_by_id if found_by_id and found_by_id.campaign_id == campaign.id else None
    found = store.get_participant(session, campaign_id=campaign.id, external_id=who)
    if found is not None:
        return found
    wanted = who.strip().lower()
    for person in store.participants_of(session, campaign_id=campaign.id):
        if wanted in {(person.email or "").lower(), (person.slack_user_id or "").lower()}:
            return person
    return None


class _Index:
    """The campaign's participants by each way a list row can name them."""

    def __init__(self, participants: Sequence[Participant]) -> None:
        self._by: dict[tuple[str, str], Participant] = {}
        for person in participants:
            self.add(person)

    def add(self, person: Participant) -> None:
        for kind, value in (
            ("external_id", person.external_id),
            ("email", (person.email or "").lower() or None),
            ("slack_user_id", person.slack_user_id),
            ("slack_email", person.slack_email),
        ):
            if value:
                self._by.setdefault((kind, value), person)

    def matching(self, row: ParticipantRow) -> list[Participant]:
        """The participants ``row`` names (two when its email and Slack id disagree)."""
        found: list[Participant] = []
        for kind, value in (
            ("external_id", row.external_id),
            ("email", row.email),
            ("slack_user_id", row.slack_user_id),
            ("slack_email", row.slack_email),
        ):
            person = self._by.get((kind, value)) if value else None
            if person is not None and all(person is not f for f in found):
                found.append(person)
        return found


def _update(person: Participant, row: ParticipantRow) -> None:
    """Newest information wins; a blank cell leaves a stored value alone."""
    for attribute, value in (
        ("display_name", row.name),
        ("email", row.email),
        ("slack_user_id", row.slack_user_id),
        ("slack_email", row.slack_email),
        ("language", row.language),
        ("time_zone", row.time_zone),
    ):
        if value is not None:
            setattr(person, attribute, value)
    if row.attributes:
        person.attributes = {**person.attributes, **row.attributes}


def _statuses(
    session: Session, campaign: Campaign, participants: Sequence[Participant], *, now: datetime
) -> list[ParticipantStatus]:
    ids = [p.id for p in participants]
    invitations: dict[int, Invitation] = {}
    for row in store.invitations_of(session, campaign_id=campaign.id, participant_ids=ids):
        invitations[row.participant_id] = row  # the newest wins
    invites = store.invites_by_id(
        session, [i.invite_id for i in invitations.values() if i.invite_id is not None]
    )
    interviews: dict[int, Interview] = {}
    for interview in store.interviews_of(session, participant_ids=ids):
        if interview.participant_id is not None:
            interviews[interview.participant_id] = interview
    blocked = store.suppressed(
        session, kind="email", values=[p.email.lower() for p in participants if p.email]
    )
    blocked_users = store.suppressed(
        session, kind="slack", values=[p.slack_user_id for p in participants if p.slack_user_id]
    )
    waiting = any(
        wave.state == "scheduled" and wave.kind == "wave"
        for wave in store.list_waves(session, campaign_id=campaign.id)
    )
    result: list[ParticipantStatus] = []
    for person in participants:
        invitation = invitations.get(person.id)
        invite = invites.get(invitation.invite_id) if invitation and invitation.invite_id else None
        suppressed = (
            person.email or ""
        ).lower() in blocked or person.slack_user_id in blocked_users
        status = _status(
            interviews.get(person.id), invitation, invite, suppressed=suppressed,
            wave_waiting=waiting, now=now,
        )  # fmt: skip
        result.append(
            ParticipantStatus(
                id=person.id,
                external_id=person.external_id,
                name=person.display_name,
                email=person.email,
                slack_user_id=person.slack_user_id,
                status=status,
                reminders_sent=invitation.reminders_sent if invitation else 0,
                attributes=dict(person.attributes or {}),
                wave_id=invitation.wave_id if invitation else None,
                channel=invitation.channel if invitation else None,
            )
        )
    return result


def _status(
    interview: Interview | None,
    invitation: Invitation | None,
    invite: Invite | None,
    *,
    suppressed: bool,
    wave_waiting: bool,
    now: datetime,
) -> str:
    if interview is not None:
        if interview.status == InterviewStatus.COMPLETED:
            return "completed"
        if interview.status == InterviewStatus.DECLINED:
            return "declined"
        if interview.consent is not None or interview.status in FINISHED_STATUSES:
            return "started"
        return "opened"
    if suppressed:
        return "suppressed"
    if invitation is None:
        return "scheduled" if wave_waiting else "not_invited"
    if invitation.status == store.SENT and invite is not None:
        if invite.revoked_at is not None:
            return "revoked"
        if invite.expires_at is not None and invite.expires_at <= now:
            return "expired"
    return invitation.status


def _history(
    session: Session, campaign: Campaign, person: Participant, *, now: datetime
) -> tuple[HistoryEntry, ...]:
    entries = [HistoryEntry(person.created_at, "added to the campaign")]
    invitations = store.invitations_of(
        session, campaign_id=campaign.id, participant_ids=[person.id]
    )
    ledger: dict[int, list[InvitationMessage]] = {}
    for row in store.ledger_of(session, invitation_ids=[i.id for i in invitations]):
        ledger.setdefault(row.invitation_id, []).append(row)
    for invitation in invitations:
        wave = invitation.wave
        entries.append(
            HistoryEntry(
                invitation.created_at,
                f"invitation by {invitation.channel} (wave {wave.id}): {invitation.status}"
                + (f" ({invitation.last_error})" if invitation.last_error else ""),
            )
        )
        for message in ledger.get(invitation.id, []):
            what = "invitation" if message.number == 0 else f"reminder {message.number}"
            retried = f", {message.attempts} attempts" if message.attempts > 1 else ""
            detail = f" ({message.detail})" if message.detail else ""
            entries.append(
                HistoryEntry(
                    message.sent_at or message.started_at,
                    f"{what} {message.state}{retried}{detail}",
                )
            )
        invite = invitation.invite
        if invite is not None and invite.revoked_at is not None:
            entries.append(HistoryEntry(invite.revoked_at, "link revoked"))
        if invite is not None and invite.expires_at is not None and invite.interview_id is None:
            entries.append(
                HistoryEntry(
                    invite.expires_at,
                    "link expires" if invite.expires_at > now else "link expired",
                )
            )
    for interview in store.interviews_of(session, participant_ids=[person.id]):
        entries.append(
            HistoryEntry(interview.started_at, f"opened the interview ({interview.channel})")
        )
        if interview.consent_at is not None:
            said = "agreed" if interview.consent else "declined"
            entries.append(HistoryEntry(interview.consent_at, f"{said} to take part"))
        if interview.completed_at is not None:
            entries.append(HistoryEntry(interview.completed_at, "completed the interview"))
    return tuple(sorted(entries, key=lambda e: e.at))
