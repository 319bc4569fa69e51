"""What the scheduler tests share: a campaign with participants, and the scheduler's
parts (services, channels, a worker) wired to a test database and to test channels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.service.campaigns import create_campaign
from bot.service.interviews import InterviewService
from bot.service.invitations import Invitations
from bot.service.link_tokens import LinkTokens
from bot.service.links import Links
from bot.service.participants import Participants
from campaigns.email_message import Sender
from campaigns.handlers import handlers
from campaigns.outbox import OutboxTransport
from campaigns.scheduler import Worker
from campaigns.sends import EmailTransport, Sends
from campaigns.slack_invitations import SlackInvitations
from campaigns.smtp import SmtpSettings, SmtpTransport
from campaigns.waves import WaveStarts
from storage.types import utcnow

CAMPAIGN = "q4"
TOKENS = LinkTokens(secret=b"test-link-secret", public_url="https://research.example.com")
SENDER = Sender("research@example.com", "Northwind research")


def make_campaign(sessions: sessionmaker[Session], slug: str = CAMPAIGN) -> None:
    with sessions.begin() as session:
        create_campaign(session, slug=slug, name="Support study", company="Northwind")


def people_csv(count: int, *, domain: str = "example.com", extra: Iterable[str] = ()) -> str:
    lines = ["email,name,language,time_zone,plan"]
    lines += [
        f"p{n}@{domain},Person {n},en,Europe/Berlin,{'pro' if n % 2 else 'free'}"
        for n in range(count)
    ]
    return "\n".join([*lines, *extra]) + "\n"


def smtp_transport(port: int) -> SmtpTransport:
    return SmtpTransport(
        SmtpSettings(host="127.0.0.1", port=port, security="none", timeout_seconds=10)
    )


@dataclass
class Sleeps:
    """A sleep that records what it was asked to wait, and waits not at all."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@dataclass
class Scheduling:
    sessions: sessionmaker[Session]
    invitations: Invitations
    participants: Participants
    worker: Worker
    sends: Sends
    sleeps: Sleeps

    def run(self) -> int:
        return self.worker.run_until_idle()

    def links(self) -> Links:
        return Links(self.sessions, InterviewService(self.sessions))


def scheduling(
    sessions: sessionmaker[Session],
    *,
    email: EmailTransport | None = None,
    outbox: Path | None = None,
    slack: SlackInvitations | None = None,
) -> Scheduling:
    transport: EmailTransport = email or OutboxTransport(outbox or Path("outbox"))
    sleeps = Sleeps()
    sends = Sends(
        sessions, tokens=TOKENS, sender=SENDER, email=transport, slack=slack, sleep=sleeps
    )
    worker = Worker(
        sessions,
        handlers(sends=sends, waves=WaveStarts(sessions, tokens=TOKENS)),
        name="test-worker",
    )
    return Scheduling(
        sessions=sessions,
        invitations=Invitations(sessions, tokens=TOKENS),
        participants=Participants(sessions),
        worker=worker,
        sends=sends,
        sleeps=sleeps,
    )


def link_in(message: EmailMessage) -> str:
    """The personal link in an email's plain-text part."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content: str = body.get_content()
    for line in content.splitlines():
        if "/i/" in line:
            return line.strip()
    raise AssertionError("no interview link in the message")


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def days(n: float) -> timedelta:
    return timedelta(days=n)


def now() -> datetime:
    return utcnow()
