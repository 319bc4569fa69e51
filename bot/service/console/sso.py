"""Single sign-on: starting an OpenID Connect sign-in and finishing it with a session.

``begin`` stores the attempt (state hashed, nonce, PKCE verifier) and returns the
provider's URL and the state, which the web layer also puts in a cookie: the callback
must come back to the browser that started it, so nobody can slip a victim their own
sign-in (login CSRF). ``finish`` takes the attempt once, trades the code, verifies the
ID token and signs in the account with that email, created with the configured default
role when there is none.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.service.access_tokens import hash_token
from bot.service.console.accounts import normalize_email
from bot.service.console.config import ConsoleConfig, SsoConfig
from bot.service.console.errors import SignInRefused, SsoFailed
from bot.service.console.oidc import Identity, OidcClient, Pkce
from bot.service.console.sessions import DISABLED, ConsoleSessions
from bot.service.console.views import SignedIn
from storage import accounts, console_auth

START_AGAIN = "This sign-in was not started in this browser, or took too long. Start it again."


@dataclass(frozen=True)
class SsoStart:
    url: str
    state: str


class SingleSignOn:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        config: ConsoleConfig,
        sso: SsoConfig,
        client: OidcClient,
        console_sessions: ConsoleSessions,
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._config = config
        self.sso = sso
        self._client = client
        self._console_sessions = console_sessions
        self._clock = clock

    def begin(self) -> SsoStart:
        state, nonce, pkce = secrets.token_urlsafe(32), secrets.token_urlsafe(32), Pkce.new()
        url = self._client.authorization_url(state=state, nonce=nonce, pkce=pkce)
        now = self._clock()
        with self._sessions.begin() as session:
            console_auth.delete_old_sso_attempts(
                session, before=now - self._config.sso_attempt_lifetime
            )
            console_auth.add_sso_attempt(
                session,
                state_hash=hash_token(state),
                nonce=nonce,
                code_verifier=pkce.verifier,
                now=now,
            )
        return SsoStart(url=url, state=state)

    def finish(
        self,
        *,
        code: str,
        state: str,
        browser_state: str | None,
        client_address: str,
        user_agent: str | None,
    ) -> SignedIn:
        if not browser_state or not hmac.compare_digest(state.encode(), browser_state.encode()):
            raise SsoFailed(START_AGAIN)
        with self._sessions.begin() as session:
            attempt = console_auth.take_sso_attempt(session, hash_token(state))
            if attempt is None:
                raise SsoFailed(START_AGAIN)
            nonce, verifier, started = attempt.nonce, attempt.code_verifier, attempt.created_at
        if self._clock() - started > self._config.sso_attempt_lifetime:
            raise SsoFailed(START_AGAIN)
        # Network calls outside any transaction.
        identity = self._client.verify(
            self._client.exchange(code=code, verifier=verifier), nonce=nonce
        )
        user_id = self._account_for(identity)
        return self._console_sessions.start(
            user_id, method="sso", client_address=client_address, user_agent=user_agent
        )

    def _account_for(self, identity: Identity) -> int:
        email = normalize_email(identity.email)
        with self._sessions.begin() as session:
            row = accounts.get_user_by_email(session, email)
            if row is not None:
                if row.disabled_at is not None:
                    raise SignInRefused(DISABLED)
                if row.oidc_subject is None:
                    row.oidc_subject = identity.subject
                return row.id
            if self.sso.default_role is None:
                raise SsoFailed(
                    f"There is no console account for {email}. Ask an admin to create one."
                )
            try:
                created = accounts.add_user(
                    session,
                    email=email,
                    role=self.sso.default_role.value,
                    display_name=identity.name,
                    oidc_subject=identity.subject,
                    now=self._clock(),
                )
            except accounts.DuplicateEmail:  # created by a concurrent first sign-in
                again = accounts.get_user_by_email(session, email)
                assert again is not None
                return again.id
            return created.id
