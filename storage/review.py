"""Reads and writes of the review workspace: curation layers, their edits, and their
application to stored runs.

Like ``storage.queries``: the ``Session`` comes first and nothing commits; the caller
owns the transaction. :func:`claim_version` is the optimistic-concurrency step: a
change is written only in the transaction that moved the layer from the version it was
made on to the next one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.review_models import ReviewApplication, ReviewEdit, ReviewLayer


def get_layer(session: Session, *, campaign_id: int, segment: str) -> ReviewLayer | None:
    return session.scalar(
        select(ReviewLayer).where(
            ReviewLayer.campaign_id == campaign_id, ReviewLayer.segment == segment
        )
    )


def ensure_layer(session: Session, *, campaign_id: int, segment: str, now: datetime) -> ReviewLayer:
    """The series' layer, created at version 0 if it has none (another transaction
    creating it at the same moment is fine: theirs is used)."""
    found = get_layer(session, campaign_id=campaign_id, segment=segment)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            layer = ReviewLayer(campaign_id=campaign_id, segment=segment, version=0, updated_at=now)
            session.add(layer)
    except IntegrityError:
        found = get_layer(session, campaign_id=campaign_id, segment=segment)
        if found is None:
            raise
        return found
    return layer


def claim_version(session: Session, *, layer_id: int, expected: int, now: datetime) -> bool:
    """Move the layer from version ``expected`` to the next; False (nothing changed)
    when it is no longer at ``expected``. On PostgreSQL a concurrent claim waits for
    this transaction and then finds the version moved on."""
    result = session.execute(
        update(ReviewLayer)
        .where(ReviewLayer.id == layer_id, ReviewLayer.version == expected)
        .values(version=expected + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    claimed = getattr(result, "rowcount", 0) == 1
    if claimed:
        session.expire_all()  # the layer row changed under the identity map
    return claimed


def current_version(session: Session, layer_id: int) -> int:
    version = session.scalar(select(ReviewLayer.version).where(ReviewLayer.id == layer_id))
    return int(version or 0)


def add_edit(
    session: Session,
    *,
    layer_id: int,
    kind: str,
    target_kind: str,
    target_id: str,
    payload: Mapping[str, Any],
    reason: str,
    author_id: int | None,
    author_name: str,
    run_id: int | None,
    version: int,
    now: datetime,
) -> ReviewEdit:
    """Store an edit (flushed: its id is set); ``version`` is the one it made."""
    edit = ReviewEdit(
        layer_id=layer_id,
        kind=kind,
        target_kind=target_kind,
        target_id=target_id,
        payload=dict(payload),
        reason=reason,
        author_id=author_id,
        author_name=author_name,
        run_id=run_id,
        version=version,
        created_at=now,
    )
    session.add(edit)
    session.flush()
    return edit


def list_edits(session: Session, layer_id: int) -> list[ReviewEdit]:
    """Every edit of the layer, undone ones too, oldest first."""
    return list(
        session.scalars(
            select(ReviewEdit).where(ReviewEdit.layer_id == layer_id).order_by(ReviewEdit.id)
        )
    )


def get_edit(session: Session, *, layer_id: int, edit_id: int) -> ReviewEdit | None:
    return session.scalar(
        select(ReviewEdit).where(ReviewEdit.layer_id == layer_id, ReviewEdit.id == edit_id)
    )


def mark_undone(
    session: Session,
    edit: ReviewEdit,
    *,
    by_id: int | None,
    by_name: str,
    version: int,
    now: datetime,
) -> None:
    edit.undone_at = now
    edit.undone_by_id = by_id
    edit.undone_by_name = by_name
    edit.undone_version = version
    session.flush()


def save_application(
    session: Session,
    *,
    run_id: int,
    layer_version: int,
    held: int,
    broken: int,
    report: Mapping[str, Any],
    now: datetime,
) -> ReviewApplication:
    """Record (or replace) what applying the layer to run ``run_id`` gave."""
    found = session.scalar(select(ReviewApplication).where(ReviewApplication.run_id == run_id))
    if found is None:
        found = ReviewApplication(run_id=run_id)
        session.add(found)
    found.layer_version = layer_version
    found.held = held
    found.broken = broken
    found.report = dict(report)
    found.applied_at = now
    session.flush()
    return found


def applications(session: Session, run_ids: list[int]) -> dict[int, ReviewApplication]:
    """The recorded applications of these runs, by run id."""
    if not run_ids:
        return {}
    rows = session.scalars(select(ReviewApplication).where(ReviewApplication.run_id.in_(run_ids)))
    return {row.run_id: row for row in rows}
