"""Signing in, in SQL: console sessions, failed sign-ins and single sign-on attempts.

Functions take the caller's session; the service owns the transaction and the clock
(every time is passed in, so a test can move it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from storage.accounts import changed_rows
from storage.console_models import ConsoleSession, ConsoleUser, FailedSignIn, SsoAttempt

# --------------------------------------------------------------------------- sessions


def add_session(
    session: Session,
    *,
    token_hash: str,
    user_id: int,
    now: datetime,
    expires_at: datetime,
    method: str,
    client_address: str | None,
    user_agent: str | None,
) -> ConsoleSession:
    row = ConsoleSession(
        token_hash=token_hash,
        user_id=user_id,
        created_at=now,
        last_seen_at=now,
        expires_at=expires_at,
        method=method,
        client_address=(client_address or None) and client_address[:64],
        user_agent=(user_agent or None) and user_agent[:300],
    )
    session.add(row)
    session.flush()
    return row


def session_with_user(
    session: Session, token_hash: str
) -> tuple[ConsoleSession, ConsoleUser] | None:
    """The session with this token hash and its user, whatever their state."""
    statement = (
        select(ConsoleSession, ConsoleUser)
        .join(ConsoleUser, ConsoleUser.id == ConsoleSession.user_id)
        .where(ConsoleSession.token_hash == token_hash)
    )
    row = session.execute(statement).first()
    return None if row is None else (row[0], row[1])


def mark_session_seen(session: Session, *, session_id: int, now: datetime) -> None:
    session.execute(
        update(ConsoleSession).where(ConsoleSession.id == session_id).values(last_seen_at=now)
    )


def delete_session(session: Session, token_hash: str) -> bool:
    result = session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == token_hash))
    return changed_rows(result) > 0


def delete_user_sessions(session: Session, user_id: int) -> int:
    """End every session of the user; how many there were."""
    result = session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user_id))
    return changed_rows(result)


def list_user_sessions(session: Session, user_id: int, *, now: datetime) -> list[ConsoleSession]:
    """The user's unexpired sessions, newest first."""
    statement = (
        select(ConsoleSession)
        .where(ConsoleSession.user_id == user_id, ConsoleSession.expires_at > now)
        .order_by(ConsoleSession.id.desc())
    )
    return list(session.scalars(statement))


def delete_expired_sessions(session: Session, *, now: datetime) -> int:
    result = session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))
    return changed_rows(result)


# --------------------------------------------------------------------------- failed sign-ins


def record_failures(session: Session, keys: Iterable[str], *, at: datetime) -> None:
    """One failed sign-in, counted against each of ``keys`` (account and address)."""
    session.add_all(FailedSignIn(key=key[:400], at=at) for key in keys)
    session.flush()


def failures_since(session: Session, key: str, *, since: datetime) -> tuple[int, datetime | None]:
    """How many failures ``key`` has had since ``since``, and the oldest of them (which
    says when the count will drop)."""
    statement = select(func.count(), func.min(FailedSignIn.at)).where(
        FailedSignIn.key == key[:400], FailedSignIn.at >= since
    )
    # min() keeps the column's type, so the oldest comes back as an aware UTC datetime.
    count, oldest = session.execute(statement).one()
    return int(count or 0), oldest


def clear_failures(session: Session, key: str) -> None:
    session.execute(delete(FailedSignIn).where(FailedSignIn.key == key[:400]))


def delete_old_failures(session: Session, *, before: datetime) -> int:
    result = session.execute(delete(FailedSignIn).where(FailedSignIn.at < before))
    return changed_rows(result)


# --------------------------------------------------------------------------- single sign-on


def add_sso_attempt(
    session: Session, *, state_hash: str, nonce: str, code_verifier: str, now: datetime
) -> None:
    session.add(
        SsoAttempt(state_hash=state_hash, nonce=nonce, code_verifier=code_verifier, created_at=now)
    )
    session.flush()


def take_sso_attempt(session: Session, state_hash: str) -> SsoAttempt | None:
    """The attempt with this state, deleted as it is read: a state is good once."""
    attempt = session.scalar(select(SsoAttempt).where(SsoAttempt.state_hash == state_hash))
    if attempt is None:
        return None
    result = session.execute(delete(SsoAttempt).where(SsoAttempt.id == attempt.id))
    # Another request took it between the read and the delete: it is theirs.
    return attempt if changed_rows(result) > 0 else None


def delete_old_sso_attempts(session: Session, *, before: datetime) -> int:
    result = session.execute(delete(SsoAttempt).where(SsoAttempt.created_at < before))
    return changed_rows(result)
