"""Typed ORM models of the review workspace: the curation layer of each map series, its
edits, and what happened when the layer was applied to each stored run.

A **layer** belongs to a series (a campaign and a segment, like the runs): its
``version`` goes up by one with every edit and every undo, and a change is only stored
when the version it was made on is still the current one (optimistic concurrency: two
reviewers never overwrite each other). An **edit** names its target by an id that stays
stable from run to run (stage, pain point, opportunity, emerging stage, or a step as
interview public id and ordinal); it is never deleted, only marked undone, so the log
says who did what, when and why. An **application** records, per run, the layer
version re-applied to it and what held.

The tables hang on ``storage.models.Base`` (``storage.models`` imports this module at
its end).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import UTCDateTime, json_type, utcnow


class ReviewLayer(Base):
    __tablename__ = "review_layers"
    __table_args__ = (UniqueConstraint("campaign_id", "segment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    # "key=value" or "" for the whole campaign, as synthesis_runs.segment.
    segment: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReviewEdit(Base):
    __tablename__ = "review_edits"
    __table_args__ = (Index("ix_review_edits_layer_id_id", "layer_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    layer_id: Mapped[int] = mapped_column(ForeignKey("review_layers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[str] = mapped_column(String(300))
    payload: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    # Who: the account (kept as a name too, so the log still reads after it is deleted).
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("console_users.id", ondelete="SET NULL")
    )
    author_name: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The run the edit was made on, and the layer version it made.
    run_id: Mapped[int | None] = mapped_column(ForeignKey("synthesis_runs.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("console_users.id", ondelete="SET NULL")
    )
    undone_by_name: Mapped[str | None] = mapped_column(String(320))
    undone_version: Mapped[int | None] = mapped_column(Integer)


class ReviewApplication(Base):
    __tablename__ = "review_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("synthesis_runs.id", ondelete="CASCADE"), unique=True
    )
    layer_version: Mapped[int] = mapped_column(Integer)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    held: Mapped[int] = mapped_column(Integer, default=0)
    broken: Mapped[int] = mapped_column(Integer, default=0)
    # What held, what no longer holds and why, and the new evidence per cell.
    report: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
