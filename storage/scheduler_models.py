"""The scheduler's tables: durable jobs, invitation waves, invitations and the messages
sent for them, the suppression list and campaign email templates.

Registered on the same ``Base`` as ``storage.models`` (which imports this module), so
one metadata describes the whole schema. States are plain strings; what they mean is
documented on each column and used by ``storage.jobs`` and ``storage.invitations``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models import Base, Campaign, Invite, Participant
from storage.types import UTCDateTime, big_id_type, json_type, utcnow


class ScheduledJob(Base):
    """One unit of deferred work, run once by whichever worker claims it first.

    ``state``: ``queued`` (waiting for ``run_at``), ``running`` (claimed: ``locked_by``
    holds it until ``locked_until``, its lease; a lapsed lease means the worker died and
    anyone may claim it again), ``done``, or ``failed`` (``max_attempts`` used up).
    ``idempotency_key`` is unique: enqueueing the same work twice stores it once, in
    whichever process it happens.
    """

    __tablename__ = "scheduled_jobs"
    __table_args__ = (Index("ix_scheduled_jobs_state_run_at", "state", "run_at"),)

    id: Mapped[int] = mapped_column(big_id_type(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(12), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=sql_text("0"))
    max_attempts: Mapped[int] = mapped_column(Integer, default=8, server_default=sql_text("8"))
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"ScheduledJob(id={self.id!r}, kind={self.kind!r}, state={self.state!r})"


class InvitationWave(Base):
    """Invitations to a campaign's participants on one channel, from one moment on.

    ``channel``: ``email``, ``slack`` or ``link`` (links handed out by the researcher).
    ``scheduled_at`` is the start in UTC; ``time_zone`` the zone it was given in (to show
    it back), and with ``local_time`` each participant's start is that wall-clock time in
    their own zone. ``rate_per_second`` caps the sending for all workers together: each send
    reserves the next free moment in ``next_send_at`` under the wave's row lock.
    Reminders follow ``remind_after_seconds`` after the previous message, at most
    ``max_reminders``; links expire ``expire_after_seconds`` after the invitation was
    sent. ``state``: ``scheduled``, ``started`` (its invitations exist) or ``revoked``.

    A ``trigger`` wave has no start: each helpdesk case adds one invitation to it, sent
    ``delay_seconds`` after the case closed, for a ``sample_rate`` share of cases, and
    not to anyone interviewed in the last ``cooldown_days``.
    """

    __tablename__ = "invitation_waves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="wave", server_default="wave")
    channel: Mapped[str] = mapped_column(String(10))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    # True: each participant gets the invitation at the wall-clock time of
    # ``scheduled_at`` in their own time zone (``time_zone`` for those without one).
    local_time: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    rate_per_second: Mapped[float] = mapped_column(Float)
    remind_after_seconds: Mapped[int | None] = mapped_column(Integer)
    max_reminders: Mapped[int] = mapped_column(Integer, default=0, server_default=sql_text("0"))
    expire_after_seconds: Mapped[int | None] = mapped_column(Integer)
    delay_seconds: Mapped[int | None] = mapped_column(Integer)
    sample_rate: Mapped[float | None] = mapped_column(Float)
    cooldown_days: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12), default="scheduled")
    next_send_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    campaign: Mapped[Campaign] = relationship()

    def __repr__(self) -> str:
        return f"InvitationWave(id={self.id!r}, channel={self.channel!r}, state={self.state!r})"


class Invitation(Base):
    """One participant invited in one wave, and what became of it.

    ``status``: ``pending`` (its send job is queued), ``sent`` (SMTP accepted, written to
    the outbox, posted in Slack, or a link handed out), ``failed``, ``skipped``
    (suppressed, or no address for the channel) or ``revoked``. Whether the person then
    opened, started or completed the interview is read from ``invite``'s interview.
    ``link_salt`` is random; the personal link's token and the opt-out token are derived
    from it with the server's link secret, so the database alone holds no working link.
    """

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("wave_id", "participant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("invitation_waves.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    invite_id: Mapped[int | None] = mapped_column(
        ForeignKey("invites.id", ondelete="SET NULL"), index=True
    )
    link_salt: Mapped[str] = mapped_column(String(32))
    optout_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0, server_default=sql_text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    wave: Mapped[InvitationWave] = relationship()
    participant: Mapped[Participant] = relationship()
    invite: Mapped[Invite | None] = relationship()

    def __repr__(self) -> str:
        return f"Invitation(id={self.id!r}, status={self.status!r})"


class InvitationMessage(Base):
    """The ledger of messages sent for an invitation: number 0 is the invitation, 1..M
    its reminders; one row each (unique), so no message is ever composed twice.

    ``message_id`` is fixed before anything is sent (the email's Message-ID, the Slack
    message's metadata key) and never changes, so a re-drive after a crash sends the
    very same message. ``state``: ``sending`` (written before the send), ``sent``,
    ``skipped`` (not needed any more: started, suppressed, expired, revoked) or
    ``failed``. ``attempts`` > 1 means a worker died with it in ``sending`` and another
    finished it.
    """

    __tablename__ = "invitation_messages"
    __table_args__ = (UniqueConstraint("invitation_id", "number"),)

    id: Mapped[int] = mapped_column(big_id_type(), primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    message_id: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default=sql_text("1"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    detail: Mapped[str | None] = mapped_column(String(300))

    def __repr__(self) -> str:
        return f"InvitationMessage(id={self.id!r}, number={self.number!r}, state={self.state!r})"


class Suppression(Base):
    """An address nobody may send anything to again: ``kind`` ``email`` (stored
    lower-case) or ``slack`` (a user id), why (``opt_out``, ``manual``, ``bounce``,
    ``complaint``) and since when. For every campaign."""

    __tablename__ = "suppressions"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"Suppression(kind={self.kind!r}, reason={self.reason!r})"


class MessageTemplate(Base):
    """A campaign's own wording for its ``invitation`` or ``reminder`` emails (Jinja2,
    rendered sandboxed; the HTML autoescaped). Without one, the built-in wording."""

    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("campaign_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TriggeredCase(Base):
    """A support case reported to a trigger wave, and what was decided: ``scheduled``
    (``invitation_id``), ``not_sampled``, ``cooling_down`` or ``suppressed``. Unique per
    wave and case, so a helpdesk's retried webhook decides nothing twice."""

    __tablename__ = "triggered_cases"
    __table_args__ = (UniqueConstraint("wave_id", "case_id"),)

    id: Mapped[int] = mapped_column(big_id_type(), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("invitation_waves.id", ondelete="CASCADE"))
    case_id: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL")
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
