"""Reads and writes for invitation waves, invitations, their message ledger, the
suppression list and campaign email templates.

Every function takes the ``Session`` first and never commits: the caller owns the
transaction (a send records its ledger row, its invitation and its next job together).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, exists, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload

from storage.models import Campaign, Interview, Invite, Participant
from storage.scheduler_models import (
    Invitation,
    InvitationMessage,
    InvitationWave,
    MessageTemplate,
    Suppression,
    TriggeredCase,
)

# Invitation statuses (see storage.scheduler_models.Invitation).
PENDING = "pending"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"
REVOKED = "revoked"
# Ledger states (see storage.scheduler_models.InvitationMessage).
SENDING = "sending"
# The last attempt failed before anything was handed over (the server refused, the
# connection failed): the next attempt is a plain send, not a re-drive.
RETRY = "retry"


# --- waves -----------------------------------------------------------------------------


def create_wave(
    session: Session,
    *,
    campaign: Campaign,
    channel: str,
    scheduled_at: datetime,
    time_zone: str,
    rate_per_second: float,
    now: datetime,
    remind_after_seconds: int | None = None,
    max_reminders: int = 0,
    expire_after_seconds: int | None = None,
    kind: str = "wave",
    local_time: bool = False,
    delay_seconds: int | None = None,
    sample_rate: float | None = None,
    cooldown_days: int | None = None,
) -> InvitationWave:
    """Store a wave (``state`` scheduled) and flush, so its id is known."""
    wave = InvitationWave(
        campaign=campaign,
        kind=kind,
        channel=channel,
        scheduled_at=scheduled_at,
        time_zone=time_zone,
        local_time=local_time,
        rate_per_second=rate_per_second,
        remind_after_seconds=remind_after_seconds,
        max_reminders=max_reminders,
        expire_after_seconds=expire_after_seconds,
        delay_seconds=delay_seconds,
        sample_rate=sample_rate,
        cooldown_days=cooldown_days,
        state="scheduled",
        created_at=now,
    )
    session.add(wave)
    session.flush()
    return wave


def get_wave(session: Session, wave_id: int, *, for_update: bool = False) -> InvitationWave | None:
    statement = select(InvitationWave).where(InvitationWave.id == wave_id)
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return session.scalar(statement)


def list_waves(session: Session, *, campaign_id: int | None = None) -> list[InvitationWave]:
    """Waves, oldest first (one campaign's with ``campaign_id``)."""
    statement = select(InvitationWave).order_by(InvitationWave.id)
    if campaign_id is not None:
        statement = statement.where(InvitationWave.campaign_id == campaign_id)
    return list(session.scalars(statement))


def trigger_wave(session: Session, *, campaign_id: int) -> InvitationWave | None:
    """The campaign's newest wave of kind ``trigger`` that is not revoked."""
    return session.scalar(
        select(InvitationWave)
        .where(
            InvitationWave.campaign_id == campaign_id,
            InvitationWave.kind == "trigger",
            InvitationWave.state != REVOKED,
        )
        .order_by(InvitationWave.id.desc())
        .limit(1)
    )


def reserve_send_slot(
    session: Session, *, wave_id: int, now: datetime, interval: timedelta
) -> datetime:
    """The moment the caller may send its next message of the wave, reserved for it.

    Under the wave row's lock, the slot is the later of ``now`` and the wave's next free
    moment, and the next free moment moves one ``interval`` past it: every worker of
    every process shares the one rate, and none ever waits for another's send.
    """
    row = session.execute(
        select(InvitationWave.next_send_at).where(InvitationWave.id == wave_id).with_for_update()
    ).first()
    if row is None:
        raise LookupError(f"no invitation wave {wave_id}")
    slot = max(now, row[0] or now)
    # Core statements: this runs for every message, and needs no ORM object.
    session.execute(
        update(InvitationWave)
        .where(InvitationWave.id == wave_id)
        .values(next_send_at=slot + interval)
        .execution_options(synchronize_session=False)
    )
    return slot


# --- participants and invitations ----------------------------------------------------


def participants_to_invite(
    session: Session, *, campaign_id: int, channel: str
) -> list[Participant]:
    """The campaign's participants not invited on ``channel`` yet (invitations since
    revoked do not count) and without an interview, oldest first."""
    invited = exists().where(
        Invitation.participant_id == Participant.id,
        Invitation.channel == channel,
        Invitation.status != REVOKED,
    )
    interviewed = exists().where(Interview.participant_id == Participant.id)
    return list(
        session.scalars(
            select(Participant)
            .where(Participant.campaign_id == campaign_id, ~invited, ~interviewed)
            .order_by(Participant.id)
        )
    )


@dataclass(frozen=True)
class NewInvitation:
    """One invitation to store: whom, and the hashes of its link and opt-out tokens."""

    participant_id: int
    link_salt: str
    token_hash: str
    optout_token_hash: str


def add_invitations(
    session: Session,
    *,
    wave: InvitationWave,
    invitations: Sequence[NewInvitation],
    now: datetime,
    status: str = PENDING,
    expires_at: datetime | None = None,
) -> list[int]:
    """Store each invitation with its personal link (an ``invites`` row); their ids, in
    the order given. Two statements however many there are (10,000 in a wave is usual)."""
    if not invitations:
        return []
    invite_ids = list(
        session.scalars(
            insert(Invite).returning(Invite.id, sort_by_parameter_order=True),
            [
                {
                    "campaign_id": wave.campaign_id,
                    "participant_id": item.participant_id,
                    "token_hash": item.token_hash,
                    "created_at": now,
                    "expires_at": expires_at,
                }
                for item in invitations
            ],
        )
    )
    return list(
        session.scalars(
            insert(Invitation).returning(Invitation.id, sort_by_parameter_order=True),
            [
                {
                    "wave_id": wave.id,
                    "campaign_id": wave.campaign_id,
                    "participant_id": item.participant_id,
                    "channel": wave.channel,
                    "invite_id": invite_id,
                    "link_salt": item.link_salt,
                    "optout_token_hash": item.optout_token_hash,
                    "status": status,
                    "reminders_sent": 0,
                    "created_at": now,
                    "sent_at": now if status == SENT else None,
                }
                for item, invite_id in zip(invitations, invite_ids, strict=True)
            ],
        )
    )


def get_invitation(
    session: Session, invitation_id: int, *, for_update: bool = False, loaded: bool = False
) -> Invitation | None:
    """The invitation (its row locked with ``for_update``); ``loaded``: with its wave,
    campaign, participant and link in the same query, as a send needs them all."""
    statement = select(Invitation).where(Invitation.id == invitation_id)
    if loaded:
        statement = statement.options(
            joinedload(Invitation.wave).joinedload(InvitationWave.campaign),
            joinedload(Invitation.participant),
            joinedload(Invitation.invite),
        )
    if for_update:
        # Only the invitation's row: PostgreSQL locks no row on the outer join's side.
        statement = statement.with_for_update(of=Invitation).execution_options(
            populate_existing=True
        )
    return session.scalar(statement)


def invitation_by_optout_hash(session: Session, token_hash: str) -> Invitation | None:
    return session.scalar(select(Invitation).where(Invitation.optout_token_hash == token_hash))


def invitations_of(
    session: Session,
    *,
    campaign_id: int,
    wave_id: int | None = None,
    participant_ids: Collection[int] | None = None,
) -> list[Invitation]:
    """A campaign's invitations (of one wave, or of some participants), oldest first."""
    statement = select(Invitation).where(Invitation.campaign_id == campaign_id)
    if wave_id is not None:
        statement = statement.where(Invitation.wave_id == wave_id)
    if participant_ids is not None:
        statement = statement.where(Invitation.participant_id.in_(list(participant_ids)))
    return list(session.scalars(statement.order_by(Invitation.id)))


def has_started(session: Session, *, participant_id: int, finished: Collection[str]) -> bool:
    """Whether the participant began an interview: answered its consent question either
    way, or has one in a ``finished`` status."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    Interview.participant_id == participant_id,
                    (Interview.consent.is_not(None)) | (Interview.status.in_(list(finished))),
                )
            )
        )
    )


def revoke_invitations(session: Session, *, invitation_ids: Collection[int], now: datetime) -> int:
    """Revoke the invitations not sent yet and the links not opened yet among
    ``invitation_ids``; how many invitations changed. Reminders of a revoked invitation
    are not sent."""
    if not invitation_ids:
        return 0
    ids = list(invitation_ids)
    result = session.execute(
        update(Invitation)
        .where(Invitation.id.in_(ids), Invitation.status.in_([PENDING, SENT]))
        .values(status=REVOKED)
    )
    session.execute(
        update(Invite)
        .where(
            Invite.id.in_(select(Invitation.invite_id).where(Invitation.id.in_(ids))),
            Invite.interview_id.is_(None),
            Invite.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return cast("CursorResult[Any]", result).rowcount


# --- the message ledger ------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerEntry:
    """A message's row in the ledger: ``redrive`` when a worker died while sending it."""

    message_id: str
    state: str
    attempts: int
    redrive: bool


def begin_message(
    session: Session, *, invitation_id: int, number: int, message_id: str, now: datetime
) -> LedgerEntry:
    """Record that message ``number`` of the invitation is being sent (``sending``), or,
    if it was recorded before, what became of it. A row found in ``sending`` belonged to
    a worker that died (its job's lease lapsed): this take re-drives it, with the
    Message-ID fixed then. Call with the invitation row locked."""
    key = (InvitationMessage.invitation_id == invitation_id, InvitationMessage.number == number)
    existing = session.execute(
        select(
            InvitationMessage.message_id, InvitationMessage.state, InvitationMessage.attempts
        ).where(*key)
    ).first()
    if existing is None:
        session.execute(
            insert(InvitationMessage).values(
                invitation_id=invitation_id,
                number=number,
                message_id=message_id,
                state=SENDING,
                attempts=1,
                started_at=now,
            )
        )
        return LedgerEntry(message_id, SENDING, 1, redrive=False)
    fixed_id, state, attempts = existing
    if state not in (SENDING, RETRY):
        return LedgerEntry(fixed_id, state, attempts, redrive=False)
    session.execute(
        update(InvitationMessage)
        .where(*key)
        .values(state=SENDING, attempts=attempts + 1, started_at=now)
        .execution_options(synchronize_session=False)
    )
    return LedgerEntry(fixed_id, SENDING, attempts + 1, redrive=state == SENDING)


def record_sent(
    session: Session,
    *,
    invitation_id: int,
    number: int,
    now: datetime,
    detail: str,
    invite_id: int | None = None,
    expires_at: datetime | None = None,
) -> None:
    """Message ``number`` of the invitation went out: its ledger row ``sent``, and the
    invitation ``sent`` (number 0; unless it was revoked meanwhile) with its link's
    expiry, or its count of reminders (number > 0). Three UPDATEs by key, no reads."""
    session.execute(
        update(InvitationMessage)
        .where(InvitationMessage.invitation_id == invitation_id, InvitationMessage.number == number)
        .values(state=SENT, sent_at=now, detail=detail[:300])
    )
    if number == 0:
        session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.status == PENDING)
            .values(status=SENT, sent_at=now, last_error=None)
        )
        if invite_id is not None and expires_at is not None:
            session.execute(
                update(Invite).where(Invite.id == invite_id).values(expires_at=expires_at)
            )
    else:
        session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.reminders_sent < number)
            .values(reminders_sent=number)
        )


