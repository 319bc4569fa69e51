"""Typed ORM models of the review team's workspace around a map: discussion threads on
its cells, the review status of each map version, actions with owners, and closing the
loop with the customers who asked to hear back.

Threads and actions belong to a **map series** (a campaign and a segment, like the
curation layer) and name their cell by the ids synthesis keeps from run to run (stage,
pain point, opportunity, emerging stage; a stage's lane by name), so they stay on their
cell across re-synthesis and versions. The review status belongs to one **run** (one
version of the map). Every row a form or a retried job can create carries a unique key,
so a retry finds the row it made instead of making another.

The tables hang on ``storage.models.Base`` (``storage.models`` imports this module at
its end).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import UTCDateTime, json_type, utcnow


class MapThread(Base):
    """A discussion on one cell of a map series; open until someone resolves it."""

    __tablename__ = "map_threads"
    __table_args__ = (Index("ix_map_threads_series_cell", "campaign_id", "segment", "cell_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    segment: Mapped[str] = mapped_column(String(200), default="")
    # stage, pain, opportunity or emerging; ``lane`` names a stage's lane ("" the cell).
    cell_kind: Mapped[str] = mapped_column(String(20))
    cell_id: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    # The run whose page the thread was started on.
    run_id: Mapped[int | None] = mapped_column(ForeignKey("synthesis_runs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_name: Mapped[str | None] = mapped_column(String(320))


class MapComment(Base):
    """One comment of a thread (the first one starts it). ``request_key`` is the form's
    one-time key: a resubmitted form finds its comment instead of posting it twice."""

    __tablename__ = "map_comments"
    __table_args__ = (Index("ix_map_comments_thread_id_id", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("map_threads.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("console_users.id", ondelete="SET NULL")
    )
    author_name: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    request_key: Mapped[str] = mapped_column(String(64), unique=True)


class MapMention(Base):
    """A console user named in a comment (``@name`` or ``@email``)."""

    __tablename__ = "map_mentions"
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("map_comments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("console_users.id", ondelete="CASCADE"), index=True
    )
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MapApproval(Base):
    """The review status of one map version (run): draft, in_review or approved, who set
    it, when, and the curation layer version it was set on."""

    __tablename__ = "map_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("synthesis_runs.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(20), default="draft")
    layer_version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_name: Mapped[str] = mapped_column(String(320), default="")


class MapApprovalEvent(Base):
    """Every change of a version's review status: the log the history page shows."""

    __tablename__ = "map_approval_events"
    __table_args__ = (Index("ix_map_approval_events_run_id_id", "run_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("synthesis_runs.id", ondelete="CASCADE"))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("console_users.id", ondelete="SET NULL")
    )
    actor_name: Mapped[str] = mapped_column(String(320))
    layer_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MapAction(Base):
    """Something the company will do about a pain point or an opportunity of a map
    series: an owner, a status, a due date, and the pain points it addresses."""

    __tablename__ = "map_actions"
    __table_args__ = (Index("ix_map_actions_series", "campaign_id", "segment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    segment: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200))
    # pain or opportunity, and its stable id.
    source_kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(String(200))
    # The stable ids of the pain points it addresses.
    pains: Mapped[list[str]] = mapped_column(json_type(), default=list)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("console_users.id", ondelete="SET NULL")
    )
    owner_name: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20), default="open")
    due_on: Mapped[date | None] = mapped_column(Date)
    # Optimistic concurrency, as the curation layer: a form sends the version it showed.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_name: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("synthesis_runs.id", ondelete="SET NULL"))
    request_key: Mapped[str] = mapped_column(String(64), unique=True)


class LoopMessage(Base):
    """The "here is what we changed" message of a done action: a draft the team edits,
    then queued (``queued_at``) to the customers who asked to hear back, once."""

    __tablename__ = "loop_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("map_actions.id", ondelete="CASCADE"), unique=True
    )
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    edited_by_name: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    queued_by_name: Mapped[str | None] = mapped_column(String(320))


class LoopSend(Base):
    """One person's copy of a loop message: at most one per participant (the unique
    constraint is the "exactly once per person"), its channel and what happened."""

    __tablename__ = "loop_sends"
    __table_args__ = (UniqueConstraint("loop_message_id", "participant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loop_message_id: Mapped[int] = mapped_column(ForeignKey("loop_messages.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    # pending -> sending -> sent; or skipped (suppressed, no address) or failed.
    state: Mapped[str] = mapped_column(String(20), default="pending")
    detail: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
