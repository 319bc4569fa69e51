"""Reads and writes of stored synthesis runs.

Like ``storage.queries``: the ``Session`` comes first and nothing commits; the caller
owns the transaction. Listing reads leave the large JSON columns (the map, the pain
points, the interview ids) unloaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, joinedload

from storage.models import Campaign, SynthesisRun
from storage.privacy_models import SynthesisOutput
from storage.types import utcnow

__all__ = [
    "add_run",
    "get_run",
    "latest_runs",
    "list_runs",
    "record_output",
    "run_interview_ids",
    "run_is_live",
]

_LARGE = (
    SynthesisRun.journey_map,
    SynthesisRun.pain_points,
    SynthesisRun.interview_ids,
    SynthesisRun.segment_maps,
)


def add_run(
    session: Session,
    *,
    campaign: Campaign,
    segment: str,
    previous_run_id: int | None,
    code_version: str,
    schema_version: str,
    parameters: Mapping[str, Any],
    interview_ids: Sequence[str],
    step_count: int,
    next_ids: Mapping[str, int],
    journey_map: Mapping[str, Any],
    pain_points: Sequence[Mapping[str, Any]],
    stage_count: int,
    elapsed_seconds: float | None = None,
    created_at: datetime | None = None,
    segment_maps: Sequence[Mapping[str, Any]] | None = None,
) -> SynthesisRun:
    """Store one run and flush, so its id is set. ``segment`` is ``"key=value"`` or ``""``."""
    run = SynthesisRun(
        campaign_id=campaign.id,
        segment=segment,
        previous_run_id=previous_run_id,
        created_at=created_at or utcnow(),
        code_version=code_version,
        schema_version=schema_version,
        parameters=dict(parameters),
        interview_ids=list(interview_ids),
        interview_count=len(interview_ids),
        step_count=step_count,
        stage_count=stage_count,
        pain_point_count=len(pain_points),
        elapsed_seconds=elapsed_seconds,
        next_ids=dict(next_ids),
        journey_map=dict(journey_map),
        pain_points=[dict(p) for p in pain_points],
        segment_maps=None if segment_maps is None else [dict(m) for m in segment_maps],
    )
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, run_id: int) -> SynthesisRun | None:
    """The run with this id (everything loaded, its campaign too), or ``None``."""
    return session.scalar(
        select(SynthesisRun)
        .where(SynthesisRun.id == run_id)
        .options(joinedload(SynthesisRun.campaign))
    )


def latest_runs(
    session: Session, *, campaign_id: int, segment: str | None, count: int = 1
) -> list[SynthesisRun]:
    """The newest ``count`` runs of a campaign, newest first, fully loaded.

    ``segment`` (``"key=value"`` or ``""``) keeps one series; ``None`` takes any segment.
    """
    statement = select(SynthesisRun).where(SynthesisRun.campaign_id == campaign_id)
    if segment is not None:
        statement = statement.where(SynthesisRun.segment == segment)
    statement = statement.order_by(SynthesisRun.id.desc()).limit(count)
    return list(session.scalars(statement.options(joinedload(SynthesisRun.campaign))))


def run_interview_ids(session: Session, run_id: int) -> list[str] | None:
    """The public ids of the interviews run ``run_id`` read (None: no such run)."""
    found = session.execute(
        select(SynthesisRun.interview_ids).where(SynthesisRun.id == run_id)
    ).first()
    return None if found is None else list(found[0])


def run_is_live(session: Session, run_id: int) -> bool:
    """Whether run ``run_id`` exists and no erasure retired it."""
    found = session.execute(
        select(SynthesisRun.retired_at).where(SynthesisRun.id == run_id)
    ).first()
    return found is not None and found[0] is None


def list_runs(
    session: Session, *, campaign_slug: str | None = None, limit: int | None = None
) -> list[SynthesisRun]:
    """Runs newest first (optionally one campaign's), without their large JSON columns;
    runs an erasure retired are left out (their maps are gone)."""
    statement = (
        select(SynthesisRun)
        .where(SynthesisRun.retired_at.is_(None))
        .options(*(defer(column) for column in _LARGE), joinedload(SynthesisRun.campaign))
        .order_by(SynthesisRun.id.desc())
    )
    if campaign_slug is not None:
        statement = statement.join(SynthesisRun.campaign).where(Campaign.slug == campaign_slug)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def delete_campaign_runs(session: Session, *, campaign_id: int) -> int:
    """Delete a campaign's stored runs (for throw-away campaigns such as the demo, whose
    interviews are replaced: a new series must not match ids against vanished ones)."""
    runs = list(
        session.scalars(select(SynthesisRun).where(SynthesisRun.campaign_id == campaign_id))
    )
    for run in sorted(runs, key=lambda r: -r.id):  # newest first: previous_run_id links
        session.delete(run)
    session.flush()
    return len(runs)


def record_output(
    session: Session, *, run_id: int, folder: Path, files: Sequence[Path], now: datetime
) -> SynthesisOutput:
    """Record that run ``run_id``'s files were written into ``folder`` (an erasure that
    retires the run deletes them). ``files`` may be absolute or relative to ``folder``."""
    base = folder.resolve()
    names = [str(path.resolve().relative_to(base)) for path in files]
    output = SynthesisOutput(run_id=run_id, folder=str(base), files=names, written_at=now)
    session.add(output)
    session.flush()
    return output
