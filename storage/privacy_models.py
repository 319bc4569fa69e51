"""Typed ORM models of privacy work: the audit of erasures, and where synthesis runs
wrote their files (so an erasure can find the files that quote the person).

Registered on ``storage.models.Base`` (``storage.models`` imports this module at its
end), so the migrations and the erasure's table list see them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import UTCDateTime, json_type, utcnow


class ErasureRecord(Base):
    """That an erasure happened, and nothing about whom: a random id (given to the
    person or the requester as a receipt), when, who acted (``"cli"`` or
    ``"account:<id>"``) and how many rows went per table. Never a name, an address or a
    participant id: the record outlives the person's data on purpose."""

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    erasure_id: Mapped[str] = mapped_column(String(32), unique=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(40))
    # {"messages": 12, "interviews": 2, ...}: table name -> rows deleted; also
    # "synthesis_runs_retired" and "files_deleted".
    counts: Mapped[dict[str, int]] = mapped_column(json_type(), default=dict)


class SynthesisOutput(Base):
    """One writing of a stored run's files (``synthesize`` or ``maps export``): the
    folder (absolute) and the files written in it, relative to it. Files written with
    personal data quote customers; an erasure deletes the files of the runs it retires."""

    __tablename__ = "synthesis_outputs"
    __table_args__ = (Index("ix_synthesis_outputs_run_id", "run_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("synthesis_runs.id", ondelete="CASCADE"))
    folder: Mapped[str] = mapped_column(Text)
    files: Mapped[list[str]] = mapped_column(json_type(), default=list)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
