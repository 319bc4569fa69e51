"""Reads and writes of map discussions: threads on cells, their comments and mentions.

Like ``storage.queries``: the ``Session`` comes first and nothing commits; the caller
owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.console_models import ConsoleUser
from storage.workspace_models import MapComment, MapMention, MapThread

OPEN = "open"
RESOLVED = "resolved"


def comment_by_key(session: Session, request_key: str) -> MapComment | None:
    return session.scalar(select(MapComment).where(MapComment.request_key == request_key))


def add_thread(
    session: Session,
    *,
    campaign_id: int,
    segment: str,
    cell_kind: str,
    cell_id: str,
    lane: str,
    run_id: int,
    now: datetime,
) -> MapThread:
    thread = MapThread(
        campaign_id=campaign_id,
        segment=segment,
        cell_kind=cell_kind,
        cell_id=cell_id,
        lane=lane,
        status=OPEN,
        run_id=run_id,
        created_at=now,
    )
    session.add(thread)
    session.flush()
    return thread


def add_comment(
    session: Session,
    *,
    thread_id: int,
    body: str,
    author_id: int | None,
    author_name: str,
    request_key: str,
    mentioned: Collection[int],
    now: datetime,
) -> MapComment:
    """Store a comment and its mentions (flushed: ids set)."""
    comment = MapComment(
        thread_id=thread_id,
        body=body,
        author_id=author_id,
        author_name=author_name,
        request_key=request_key,
        created_at=now,
    )
    session.add(comment)
    session.flush()
    session.add_all(MapMention(comment_id=comment.id, user_id=user) for user in mentioned)
    session.flush()
    return comment


def get_thread(session: Session, thread_id: int, *, for_update: bool = False) -> MapThread | None:
    statement = select(MapThread).where(MapThread.id == thread_id)
    if for_update:
        statement = statement.with_for_update()
    return session.scalar(statement)


def series_threads(
    session: Session,
    *,
    campaign_id: int,
    segment: str,
    cell: tuple[str, str] | None = None,
    open_only: bool = False,
) -> list[MapThread]:
    """Every thread of a map series (or of its ``cell``: kind and id; or only the open
    ones), oldest first."""
    statement = select(MapThread).where(
        MapThread.campaign_id == campaign_id, MapThread.segment == segment
    )
    if open_only:
        statement = statement.where(MapThread.status == OPEN)
    if cell is not None:
        statement = statement.where(MapThread.cell_kind == cell[0], MapThread.cell_id == cell[1])
    return list(session.scalars(statement.order_by(MapThread.id)))


def comments_of(session: Session, thread_ids: Collection[int]) -> list[MapComment]:
    if not thread_ids:
        return []
    return list(
        session.scalars(
            select(MapComment).where(MapComment.thread_id.in_(thread_ids)).order_by(MapComment.id)
        )
    )


def mentions_in(session: Session, comment_ids: Collection[int]) -> list[tuple[int, ConsoleUser]]:
    """(comment id, user) of every mention in these comments."""
    if not comment_ids:
        return []
    rows = session.execute(
        select(MapMention.comment_id, ConsoleUser)
        .join(ConsoleUser, ConsoleUser.id == MapMention.user_id)
        .where(MapMention.comment_id.in_(comment_ids))
        .order_by(MapMention.id)
    )
    return [(comment_id, user) for comment_id, user in rows]


def set_status(
    session: Session, *, thread_id: int, status: str, by_name: str | None, now: datetime
) -> bool:
    """Resolve or reopen; False when the thread was in that state already."""
    resolved = status == RESOLVED
    result = session.execute(
        update(MapThread)
        .where(MapThread.id == thread_id, MapThread.status != status)
        .values(
            status=status,
            resolved_at=now if resolved else None,
            resolved_by_name=by_name if resolved else None,
        )
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


def mentions_of(
    session: Session, user_id: int, *, limit: int = 100
) -> list[tuple[MapMention, MapComment, MapThread]]:
    """The user's mentions, newest first."""
    rows = session.execute(
        select(MapMention, MapComment, MapThread)
        .join(MapComment, MapComment.id == MapMention.comment_id)
        .join(MapThread, MapThread.id == MapComment.thread_id)
        .where(MapMention.user_id == user_id)
        .order_by(MapMention.id.desc())
        .limit(limit)
    )
    return [(m, c, t) for m, c, t in rows]


def unseen_mentions(session: Session, user_id: int) -> int:
    count = session.scalar(
        select(func.count(MapMention.id)).where(
            MapMention.user_id == user_id, MapMention.seen_at.is_(None)
        )
    )
    return int(count or 0)


def mark_seen(session: Session, user_id: int, *, now: datetime) -> None:
    session.execute(
        update(MapMention)
        .where(MapMention.user_id == user_id, MapMention.seen_at.is_(None))
        .values(seen_at=now)
        .execution_options(synchronize_session=False)
    )


def get_mention(
    session: Session, mention_id: int
) -> tuple[MapMention, MapComment, MapThread, ConsoleUser] | None:
    row = session.execute(
        select(MapMention, MapComment, MapThread, ConsoleUser)
        .join(MapComment, MapComment.id == MapMention.comment_id)
        .join(MapThread, MapThread.id == MapComment.thread_id)
        .join(ConsoleUser, ConsoleUser.id == MapMention.user_id)
        .where(MapMention.id == mention_id)
    ).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


def mention_ids(session: Session, comment_id: int) -> list[int]:
    return list(session.scalars(select(MapMention.id).where(MapMention.comment_id == comment_id)))
