"""Typed ORM models: campaigns, participants, interviews, their messages and step records.

Vocabulary values (interview status, channels, slots, pains) are stored as plain strings;
their meaning belongs to ``bot.conversation.vocabulary`` and storage deliberately does
not import it.

JSON columns are not mutation-tracked: assign a new value (``interview.engine_state =
{...}``) instead of changing the loaded dict or list in place, or the change is not saved.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime, big_id_type, document_json_type, json_type, utcnow

# Explicit constraint names keep migrations stable across databases and let later
# migrations drop or alter a constraint by name (SQLite batch mode needs the names).
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base carrying the shared metadata (and its naming convention)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def new_public_id() -> str:
    """A fresh, unguessable public interview id (uuid4 in its 36-character text form)."""
    return str(uuid.uuid4())


def _next_revision(current: int | None) -> int:
    # Used as the mapper's version_id_generator: a new row starts at 0, every UPDATE of
    # the row adds one.
    return 0 if current is None else current + 1


class Campaign(Base):
    """A research campaign: which guide to run, with what consent text, for whom."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    guide_name: Mapped[str] = mapped_column(String(80))
    guide_version: Mapped[str] = mapped_column(String(40))
    # The resolved guide YAML, so a running interview keeps its questions even if the
    # guide files on disk change later.
    guide_source: Mapped[str] = mapped_column(Text)
    consent_text: Mapped[str] = mapped_column(Text)
    open_link: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Migration 0016: the schedule, targets and stop rules researchers edit in the
    # console (``bot.service.campaign_settings``). ``status`` is "open" or "closed";
    # a closed campaign starts no interview and sends no invitation.
    status: Mapped[str] = mapped_column(String(20), default="open", server_default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "manual", "end_date", "target" or "saturation"; ``closed_note`` says it in words.
    closed_reason: Mapped[str | None] = mapped_column(String(20))
    closed_note: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The IANA zone the dates were typed in (they are stored in UTC).
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    target_completes: Mapped[int | None] = mapped_column(Integer)
    # Participant attribute -> value -> completed interviews wanted, e.g.
    # {"plan": {"basic": 20, "pro": 10}}. NULL: no quotas.
    quotas: Mapped[dict[str, dict[str, int]] | None] = mapped_column(json_type())
    # Close when the last N completed interviews added no new pain point. NULL: never.
    saturation_n: Mapped[int | None] = mapped_column(Integer)
    languages: Mapped[list[str] | None] = mapped_column(json_type())
    # The ``extends:`` YAML the researcher typed; ``guide_source`` is its resolution.
    guide_customisation: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Transcripts (messages, the free text of steps and answers, the engine state) are
    # deleted this many days after an interview ended; None keeps them (migration 0015).
    retention_days: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="status"),)

    participants: Mapped[list[Participant]] = relationship(
        back_populates="campaign", order_by="Participant.id"
    )
    interviews: Mapped[list[Interview]] = relationship(
        back_populates="campaign", order_by="Interview.id"
    )

    def __repr__(self) -> str:
        return f"Campaign(id={self.id!r}, slug={self.slug!r})"


