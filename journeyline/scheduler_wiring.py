"""Building the scheduler from settings: the link secret, the email channel (SMTP or
the outbox), the Slack client, and the workers that run the jobs."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from bot.service.link_tokens import LinkTokens
from bot.service.triggers import Triggers
from bot.web.helpdesk import HelpdeskHooks
from campaigns.closed_notices import ClosedNotices
from campaigns.email_message import Sender
from campaigns.handlers import handlers
from campaigns.loop_sends import LoopSends
from campaigns.mention_emails import MentionEmails
from campaigns.outbox import OutboxTransport
from campaigns.retention_job import RetentionJobs
from campaigns.scheduler import Worker, WorkerThreads
from campaigns.sends import EmailTransport, Sends
from campaigns.slack_invitations import SlackInvitations
from campaigns.smtp import SmtpSettings, SmtpTransport
from campaigns.stop_rules import StopRules
from campaigns.waves import WaveStarts
from journeyline.runtime import Runtime
from journeyline.settings import Settings
from journeyline.stop_rules_wiring import saturation_probe

SECRET_FILE = "link-secret"
OUTBOX = "outbox"


def link_secret(settings: Settings) -> bytes:
    """The link secret: the setting, else the data folder's ``link-secret`` file, made
    (readable by its owner only) the first time."""
    if settings.link_secret is not None and settings.link_secret.get_secret_value():
        return settings.link_secret.get_secret_value().encode("utf-8")
    path = Path(settings.data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def link_tokens(settings: Settings) -> LinkTokens:
    return LinkTokens(secret=link_secret(settings), public_url=settings.link_base())


def outbox_folder(settings: Settings) -> Path:
    return Path(settings.data_dir) / OUTBOX


def email_transport(settings: Settings) -> EmailTransport:
    """SMTP when a server is configured, else the outbox folder."""
    if not settings.smtp_host:
        return OutboxTransport(outbox_folder(settings))
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpTransport(
        SmtpSettings(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=password,
            timeout_seconds=settings.smtp_timeout_seconds,
        )
    )


def slack_invitations(settings: Settings) -> SlackInvitations | None:
    if settings.slack_bot_token is None or not settings.slack_bot_token.get_secret_value():
        return None
    from bot.slack.web_client import make_client

    client = make_client(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )
    return SlackInvitations(client)


def build_worker(runtime: Runtime) -> Worker:
    """One worker with channels of its own (an SMTP connection is not shared)."""
    settings = runtime.settings
    tokens = link_tokens(settings)
    sender = Sender(settings.email_from_address, settings.email_from_name)
    email = email_transport(settings)
    slack = slack_invitations(settings)
    sends = Sends(runtime.sessions, tokens=tokens, sender=sender, email=email, slack=slack)
    # Closing the loop and mention emails share the worker's channels.
    loops = LoopSends(runtime.sessions, sender=sender, email=email, tokens=tokens, slack=slack)
    mentions = MentionEmails(
        runtime.sessions, sender=sender, email=email, link_base=settings.link_base()
    )
    stop_rules = StopRules(
        runtime.sessions,
        saturation=saturation_probe(runtime.sessions),
        every=timedelta(minutes=settings.stop_rules_check_minutes),
    )
    notices = ClosedNotices(
        runtime.sessions, email=email, sender=sender, console_url=settings.link_base()
    )
    return Worker(
        runtime.sessions,
        handlers(
            sends=sends,
            waves=WaveStarts(runtime.sessions, tokens=tokens),
            stop_rules=stop_rules,
            notices=notices,
            retention=RetentionJobs(runtime.sessions),
            loops=loops,
            mentions=mentions,
        ),
        lease=timedelta(seconds=settings.scheduler_lease_seconds),
        poll_seconds=settings.scheduler_poll_seconds,
        on_stop=sends.close,
    )


def build_scheduler(runtime: Runtime, *, threads: int | None = None) -> WorkerThreads:
    """``threads`` workers (default: the setting), not started; the daily retention run
    enqueued if it is not yet."""
    RetentionJobs(runtime.sessions).ensure_scheduled()
    count = threads or runtime.settings.scheduler_threads
    return WorkerThreads([build_worker(runtime) for _ in range(count)])


def helpdesk_hooks(runtime: Runtime) -> HelpdeskHooks | None:
    """The helpdesk webhook's configuration, or None when no shared secret is set."""
    settings = runtime.settings
    secret = settings.helpdesk_webhook_secret
    if secret is None or not secret.get_secret_value():
        return None
    solved = frozenset(
        s.strip().lower() for s in settings.helpdesk_solved_statuses.split(",") if s.strip()
    )
    return HelpdeskHooks(
        triggers=Triggers(runtime.sessions, tokens=link_tokens(settings)),
        secret=secret.get_secret_value(),
        mapping=dict(settings.helpdesk_mapping),
        solved=solved,
    )
