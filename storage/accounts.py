"""Console accounts in SQL: users, their API keys and one-time password-reset links.

Functions take the caller's session and flush; the service owns the transaction.
Emails are compared lower-case: the service normalises them before they get here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Result, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.console_models import ApiKey, ConsoleUser, PasswordResetLink


class DuplicateEmail(ValueError):
    """A console user with this email already exists."""

    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(f"a user with email {email!r} already exists")


def changed_rows(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE changed (Session.execute is typed for any statement)."""
    return cast("CursorResult[Any]", result).rowcount


def get_user(session: Session, user_id: int) -> ConsoleUser | None:
    return session.get(ConsoleUser, user_id)


def get_user_by_email(session: Session, email: str) -> ConsoleUser | None:
    return session.scalar(select(ConsoleUser).where(ConsoleUser.email == email))


def list_users(session: Session) -> list[ConsoleUser]:
    """Every user, by email."""
    return list(session.scalars(select(ConsoleUser).order_by(ConsoleUser.email)))


def add_user(
    session: Session,
    *,
    email: str,
    role: str,
    display_name: str | None = None,
    password_hash: str | None = None,
    must_change_password: bool = False,
    oidc_subject: str | None = None,
    now: datetime,
) -> ConsoleUser:
    """Store and flush a new user; :class:`DuplicateEmail` if the email is taken.

    The unique constraint is the judge (inside a savepoint, so the caller's transaction
    survives), which also covers two admins creating the same user at once.
    """
    user = ConsoleUser(
        email=email,
        role=role,
        display_name=display_name,
        password_hash=password_hash,
        must_change_password=must_change_password,
        oidc_subject=oidc_subject,
        created_at=now,
        password_changed_at=now if password_hash else None,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise DuplicateEmail(email) from None
    return user


def count_active_admins(session: Session) -> int:
    statement = select(func.count()).where(
        ConsoleUser.role == "admin", ConsoleUser.disabled_at.is_(None)
    )
    return int(session.scalar(statement) or 0)


def lock_admins(session: Session) -> None:
    """Lock the active admins' rows until the transaction ends (PostgreSQL), so two
    admins demoting each other at once cannot leave nobody in charge. SQLite needs no
    lock: every write transaction there holds the whole database (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        statement = (
            select(ConsoleUser.id)
            .where(ConsoleUser.role == "admin", ConsoleUser.disabled_at.is_(None))
            .with_for_update()
        )
        session.execute(statement).all()


# --------------------------------------------------------------------------- API keys


def add_api_key(
    session: Session,
    *,
    user_id: int,
    name: str,
    prefix: str,
    token_hash: str,
    scopes: Sequence[str],
    now: datetime,
) -> ApiKey:
    key = ApiKey(
        user_id=user_id,
        name=name,
        prefix=prefix,
        token_hash=token_hash,
        scopes=list(scopes),
        created_at=now,
    )
    session.add(key)
    session.flush()
    return key


def api_key_with_owner(session: Session, token_hash: str) -> tuple[ApiKey, ConsoleUser] | None:
    """The key with this hash and its owner, revoked or not (the caller judges)."""
    statement = (
        select(ApiKey, ConsoleUser)
        .join(ConsoleUser, ConsoleUser.id == ApiKey.user_id)
        .where(ApiKey.token_hash == token_hash)
    )
    row = session.execute(statement).first()
    return None if row is None else (row[0], row[1])


def list_api_keys(session: Session, user_id: int) -> list[ApiKey]:
    """A user's keys, newest first, revoked ones included."""
    statement = select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.id.desc())
    return list(session.scalars(statement))


def revoke_api_key(session: Session, *, key_id: int, user_id: int, now: datetime) -> bool:
    """Revoke a key of this user; False when there is no such live key."""
    statement = (
        update(ApiKey)
        .where(ApiKey.id == key_id, ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return changed_rows(session.execute(statement)) > 0


def mark_api_key_used(session: Session, *, key_id: int, now: datetime, before: datetime) -> None:
    """Record a use, unless one was recorded after ``before``: a busy script must not
    turn every read into a write."""
    statement = (
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            (ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < before),
        )
        .values(last_used_at=now)
    )
    session.execute(statement)


# --------------------------------------------------------------------------- reset links


def add_reset_link(
    session: Session,
    *,
    user_id: int,
    created_by_id: int | None,
    token_hash: str,
    now: datetime,
    expires_at: datetime,
) -> PasswordResetLink:
    """A new one-time link for ``user_id``; links made before it for the user stop
    working (only the newest link an admin handed out should open anything)."""
    session.execute(
        update(PasswordResetLink)
        .where(PasswordResetLink.user_id == user_id, PasswordResetLink.used_at.is_(None))
        .values(used_at=now)
    )
    link = PasswordResetLink(
        user_id=user_id,
        created_by_id=created_by_id,
        token_hash=token_hash,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(link)
    session.flush()
    return link


def reset_link_with_user(
    session: Session, token_hash: str
) -> tuple[PasswordResetLink, ConsoleUser] | None:
    statement = (
        select(PasswordResetLink, ConsoleUser)
        .join(ConsoleUser, ConsoleUser.id == PasswordResetLink.user_id)
        .where(PasswordResetLink.token_hash == token_hash)
    )
    row = session.execute(statement).first()
    return None if row is None else (row[0], row[1])


def use_reset_link(session: Session, *, link_id: int, now: datetime) -> bool:
    """Mark the link used; False when it already was (a second, concurrent use)."""
    statement = (
        update(PasswordResetLink)
        .where(PasswordResetLink.id == link_id, PasswordResetLink.used_at.is_(None))
        .values(used_at=now)
    )
    return changed_rows(session.execute(statement)) > 0
