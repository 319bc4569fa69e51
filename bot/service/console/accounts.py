"""Console accounts: creating users, roles, disabling, passwords and reset links.

Every change that takes power away (disable, demote, reset, new password) ends the
user's sessions in the same transaction, so it takes effect at their next click.
There is always at least one active admin: the last one cannot be demoted or disabled.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.service.access_tokens import hash_token, new_token
from bot.service.console.config import ConsoleConfig
from bot.service.console.errors import (
    EmailTaken,
    InvalidUserInput,
    LastAdmin,
    PasswordRejected,
    ResetLinkInvalid,
    UserNotFound,
)
from bot.service.console.passwords import Passwords, check_new_password, temporary_password
from bot.service.console.permissions import Role
from bot.service.console.views import UserView
from storage import accounts, console_auth
from storage.console_models import ConsoleUser

# Deliberately loose: one @, something before it, a dot after it, no spaces. Whether
# the address works is the mail system's business.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NAME = 200


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """The normalised email, or :class:`InvalidUserInput`."""
    normalized = normalize_email(email)
    if len(normalized) > 320 or not _EMAIL.match(normalized):
        raise InvalidUserInput(f"{email.strip() or 'An empty email'} is not an email address.")
    return normalized


def parse_role(role: str) -> Role:
    try:
        return Role(role.strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise InvalidUserInput(f"Unknown role {role!r}: choose one of {names}.") from None


def user_view(row: ConsoleUser) -> UserView:
    return UserView(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        role=Role(row.role),
        disabled=row.disabled_at is not None,
        must_change_password=row.must_change_password,
        has_password=row.password_hash is not None,
        created_at=row.created_at,
        last_sign_in_at=row.last_sign_in_at,
    )


class Accounts:
    """Users and their passwords. ``clock`` gives aware UTC datetimes."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        passwords: Passwords,
        config: ConsoleConfig,
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._passwords = passwords
        self._config = config
        self._clock = clock

    # ------------------------------------------------------------------- reading

    def list_users(self) -> list[UserView]:
        with self._sessions.begin() as session:
            return [user_view(row) for row in accounts.list_users(session)]

    def get(self, user_id: int) -> UserView:
        with self._sessions.begin() as session:
            return user_view(self._row(session, user_id))

    def find(self, email: str) -> UserView:
        """The user with this email, or :class:`UserNotFound`."""
        with self._sessions.begin() as session:
            row = accounts.get_user_by_email(session, normalize_email(email))
            if row is None:
                raise UserNotFound(email.strip())
            return user_view(row)

    # ------------------------------------------------------------------- creating

    def create(
        self,
        *,
        email: str,
        role: Role | str,
        display_name: str | None = None,
        password: str | None = None,
        must_change_password: bool = True,
    ) -> tuple[UserView, str | None]:
        """Create a user; returns the user and the temporary password made for them
        when ``password`` is None (None otherwise).

        A password chosen by someone else (an admin) should be changed by its owner at
        first sign-in: ``must_change_password`` (default True) makes the console insist.
        Raises :class:`InvalidUserInput`, :class:`PasswordRejected`, :class:`EmailTaken`.
        """
        normalized = check_email(email)
        chosen_role = parse_role(role)
        name = (display_name or "").strip() or None
        if name is not None and len(name) > MAX_NAME:
            raise InvalidUserInput(f"Keep the name under {MAX_NAME} characters.")
        generated = None
        if password is None:
            generated = password = temporary_password()
            must_change_password = True
        else:
            check_new_password(password, email=normalized)
        password_hash = self._passwords.hash(password)
        with self._sessions.begin() as session:
            try:
                row = accounts.add_user(
                    session,
                    email=normalized,
                    role=chosen_role.value,
                    display_name=name,
                    password_hash=password_hash,
                    must_change_password=must_change_password,
                    now=self._clock(),
                )
            except accounts.DuplicateEmail:
                raise EmailTaken(normalized) from None
            return user_view(row), generated

    # ------------------------------------------------------------------- changing

    def set_role(self, user_id: int, role: Role | str) -> UserView:
        chosen = parse_role(role)
        with self._sessions.begin() as session:
            accounts.lock_admins(session)
            row = self._row(session, user_id)
            if row.role == Role.ADMIN and chosen is not Role.ADMIN:
                self._keep_an_admin(session, row)
            row.role = chosen.value
            session.flush()
            return user_view(row)

    def disable(self, user_id: int) -> UserView:
        """Disable the user: they cannot sign in, their sessions end and their API keys
        stop working."""
        with self._sessions.begin() as session:
            accounts.lock_admins(session)
            row = self._row(session, user_id)
            if row.disabled_at is None:
                if row.role == Role.ADMIN:
                    self._keep_an_admin(session, row)
                row.disabled_at = self._clock()
            console_auth.delete_user_sessions(session, row.id)
            session.flush()
            return user_view(row)

    def enable(self, user_id: int) -> UserView:
        with self._sessions.begin() as session:
            row = self._row(session, user_id)
            row.disabled_at = None
            session.flush()
            return user_view(row)

    def set_temporary_password(
        self, user_id: int, password: str | None = None, *, must_change: bool = True
    ) -> str:
        """Give the user a new password (made up here when ``password`` is None) that
        they must change at their next sign-in unless ``must_change`` is False (the
        demo's own login); returns it. Their sessions end."""
        with self._sessions.begin() as session:
            email = self._row(session, user_id).email
        chosen = password or temporary_password()
        if password is not None:
            check_new_password(password, email=email)
        password_hash = self._passwords.hash(chosen)
        with self._sessions.begin() as session:
            row = self._row(session, user_id)
            self._store_password(session, row, password_hash, must_change=must_change)
        return chosen

    def change_password(self, user_id: int, *, current: str, new: str) -> None:
        """The user's own change: the current password must be right. Other sessions
        end; the caller keeps its own (and should start a fresh one)."""
        with self._sessions.begin() as session:
            row = self._row(session, user_id)
            email, current_hash = row.email, row.password_hash
        if current_hash is not None and not self._passwords.verify(current_hash, current):
            raise PasswordRejected("Your current password is not right.")
        check_new_password(new, email=email)
        if current_hash is not None and self._passwords.verify(current_hash, new):
            raise PasswordRejected("Choose a password different from your current one.")
        password_hash = self._passwords.hash(new)
        with self._sessions.begin() as session:
            row = self._row(session, user_id)
            self._store_password(session, row, password_hash, must_change=False)

    # ------------------------------------------------------------------- reset links

    def make_reset_link(self, user_id: int, *, created_by: int | None) -> str:
        """A one-time token for ``/app/reset/{token}``; older links of the user stop
        working. Valid for ``config.reset_link_lifetime``."""
        token = new_token()
        now = self._clock()
        with self._sessions.begin() as session:
            self._row(session, user_id)
            accounts.add_reset_link(
                session,
                user_id=user_id,
                created_by_id=created_by,
                token_hash=hash_token(token),
                now=now,
                expires_at=now + self._config.reset_link_lifetime,
            )
        return token

    def reset_link_user(self, token: str) -> UserView:
        """Whose link this is, or :class:`ResetLinkInvalid`."""
        with self._sessions.begin() as session:
            found = accounts.reset_link_with_user(session, hash_token(token))
            if found is None or not self._usable(found[0].used_at, found[0].expires_at, found[1]):
                raise ResetLinkInvalid()
            return user_view(found[1])

    def use_reset_link(self, token: str, new_password: str) -> UserView:
        """Set the password through the link (once); every session of the user ends."""
        user = self.reset_link_user(token)
        check_new_password(new_password, email=user.email)
        password_hash = self._passwords.hash(new_password)
        with self._sessions.begin() as session:
            found = accounts.reset_link_with_user(session, hash_token(token))
            if found is None or not self._usable(found[0].used_at, found[0].expires_at, found[1]):
                raise ResetLinkInvalid()
            if not accounts.use_reset_link(session, link_id=found[0].id, now=self._clock()):
                raise ResetLinkInvalid()
            self._store_password(session, found[1], password_hash, must_change=False)
            return user_view(found[1])

    # ------------------------------------------------------------------- helpers

    def _usable(self, used_at: datetime | None, expires_at: datetime, user: ConsoleUser) -> bool:
        return used_at is None and expires_at > self._clock() and user.disabled_at is None

    def _store_password(
        self, session: Session, row: ConsoleUser, password_hash: str, *, must_change: bool
    ) -> None:
        row.password_hash = password_hash
        row.must_change_password = must_change
        row.password_changed_at = self._clock()
        session.flush()
        console_auth.delete_user_sessions(session, row.id)

    @staticmethod
    def _row(session: Session, user_id: int) -> ConsoleUser:
        row = accounts.get_user(session, user_id)
        if row is None:
            raise UserNotFound(f"with id {user_id}")
        return row

    @staticmethod
    def _keep_an_admin(session: Session, leaving: ConsoleUser) -> None:
        if leaving.disabled_at is None and accounts.count_active_admins(session) <= 1:
            raise LastAdmin()
