"""Server-side console sessions: signing in with a password, finding the user behind a
cookie, CSRF tokens tied to the session, signing out (here or everywhere).

The cookie carries 256 random bits; the database only their SHA-256, so a copy of the
database opens no session. The CSRF token of a session is an HMAC of its secret token:
it can be checked without storing anything, another session's token never matches,
and showing it in a page reveals nothing about the cookie.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.service.access_tokens import hash_token, new_token
from bot.service.console.accounts import normalize_email, user_view
from bot.service.console.config import ConsoleConfig
from bot.service.console.errors import SignInRefused
from bot.service.console.passwords import Passwords
from bot.service.console.throttle import Throttle
from bot.service.console.views import Principal, SessionView, SignedIn
from storage import accounts, console_auth
from storage.console_models import ConsoleSession, ConsoleUser

_CSRF_CONTEXT = b"journeyline console csrf v1"
WRONG_CREDENTIALS = "That email and password do not match an account. Check both and try again."
DISABLED = "This account is disabled. Ask an admin of your journeyline to enable it."


def csrf_token(session_token: str) -> str:
    """The CSRF token of the session whose cookie holds ``session_token``."""
    return hmac.new(session_token.encode(), _CSRF_CONTEXT, hashlib.sha256).hexdigest()


def csrf_matches(session_token: str, submitted: str | None) -> bool:
    """Constant-time check of a submitted CSRF token against the session's."""
    return submitted is not None and hmac.compare_digest(
        csrf_token(session_token).encode(), submitted.encode(errors="replace")
    )


class ConsoleSessions:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        passwords: Passwords,
        config: ConsoleConfig,
        clock: Callable[[], datetime],
        read_sessions: sessionmaker[Session] | None = None,
    ) -> None:
        self._sessions = sessions
        # Every console request looks its session up: on SQLite a read-only transaction
        # does not queue for the writer the chat turns use.
        self._read_sessions = read_sessions or sessions
        self._passwords = passwords
        self._config = config
        self._clock = clock
        self._throttle = Throttle(config)

    # ------------------------------------------------------------------- signing in

    def sign_in(
        self, *, email: str, password: str, client_address: str, user_agent: str | None
    ) -> SignedIn:
        """Check the password and start a session.

        Raises :class:`SignInThrottled` before looking at the password when the account
        or address failed too often, :class:`SignInRefused` for a wrong email or password
        (the same words for both) or a disabled account.
        """
        normalized = normalize_email(email)
        with self._sessions.begin() as session:
            self._throttle.check(
                session, email=normalized, address=client_address, now=self._clock()
            )
            row = accounts.get_user_by_email(session, normalized)
            password_hash = row.password_hash if row is not None else None
        # argon2 takes tens of milliseconds and much memory on purpose: outside any
        # transaction, so SQLite's writer is not held meanwhile.
        matches = self._passwords.verify(password_hash, password)
        with self._sessions.begin() as session:
            now = self._clock()
            row = accounts.get_user_by_email(session, normalized)
            if not matches or row is None or row.password_hash != password_hash:
                self._throttle.failed(session, email=normalized, address=client_address, now=now)
                failed = True
            else:
                failed = False
        if failed:
            raise SignInRefused(WRONG_CREDENTIALS)
        assert row is not None and password_hash is not None
        if row.disabled_at is not None:
            raise SignInRefused(DISABLED)
        rehash = (
            self._passwords.hash(password) if self._passwords.needs_rehash(password_hash) else None
        )
        with self._sessions.begin() as session:
            self._throttle.succeeded(session, email=normalized)
            user = accounts.get_user(session, row.id)
            assert user is not None
            if rehash is not None and user.password_hash == password_hash:
                user.password_hash = rehash
            return self._start(
                session, user, method="password", client=client_address, agent=user_agent
            )

    def start(
        self, user_id: int, *, method: str, client_address: str, user_agent: str | None
    ) -> SignedIn:
        """A new session for a user whose identity was checked another way (single
        sign-on, a reset link, a password just changed). Refuses a disabled user."""
        with self._sessions.begin() as session:
            user = accounts.get_user(session, user_id)
            if user is None or user.disabled_at is not None:
                raise SignInRefused(DISABLED)
            return self._start(
                session, user, method=method, client=client_address, agent=user_agent
            )

    def _start(
        self, session: Session, user: ConsoleUser, *, method: str, client: str, agent: str | None
    ) -> SignedIn:
        now = self._clock()
        token = new_token()
        expires_at = now + self._config.session_lifetime
        console_auth.add_session(
            session,
            token_hash=hash_token(token),
            user_id=user.id,
            now=now,
            expires_at=expires_at,
            method=method,
            client_address=client,
            user_agent=agent,
        )
        user.last_sign_in_at = now
        # Sessions that ran out are deleted as new ones begin: no sweeper needed.
        console_auth.delete_expired_sessions(session, now=now)
        session.flush()
        return SignedIn(token=token, user=user_view(user), expires_at=expires_at)

    # ------------------------------------------------------------------- using a session

    def resolve(self, token: str) -> Principal | None:
        """The signed-in user behind a cookie's token, or None when the session does not
        exist, expired, sat idle too long, or its user is disabled."""
        if not token:
            return None
        token_hash = hash_token(token)
        now = self._clock()
        with self._read_sessions.begin() as session:
            found = console_auth.session_with_user(session, token_hash)
            if found is None:
                return None
            row, user = found
            alive = self._alive(row, user, now)
            touch = alive and now - row.last_seen_at >= self._config.touch_every
            principal = Principal(user=user_view(user), session_id=row.id)
        if alive and not touch:
            return principal
        with self._sessions.begin() as session:
            if not alive:
                console_auth.delete_session(session, token_hash)
                return None
            console_auth.mark_session_seen(session, session_id=principal.session_id or 0, now=now)
        return principal

    def _alive(self, row: ConsoleSession, user: ConsoleUser, now: datetime) -> bool:
        return (
            row.expires_at > now
            and row.last_seen_at + self._config.idle_timeout > now
            and user.disabled_at is None
        )

    def list_for(self, user_id: int, *, current_session_id: int | None) -> list[SessionView]:
        now = self._clock()
        with self._sessions.begin() as session:
            rows = console_auth.list_user_sessions(session, user_id, now=now)
            return [
                SessionView(
                    id=row.id,
                    created_at=row.created_at,
                    last_seen_at=row.last_seen_at,
                    expires_at=row.expires_at,
                    method=row.method,
                    client_address=row.client_address,
                    user_agent=row.user_agent,
                    current=row.id == current_session_id,
                )
                for row in rows
                if row.last_seen_at + self._config.idle_timeout > now
            ]

    # ------------------------------------------------------------------- signing out

    def sign_out(self, token: str) -> None:
        with self._sessions.begin() as session:
            console_auth.delete_session(session, hash_token(token))

    def sign_out_everywhere(self, user_id: int) -> int:
        """End every session of the user, this one included; how many ended."""
        with self._sessions.begin() as session:
            return console_auth.delete_user_sessions(session, user_id)