def was_sending(session: Session, *, invitation_id: int, number: int) -> bool:
    """Whether message ``number`` of the invitation is in the ledger as ``sending``."""
    return (
        session.scalar(
            select(InvitationMessage.state).where(
                InvitationMessage.invitation_id == invitation_id,
                InvitationMessage.number == number,
            )
        )
        == SENDING
    )


def end_message(
    session: Session,
    *,
    invitation_id: int,
    number: int,
    state: str,
    now: datetime,
    detail: str | None = None,
) -> None:
    """Record how message ``number`` of the invitation ended (``sent``, ``skipped``,
    ``failed``); a message never recorded as sending gets its row now."""
    row = session.scalar(
        select(InvitationMessage).where(
            InvitationMessage.invitation_id == invitation_id, InvitationMessage.number == number
        )
    )
    if row is None:
        row = InvitationMessage(
            invitation_id=invitation_id, number=number, message_id="", attempts=0, started_at=now
        )
        session.add(row)
    row.state = state
    row.detail = None if detail is None else detail[:300]
    if state == SENT:
        row.sent_at = now
    session.flush()


def ledger_of(session: Session, *, invitation_ids: Collection[int]) -> list[InvitationMessage]:
    """The ledger rows of the invitations, by invitation and number."""
    if not invitation_ids:
        return []
    return list(
        session.scalars(
            select(InvitationMessage)
            .where(InvitationMessage.invitation_id.in_(list(invitation_ids)))
            .order_by(InvitationMessage.invitation_id, InvitationMessage.number)
        )
    )


