"""Reads and writes of map versions' review status (draft, in review, approved) and its
log. The ``Session`` comes first and nothing commits; the caller owns the transaction.
:func:`move` is the concurrency step: the status changes only from the one the page
showed."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.workspace_models import MapApproval, MapApprovalEvent

DRAFT = "draft"


def statuses(session: Session, run_ids: Collection[int]) -> dict[int, MapApproval]:
    if not run_ids:
        return {}
    rows = session.scalars(select(MapApproval).where(MapApproval.run_id.in_(run_ids)))
    return {row.run_id: row for row in rows}


def ensure(session: Session, *, run_id: int, now: datetime) -> MapApproval:
    """The run's status row, made as a draft when it has none."""
    found = session.scalar(select(MapApproval).where(MapApproval.run_id == run_id))
    if found is not None:
        return found
    try:
        with session.begin_nested():
            row = MapApproval(run_id=run_id, status=DRAFT, changed_at=now, changed_by_name="")
            session.add(row)
    except IntegrityError:
        found = session.scalar(select(MapApproval).where(MapApproval.run_id == run_id))
        if found is None:
            raise
        return found
    return row


def move(
    session: Session,
    *,
    run_id: int,
    from_status: str,
    to_status: str,
    reason: str,
    actor_id: int | None,
    actor_name: str,
    layer_version: int,
    now: datetime,
) -> bool:
    """Change the run's status from ``from_status`` (False, nothing stored, when it is
    no longer that) and log it."""
    ensure(session, run_id=run_id, now=now)
    result = session.execute(
        update(MapApproval)
        .where(MapApproval.run_id == run_id, MapApproval.status == from_status)
        .values(
            status=to_status,
            layer_version=layer_version,
            changed_at=now,
            changed_by_name=actor_name,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    session.add(
        MapApprovalEvent(
            run_id=run_id,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            actor_id=actor_id,
            actor_name=actor_name,
            layer_version=layer_version,
            created_at=now,
        )
    )
    session.flush()
    session.expire_all()
    return True


def events(session: Session, run_ids: Collection[int]) -> list[MapApprovalEvent]:
    """The status changes of these runs, newest first."""
    if not run_ids:
        return []
    return list(
        session.scalars(
            select(MapApprovalEvent)
            .where(MapApprovalEvent.run_id.in_(run_ids))
            .order_by(MapApprovalEvent.id.desc())
        )
    )
