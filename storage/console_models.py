"""Typed ORM models of the researcher console: accounts, their sessions, API keys,
one-time password-reset links, failed sign-ins and single sign-on attempts under way.

Every secret a person or a program holds (session cookie, API key, reset link, SSO
state) is stored only as its SHA-256 hash: a copy of the database opens nothing.
Passwords are stored as argon2id hashes made by the service (``bot.service.console``);
storage never sees a password.

The tables hang on ``storage.models.Base`` (``storage.models`` imports this module at
its end, so the metadata the migrations are compared with includes them).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models import Base
from storage.types import UTCDateTime, big_id_type, json_type, utcnow

# The roles' names, kept here only to guard the column; what each role may do is the
# service's permission table (bot.service.console.permissions).
ROLE_NAMES = ("admin", "researcher", "reviewer", "viewer")


class ConsoleUser(Base):
    """Someone who signs in to the console: email (stored lower-case, unique), role,
    password hash (None for single-sign-on-only accounts), and whether they are disabled.

    ``must_change_password`` is set when an admin gave them a temporary password: the
    console lets them do nothing but choose their own until they have.
    """

    __tablename__ = "console_users"
    __table_args__ = (
        CheckConstraint(
            "role IN (" + ", ".join(f"'{name}'" for name in ROLE_NAMES) + ")", name="role"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # The identity provider's subject id, recorded at the first single sign-on.
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    sessions: Mapped[list[ConsoleSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"ConsoleUser(id={self.id!r}, email={self.email!r}, role={self.role!r})"


class ConsoleSession(Base):
    """A signed-in browser. The cookie holds the token; the row holds its hash.

    A session ends at ``expires_at`` (absolute), or when unused for the idle timeout
    (``last_seen_at``, refreshed at most once a minute so reads stay reads), or when its
    row is deleted: signing out, signing out everywhere, disabling the user.
    """

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(big_id_type(), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("console_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # How the session began ("password", "sso", "reset-link"), and from where: shown to
    # the user on their account page.
    method: Mapped[str] = mapped_column(String(20))
    client_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[ConsoleUser] = relationship(back_populates="sessions")

    def __repr__(self) -> str:
        return f"ConsoleSession(id={self.id!r}, user_id={self.user_id!r})"


class ApiKey(Base):
    """A key for automation (``Authorization: Bearer jl_...``), owned by a user.

    ``scopes`` is a subset of the owner's permissions when the key was made; each use is
    also checked against the owner's role of the moment, so demoting or disabling the
    owner takes power away from their keys. Revoked keys are kept (revoked_at set) so
    the owner's list shows what existed.
    """

    __tablename__ = "console_api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("console_users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    # The key's first characters ("jl_AbC123"), enough to recognise it in a list.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(json_type(), default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"ApiKey(id={self.id!r}, prefix={self.prefix!r})"


class PasswordResetLink(Base):
    """A one-time link an admin made so a user can choose a new password."""

    __tablename__ = "console_reset_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("console_users.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("console_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FailedSignIn(Base):
    """One failed sign-in, counted per account and per client address over a window.

    Kept in the database, not in memory, so the limit holds across server processes and
    restarts. ``key`` is ``"account:<email>"`` or ``"address:<ip>"``.
    """

    __tablename__ = "console_failed_sign_ins"
    __table_args__ = (Index("ix_console_failed_sign_ins_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(big_id_type(), primary_key=True)
    key: Mapped[str] = mapped_column(String(400))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SsoAttempt(Base):
    """A single sign-on under way: what the browser must bring back from the identity
    provider (``state``, stored hashed) and what only this server may know (the PKCE
    verifier and the nonce the ID token must carry). Used once, then deleted."""

    __tablename__ = "console_sso_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
