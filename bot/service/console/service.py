"""`ConsoleService`: the one door of the console (web routes, CLI) to accounts,
sessions, API keys, single sign-on and the campaigns overview."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import httpx
from sqlalchemy.orm import Session, sessionmaker

from bot.service.campaign_admin import CampaignAdmin
from bot.service.console.accounts import Accounts
from bot.service.console.api_keys import ApiKeys
from bot.service.console.config import ConsoleConfig
from bot.service.console.oidc import OidcClient
from bot.service.console.overview import campaign_summaries
from bot.service.console.passwords import Passwords
from bot.service.console.sessions import ConsoleSessions
from bot.service.console.sso import SingleSignOn
from bot.service.console.views import CampaignSummary, SignedIn
from storage.types import utcnow


class ConsoleService:
    """The console's jobs over one database.

    ``read_sessions`` (default ``sessions``) serve lookups that write nothing, such as
    the session behind each request; ``passwords`` defaults to argon2id with
    argon2-cffi's default cost; ``clock`` gives aware UTC datetimes (tests move it);
    ``oidc_http`` is the HTTP client single sign-on uses (default: httpx with the
    configured timeout).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        config: ConsoleConfig | None = None,
        read_sessions: sessionmaker[Session] | None = None,
        passwords: Passwords | None = None,
        clock: Callable[[], datetime] = utcnow,
        oidc_http: httpx.Client | None = None,
    ) -> None:
        self.config = config or ConsoleConfig()
        self._clock = clock
        self._read_sessions = read_sessions or sessions
        passwords = passwords or Passwords()
        self.accounts = Accounts(sessions, passwords=passwords, config=self.config, clock=clock)
        self.sessions = ConsoleSessions(
            sessions,
            passwords=passwords,
            config=self.config,
            clock=clock,
            read_sessions=self._read_sessions,
        )
        self.api_keys = ApiKeys(
            sessions, config=self.config, clock=clock, read_sessions=self._read_sessions
        )
        # Campaign settings: create, edit, close, reopen (the console's campaign pages).
        self.campaign_admin = CampaignAdmin(
            sessions,
            read_sessions=self._read_sessions,
            clock=clock,
            every=self.config.stop_check_every,
        )
        self.sso: SingleSignOn | None = None
        if self.config.sso is not None:
            self.sso = SingleSignOn(
                sessions,
                config=self.config,
                sso=self.config.sso,
                client=OidcClient(self.config.sso, http=oidc_http),
                console_sessions=self.sessions,
                clock=clock,
            )

    def campaigns(self) -> list[CampaignSummary]:
        return campaign_summaries(self._read_sessions, now=self._clock())

    def change_password(
        self,
        user_id: int,
        *,
        current: str,
        new: str,
        client_address: str,
        user_agent: str | None,
    ) -> SignedIn:
        """Change the user's own password: every session of theirs ends (a stolen one
        included) and a fresh one begins for the browser that asked."""
        self.accounts.change_password(user_id, current=current, new=new)
        return self.sessions.start(
            user_id, method="password", client_address=client_address, user_agent=user_agent
        )

    def use_reset_link(
        self, token: str, new_password: str, *, client_address: str, user_agent: str | None
    ) -> SignedIn:
        """Set a password through a one-time link and sign the browser in."""
        user = self.accounts.use_reset_link(token, new_password)
        return self.sessions.start(
            user.id, method="reset-link", client_address=client_address, user_agent=user_agent
        )