class Participant(Base):
    """Someone invited to (or arriving through the open link of) a campaign."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("campaign_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    # The id the researcher's system knows the person by; NULL for anonymous open-link
    # visitors (NULLs never clash in a unique constraint).
    external_id: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    slack_user_id: Mapped[str | None] = mapped_column(String(40))
    # The Slack workspace (team) the user id belongs to: user ids are only unique per
    # workspace, and "the open interview of user U" must not cross workspaces.
    slack_team_id: Mapped[str | None] = mapped_column(String(40))
    # Segment attributes (persona, plan, region, ...) used to split the journey maps.
    attributes: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # From a participant list (migration 0010): the language to invite in (BCP 47), the
    # IANA time zone, and the email Slack knows them by when no Slack user id was given.
    language: Mapped[str | None] = mapped_column(String(35))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    slack_email: Mapped[str | None] = mapped_column(String(320))

    campaign: Mapped[Campaign] = relationship(back_populates="participants")
    interviews: Mapped[list[Interview]] = relationship(
        back_populates="participant", order_by="Interview.id"
    )

    def __repr__(self) -> str:
        return f"Participant(id={self.id!r}, external_id={self.external_id!r})"


class Interview(Base):
    """One conversation with one participant, plus the answers the engine pulled out of it.

    ``revision`` is the mapper's version counter: every flush that UPDATEs the row adds
    one, and the UPDATE is guarded by the revision that was loaded, so a concurrent writer
    that got there first makes the flush raise ``sqlalchemy.orm.exc.StaleDataError``
    instead of silently overwriting its turn.
    """

    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    engine_state: Mapped[dict[str, Any]] = mapped_column(document_json_type(), default=dict)
    consent: Mapped[bool | None] = mapped_column(Boolean)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Agreed, with the consent, to hear what the company changes (migration 0017): the
    # only customers a "here is what we changed" message goes to.
    hear_back: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    problem: Mapped[str | None] = mapped_column(Text)
    moment_of_truth: Mapped[str | None] = mapped_column(Text)
    moment_of_truth_step: Mapped[int | None] = mapped_column(Integer)
    resolved: Mapped[str | None] = mapped_column(String(10))
    effort: Mapped[int | None] = mapped_column(Integer)
    improvement: Mapped[str | None] = mapped_column(Text)
    anything_else: Mapped[str | None] = mapped_column(Text)
    extra_answers: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default=sql_text("0"))
    # SHA-256 of the secret that opens this interview on the web (the invite or open-link
    # token); the secret itself is never stored.
    access_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # When the campaign's retention deleted the transcript (messages, free text, engine
    # state), keeping the anonymous step facts (migration 0015).
    transcript_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    campaign: Mapped[Campaign] = relationship(back_populates="interviews")
    participant: Mapped[Participant | None] = relationship(back_populates="interviews")
    messages: Mapped[list[Message]] = relationship(
        back_populates="interview",
        order_by="Message.id",
        cascade="all, delete-orphan",
    )
    steps: Mapped[list[StepRecord]] = relationship(
        back_populates="interview",
        order_by="StepRecord.ordinal",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {  # noqa: RUF012 - SQLAlchemy reads this class attribute as-is
        "version_id_col": revision,
        "version_id_generator": _next_revision,
    }

    def __repr__(self) -> str:
        return f"Interview(id={self.id!r}, public_id={self.public_id!r}, status={self.status!r})"


class Message(Base):
    """One chat message, in (customer) or out (bot).

    Inbound messages carry the channel's own message id; (interview_id,
    channel_message_id) is unique among inbound messages, which makes storing a retried
    or double-clicked message a no-op. Outbound replies point at the inbound message that
    caused them (``in_reply_to_id``), so a re-delivery can return exactly the stored
    replies instead of running the engine again.
    """

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("direction IN ('in', 'out')", name="direction"),
        # Transcript reads walk one interview in id order; as the leftmost prefix this index
        # also serves every other interview_id lookup, so no separate interview_id index.
        Index("ix_messages_interview_id_id", "interview_id", "id"),
        # Partial, so outbound messages may record the channel's id for their own post
        # (e.g. a Slack ts, for chat.update) without entering the idempotency namespace.
        Index(
            "uq_messages_inbound_channel_message_id",
            "interview_id",
            "channel_message_id",
            unique=True,
            sqlite_where=sql_text("direction = 'in'"),
            postgresql_where=sql_text("direction = 'in'"),
        ),
    )

    id: Mapped[int] = mapped_column(big_id_type(), primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))
    text: Mapped[str] = mapped_column(Text)
    # The quick-reply value an inbound message carried.
    choice: Mapped[str | None] = mapped_column(String(80))
    # Outbound: the slot the question asks; inbound: the slot it answered.
    slot: Mapped[str | None] = mapped_column(String(30))
    # Outbound quick replies: a list of {"value": ..., "label": ...}.
    choices: Mapped[list[dict[str, str]] | None] = mapped_column(json_type())
    # Outbound: numbered items the message lists (the journey playback's steps).
    items: Mapped[list[str] | None] = mapped_column(json_type())
    # What a `confirm` question showed back (the step facts the bot read), so a
    # redelivered answer gets the very replies the first delivery got.
    understood: Mapped[dict[str, Any] | None] = mapped_column(json_type())
    # Outbound: a second step question the message asks with `slot` (``duration``).
    also_asks: Mapped[str | None] = mapped_column(String(30))
    channel_message_id: Mapped[str | None] = mapped_column(String(200))
    in_reply_to_id: Mapped[int | None] = mapped_column(
        big_id_type(), ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    redacted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    interview: Mapped[Interview] = relationship(back_populates="messages")
    # Declared so the unit of work orders deletes of a whole interview correctly (replies
    # before the messages they point at).
    in_reply_to: Mapped[Message | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"Message(id={self.id!r}, direction={self.direction!r}, slot={self.slot!r})"


class StepRecord(Base):
    """One step of the customer's journey as the interview captured it (1-based ordinal)."""

    __tablename__ = "step_records"
    __table_args__ = (
        UniqueConstraint("interview_id", "ordinal"),
        CheckConstraint("feeling BETWEEN 1 AND 5", name="feeling_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    doing: Mapped[str] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(30))
    channel_text: Mapped[str | None] = mapped_column(Text)
    feeling: Mapped[int | None] = mapped_column(Integer)
    thinking: Mapped[str | None] = mapped_column(Text)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    duration_text: Mapped[str | None] = mapped_column(Text)
    people: Mapped[list[str]] = mapped_column(json_type(), default=list)
    tools: Mapped[list[str]] = mapped_column(json_type(), default=list)
    people_tools_text: Mapped[str | None] = mapped_column(Text)
    pains: Mapped[list[str]] = mapped_column(json_type(), default=list)
    pain_text: Mapped[str | None] = mapped_column(Text)
    # Ids of the messages the facts came from, so quotes can link back to the transcript.
    source_message_ids: Mapped[list[int]] = mapped_column(json_type(), default=list)
    # How each fact came to be known: {"channel": "said" | "confirmed" | "inferred" |
    # "corrected", ...}. A fact missing here was stored before provenance was recorded.
    provenance: Mapped[dict[str, str]] = mapped_column(
        json_type(), default=dict, server_default=sql_text("'{}'")
    )

    interview: Mapped[Interview] = relationship(back_populates="steps")

    def __repr__(self) -> str:
        return f"StepRecord(interview_id={self.interview_id!r}, ordinal={self.ordinal!r})"


class Invite(Base):
    """A personal interview link for one participant: the first visit starts the interview.

    Only the SHA-256 of the token is stored. Once used, ``interview_id`` ties the token to
    that one interview forever (the interview carries the same hash as its access token).
    """

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A link not opened by then, or revoked, starts nothing (migration 0010); one opened
    # before goes on working, so nobody loses an interview they are in the middle of.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    campaign: Mapped[Campaign] = relationship()
    participant: Mapped[Participant | None] = relationship()
    interview: Mapped[Interview | None] = relationship()

    def __repr__(self) -> str:
        return f"Invite(id={self.id!r}, campaign_id={self.campaign_id!r})"


# Finds a campaign's participant by address when a list is imported (de-duplication).
Index("ix_participants_campaign_id_email", Participant.campaign_id, Participant.email)

# Finds "the open interview of Slack user U in workspace T" without a scan. Declared here,
# outside the class, so the Participant definition above stays as it was.
Index("ix_participants_slack_team_id_user_id", Participant.slack_team_id, Participant.slack_user_id)


class SlackEvent(Base):
    """A Slack delivery (event or button click) that was taken on: the outbox of the work
    it asks for, so it is done once, and done even if the process dies after the ack.

    Slack redelivers what it believes was not acknowledged (``x-slack-retry-num``) and
    people double-click; a second delivery with the same ``key`` fails the unique
    constraint, in whichever process it arrives. The claim stores ``payload`` (the parsed
    work item) before Slack gets its ack; ``done_at`` is set when the work is done, and
    rows still without it are re-driven. ``picked_at`` is when a worker last took the row
    (a lease: no one else takes it for a while) and ``attempts`` counts those takes.
    Done rows are only needed while Slack might still redeliver, so old ones may be
    deleted.
    """

    __tablename__ = "slack_events"

    id: Mapped[int] = mapped_column(big_id_type(), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(json_type())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    picked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=sql_text("0"))
    # Whose delivery it is (workspace and user): a customer's deliveries run in order.
    customer: Mapped[str | None] = mapped_column(String(100), index=True)

    def __repr__(self) -> str:
        return f"SlackEvent(id={self.id!r}, key={self.key!r}, done_at={self.done_at!r})"


class SynthesisRun(Base):
    """One stored `journeyline synthesize`: what went in, with which parameters, and the
    journey map and ranked pain points that came out.

    ``segment`` is ``"key=value"`` or ``""`` for the whole campaign: runs of the same
    campaign and segment form a series whose stage and pain-point ids stay stable (each
    run is matched to ``previous_run_id``). ``next_ids`` carries the series' id counters
    (``{"stage": n, "pain": m}``), so an id that disappeared is never handed out again.
    ``journey_map`` is the map's JSON without its pain points, which are in
    ``pain_points``; both are written once and never changed.
    """

    __tablename__ = "synthesis_runs"
    __table_args__ = (Index("ix_synthesis_runs_series", "campaign_id", "segment", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    segment: Mapped[str] = mapped_column(String(200), default="")
    previous_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("synthesis_runs.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    code_version: Mapped[str] = mapped_column(String(40))
    schema_version: Mapped[str] = mapped_column(String(20))
    parameters: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
    interview_ids: Mapped[list[str]] = mapped_column(json_type(), default=list)
    interview_count: Mapped[int] = mapped_column(Integer)
    step_count: Mapped[int] = mapped_column(Integer)
    stage_count: Mapped[int] = mapped_column(Integer)
    pain_point_count: Mapped[int] = mapped_column(Integer)
    elapsed_seconds: Mapped[float | None] = mapped_column(Float)
    next_ids: Mapped[dict[str, int]] = mapped_column(json_type(), default=dict)
    journey_map: Mapped[dict[str, Any]] = mapped_column(json_type())
    pain_points: Mapped[list[dict[str, Any]]] = mapped_column(json_type())
    # The maps of a `--segment-by` run, one per segment value (JSON as ``journey_map``,
    # pain points included), so `maps export` writes exactly what `synthesize` wrote.
    segment_maps: Mapped[list[dict[str, Any]] | None] = mapped_column(json_type())
    # Set when an erasure removed someone this run quoted: the map, pain points, segment
    # maps and interview ids are emptied, the counts and id counters kept (migration
    # 0015). ``retired_by`` is the erasure's id (``erasures.erasure_id``).
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_by: Mapped[str | None] = mapped_column(String(32))

    campaign: Mapped[Campaign] = relationship()

    def __repr__(self) -> str:
        return f"SynthesisRun(id={self.id!r}, campaign_id={self.campaign_id!r})"


class ImportedInterview(Base):
    """Where an imported interview came from: the external id it had in the other tool
    (unique per campaign, so importing the same file twice stores nothing twice) and a
    hash of the record, to tell a repeat from a changed record."""

    __tablename__ = "imported_interviews"
    __table_args__ = (UniqueConstraint("campaign_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    external_id: Mapped[str] = mapped_column(String(200))
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), unique=True
    )
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(500))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"ImportedInterview(id={self.id!r}, external_id={self.external_id!r})"


class LlmCall(Base):
    """One language-model call: for which interview (or synthesis run), with which prompt
    version and model, the tokens the API reported, latency, outcome and estimated cost.

    Kept apart from messages: an audit of spend and reliability, never shown to customers
    and never holding their words (``error`` is the client's short error text).
    """

    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(big_id_type(), primary_key=True)
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[str | None] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    prompt_version: Mapped[str] = mapped_column(String(80))
    model: Mapped[str] = mapped_column(String(120))
    outcome: Mapped[str] = mapped_column(String(40))
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"LlmCall(id={self.id!r}, purpose={self.purpose!r}, outcome={self.outcome!r})"


class StartCounter(Base):
    """How many interviews were started under one budget (a client address, a campaign's
    open link, all open links) in the window that began at ``window_start``.

    Shared by every server process, so a budget holds however many there are. Rows of
    windows that have ended are deleted by the starts that come after; a client
    address is kept only as a hash (``storage.start_budgets.client_key``).
    """

    __tablename__ = "start_counters"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    count: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"StartCounter(key={self.key!r}, count={self.count!r})"


# The console's tables (accounts, sessions, API keys) and the review workspace's (curation
# layers, edits) live in their own modules; importing them here puts them on
# Base.metadata wherever the models are loaded (migrations, tests).
from storage import console_models as _console_models  # noqa: E402, F401
from storage import privacy_models as _privacy_models  # noqa: E402, F401
from storage import review_models as _review_models  # noqa: E402, F401

# The scheduler's tables (jobs, waves, invitations, suppressions) live in a module of
# their own but on this metadata, so migrations and `Base.metadata` see them wherever
# the models are imported.
from storage import scheduler_models  # noqa: E402, F401
from storage import share_models as _share_models  # noqa: E402, F401
from storage import workspace_models as _workspace_models  # noqa: E402, F401