# --- suppression ---------------------------------------------------------------------------


def suppress(session: Session, *, kind: str, value: str, reason: str, now: datetime) -> bool:
    """Add the address to the suppression list; False if it was on it already."""
    insert_ = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    result = session.execute(
        insert_(Suppression)
        .values(kind=kind, value=value, reason=reason, created_at=now)
        .on_conflict_do_nothing(index_elements=[Suppression.kind, Suppression.value])
        .returning(Suppression.id)
    )
    return result.scalar() is not None


def unsuppress(session: Session, *, kind: str, value: str) -> bool:
    row = session.scalar(
        select(Suppression).where(Suppression.kind == kind, Suppression.value == value)
    )
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def suppressed(session: Session, *, kind: str, values: Collection[str]) -> set[str]:
    """Those of ``values`` on the suppression list as ``kind``."""
    wanted = [v for v in values if v]
    if not wanted:
        return set()
    return set(
        session.scalars(
            select(Suppression.value).where(Suppression.kind == kind, Suppression.value.in_(wanted))
        )
    )


def any_suppressed(
    session: Session, *, emails: Collection[str], slack_users: Collection[str]
) -> bool:
    """Whether any of the addresses (emails lower-case, Slack user ids) is suppressed,
    in one query."""
    wanted_emails = [e for e in emails if e]
    wanted_users = [u for u in slack_users if u]
    if not wanted_emails and not wanted_users:
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    or_(
                        (Suppression.kind == "email") & Suppression.value.in_(wanted_emails),
                        (Suppression.kind == "slack") & Suppression.value.in_(wanted_users),
                    )
                )
            )
        )
    )


