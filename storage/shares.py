"""Reads and writes of share links. Like ``storage.queries``: the ``Session`` comes
first and nothing commits; the caller owns the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.share_models import ShareLink


def add_link(
    session: Session,
    *,
    token_hash: str,
    run_id: int,
    created_by_id: int | None,
    created_by_name: str,
    note: str,
    created_at: datetime,
    expires_at: datetime,
) -> ShareLink:
    row = ShareLink(
        token_hash=token_hash,
        run_id=run_id,
        created_by_id=created_by_id,
        created_by_name=created_by_name,
        note=note,
        created_at=created_at,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row


def link_by_hash(session: Session, token_hash: str) -> ShareLink | None:
    return session.scalar(select(ShareLink).where(ShareLink.token_hash == token_hash))


def link_by_id(session: Session, link_id: int) -> ShareLink | None:
    return session.get(ShareLink, link_id)


def links_of_runs(session: Session, run_ids: list[int]) -> list[ShareLink]:
    """The links of these runs, newest first."""
    if not run_ids:
        return []
    query = (
        select(ShareLink)
        .where(ShareLink.run_id.in_(run_ids))
        .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
    )
    return list(session.scalars(query))


def revoke_link(session: Session, *, link_id: int, by_name: str, now: datetime) -> None:
    """Mark the link revoked (a link revoked before keeps its first revocation)."""
    session.execute(
        update(ShareLink)
        .where(ShareLink.id == link_id, ShareLink.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by_name=by_name)
        .execution_options(synchronize_session=False)
    )
