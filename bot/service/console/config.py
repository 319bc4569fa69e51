"""How the console signs people in: lifetimes, limits and the optional single sign-on.

Built by the composition root from the settings (``journeyline.console_wiring``); the
defaults here are the settings' defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.service.console.permissions import Role


@dataclass(frozen=True)
class SsoConfig:
    """An OpenID Connect provider: its issuer URL (discovery document at
    ``{issuer}/.well-known/openid-configuration``), this app's client id and secret, and
    where the provider sends the browser back."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    # Role of a person the provider vouches for who has no account yet; None: only
    # people who already have an account may sign in with it.
    default_role: Role | None = Role.VIEWER
    scopes: str = "openid email profile"
    timeout_seconds: float = 10.0
    # How long a discovery document and key set are reused before being fetched again.
    cache_seconds: float = 3600.0
    label: str = "single sign-on"


@dataclass(frozen=True)
class ConsoleConfig:
    session_lifetime: timedelta = timedelta(hours=12)
    idle_timeout: timedelta = timedelta(hours=2)
    failures_per_account: int = 5
    failures_per_address: int = 20
    failure_window: timedelta = timedelta(minutes=15)
    reset_link_lifetime: timedelta = timedelta(hours=24)
    # A session's last use, and an API key's, are written at most this often.
    touch_every: timedelta = timedelta(minutes=1)
    sso_attempt_lifetime: timedelta = timedelta(minutes=10)
    sso: SsoConfig | None = None
    # How often the scheduler checks a campaign's stop rules (end date, target,
    # saturation); an end date is also checked at its very moment.
    stop_check_every: timedelta = timedelta(minutes=10)
