"""The console's service, built from the settings (server processes and CLI commands)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.service.console.config import ConsoleConfig, SsoConfig
from bot.service.console.permissions import Role
from bot.service.console.service import ConsoleService
from journeyline.settings import Settings
from storage.engines import make_read_session_factory

if TYPE_CHECKING:
    from bot.service.review.service import ReviewService
    from bot.web.share import Sharing

SSO_CALLBACK_PATH = "/app/sso/callback"


class ConsoleMisconfigured(ValueError):
    """Settings of the console that do not fit together."""


def console_config(settings: Settings) -> ConsoleConfig:
    return ConsoleConfig(
        session_lifetime=timedelta(hours=settings.console_session_hours),
        idle_timeout=timedelta(minutes=settings.console_idle_minutes),
        failures_per_account=settings.console_max_failed_sign_ins,
        failures_per_address=settings.console_max_failed_sign_ins_per_address,
        failure_window=timedelta(minutes=settings.console_failed_sign_in_window_minutes),
        reset_link_lifetime=timedelta(hours=settings.console_reset_link_hours),
        sso=sso_config(settings),
        stop_check_every=timedelta(minutes=settings.stop_rules_check_minutes),
    )


def sso_config(settings: Settings) -> SsoConfig | None:
    """Single sign-on when the issuer, client id and secret are all set; None when none
    is; :class:`ConsoleMisconfigured` for a half-made configuration."""
    secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else ""
    parts = {
        "JOURNEYLINE_OIDC_ISSUER": settings.oidc_issuer or "",
        "JOURNEYLINE_OIDC_CLIENT_ID": settings.oidc_client_id or "",
        "JOURNEYLINE_OIDC_CLIENT_SECRET": secret,
    }
    if not any(parts.values()):
        return None
    missing = [name for name, value in parts.items() if not value]
    if missing:
        raise ConsoleMisconfigured(
            f"single sign-on needs {', '.join(missing)} too (or none of the OIDC settings)"
        )
    issuer = parts["JOURNEYLINE_OIDC_ISSUER"]
    if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ConsoleMisconfigured(
            f"JOURNEYLINE_OIDC_ISSUER must be an https:// URL, not {issuer!r}"
        )
    role = None if settings.oidc_default_role == "none" else Role(settings.oidc_default_role)
    return SsoConfig(
        issuer=issuer,
        client_id=parts["JOURNEYLINE_OIDC_CLIENT_ID"],
        client_secret=secret,
        redirect_uri=settings.link_base() + SSO_CALLBACK_PATH,
        default_role=role,
        scopes=settings.oidc_scopes,
        label=settings.oidc_label,
    )


def make_console_service(
    settings: Settings, *, sessions: sessionmaker[Session], engine: Engine
) -> ConsoleService:
    return ConsoleService(
        sessions,
        config=console_config(settings),
        read_sessions=make_read_session_factory(engine),
    )


def make_review_service(*, sessions: sessionmaker[Session], engine: Engine) -> ReviewService:
    # Imported here: the review service brings synthesis (NumPy, scikit-learn), which
    # every CLI command would otherwise load at start (users, campaigns, ...).
    from bot.service.review.service import ReviewService

    return ReviewService(sessions, read_sessions=make_read_session_factory(engine))


def make_sharing(
    settings: Settings, *, sessions: sessionmaker[Session], review: ReviewService
) -> Sharing:
    """Share links and downloads of the curated maps of ``review``."""
    from bot.service.review.exports import MapExports
    from bot.service.review.sharing import ShareConfig, ShareLinks
    from bot.web.share import Sharing

    config = ShareConfig(
        default_days=min(settings.share_link_days, settings.share_link_max_days),
        max_days=settings.share_link_max_days,
    )
    return Sharing(
        links=ShareLinks(sessions, review=review, config=config),
        exports=MapExports(review),
        public_url=settings.link_base(),
    )