def list_suppressions(session: Session) -> list[Suppression]:
    return list(session.scalars(select(Suppression).order_by(Suppression.id)))


# --- templates -----------------------------------------------------------------------------


def get_template(session: Session, *, campaign_id: int, kind: str) -> MessageTemplate | None:
    return session.scalar(
        select(MessageTemplate).where(
            MessageTemplate.campaign_id == campaign_id, MessageTemplate.kind == kind
        )
    )


def set_template(
    session: Session,
    *,
    campaign_id: int,
    kind: str,
    subject: str,
    body_text: str,
    body_html: str | None,
    now: datetime,
) -> MessageTemplate:
    """Store (or replace) the campaign's template of ``kind``."""
    template = get_template(session, campaign_id=campaign_id, kind=kind)
    if template is None:
        template = MessageTemplate(campaign_id=campaign_id, kind=kind)
        session.add(template)
    template.subject = subject
    template.body_text = body_text
    template.body_html = body_html
    template.updated_at = now
    session.flush()
    return template


# --- reading the funnel ------------------------------------------------------------------


def participants_of(
    session: Session, *, campaign_id: int, limit: int | None = None
) -> list[Participant]:
    """The campaign's participants, oldest first."""
    statement = (
        select(Participant).where(Participant.campaign_id == campaign_id).order_by(Participant.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def interviews_of(session: Session, *, participant_ids: Collection[int]) -> list[Interview]:
    """The participants' interviews, oldest first."""
    if not participant_ids:
        return []
    return list(
        session.scalars(
            select(Interview)
            .where(Interview.participant_id.in_(list(participant_ids)))
            .order_by(Interview.id)
        )
    )


def invites_by_id(session: Session, invite_ids: Collection[int]) -> dict[int, Invite]:
    if not invite_ids:
        return {}
    rows = session.scalars(select(Invite).where(Invite.id.in_(list(invite_ids))))
    return {invite.id: invite for invite in rows}


def count_invitations(session: Session, *, wave_id: int) -> dict[str, int]:
    """How many of the wave's invitations are in each status."""
    rows = session.execute(
        select(Invitation.status, func.count())
        .where(Invitation.wave_id == wave_id)
        .group_by(Invitation.status)
    )
    return {str(status): int(n) for status, n in rows}


def add_participant(
    session: Session,
    *,
    campaign_id: int,
    external_id: str,
    now: datetime,
    display_name: str | None = None,
    email: str | None = None,
    slack_user_id: str | None = None,
    slack_email: str | None = None,
    language: str | None = None,
    time_zone: str | None = None,
    attributes: dict[str, Any] | None = None,
) -> Participant:
    """Store a participant of the campaign (the caller checked it is new) and flush."""
    participant = Participant(
        campaign_id=campaign_id,
        external_id=external_id,
        display_name=display_name,
        email=email,
        slack_user_id=slack_user_id,
        slack_email=slack_email,
        language=language,
        time_zone=time_zone,
        attributes=dict(attributes or {}),
        created_at=now,
    )
    session.add(participant)
    session.flush()
    return participant


def get_participant(session: Session, *, campaign_id: int, external_id: str) -> Participant | None:
    return session.scalar(
        select(Participant).where(
            Participant.campaign_id == campaign_id, Participant.external_id == external_id
        )
    )


def recently_contacted(
    session: Session, *, email: str | None, slack_user_id: str | None, since: datetime
) -> bool:
    """Whether the person (by email, any case, or Slack user id), in any campaign, was
    sent an invitation or opened an interview since ``since``."""
    who = []
    if email:
        who.append(func.lower(Participant.email) == email.lower())
    if slack_user_id:
        who.append(Participant.slack_user_id == slack_user_id)
    if not who:
        return False
    people = select(Participant.id).where(or_(*who))
    invited = exists().where(Invitation.participant_id.in_(people), Invitation.sent_at >= since)
    interviewed = exists().where(
        Interview.participant_id.in_(people), Interview.started_at >= since
    )
    return bool(session.scalar(select(or_(invited, interviewed))))


def record_case(
    session: Session, *, wave_id: int, case_id: str, now: datetime
) -> TriggeredCase | None:
    """Store the case as reported to the wave (outcome ``pending`` until decided); None
    when it was reported before. A concurrent report of the same case waits for this
    transaction, then finds it (the unique key)."""
    insert_ = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    new_id = session.scalar(
        insert_(TriggeredCase)
        .values(wave_id=wave_id, case_id=case_id, outcome="pending", received_at=now)
        .on_conflict_do_nothing(index_elements=[TriggeredCase.wave_id, TriggeredCase.case_id])
        .returning(TriggeredCase.id)
    )
    return None if new_id is None else session.get(TriggeredCase, new_id)
