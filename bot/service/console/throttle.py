"""Sign-in throttling: failed sign-ins counted per account and per client address over
a sliding window, in the database so the limit holds across processes and restarts.

A locked account is locked for everyone (including its owner) until the window moves
past its oldest failure; the per-address limit is higher, so one office behind one
address is not locked out by one person's typos. A successful sign-in clears the
account's count.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy.orm import Session

from bot.service.console.config import ConsoleConfig
from bot.service.console.errors import SignInThrottled
from storage import console_auth


def account_key(email: str) -> str:
    return f"account:{email}"


def address_key(address: str) -> str:
    return f"address:{address}"


class Throttle:
    def __init__(self, config: ConsoleConfig) -> None:
        self._config = config

    def check(self, session: Session, *, email: str, address: str, now: datetime) -> None:
        """Raise :class:`SignInThrottled` (with the seconds to wait) when the account or
        the address has had too many failures within the window."""
        since = now - self._config.failure_window
        limits = (
            (account_key(email), self._config.failures_per_account),
            (address_key(address), self._config.failures_per_address),
        )
        for key, limit in limits:
            if limit <= 0:
                continue
            count, oldest = console_auth.failures_since(session, key, since=since)
            if count >= limit and oldest is not None:
                wait = (oldest + self._config.failure_window - now).total_seconds()
                raise SignInThrottled(max(1, math.ceil(wait)))

    def failed(self, session: Session, *, email: str, address: str, now: datetime) -> None:
        console_auth.record_failures(session, [account_key(email), address_key(address)], at=now)
        # Old rows are only history: forget them as new ones come, so the table stays as
        # small as the window.
        console_auth.delete_old_failures(session, before=now - self._config.failure_window)

    def succeeded(self, session: Session, *, email: str) -> None:
        console_auth.clear_failures(session, account_key(email))
