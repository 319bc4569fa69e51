"""The email to the researchers when a stop rule closes a campaign, through the same
email channel as invitations (SMTP, or the outbox folder when no server is set).

Queued as a ``campaign.closed_notice`` job in the transaction that closed the campaign,
so it goes out once per close. Each message's Message-ID is fixed by the campaign, the
close and the recipient: a re-run writes nothing new to the outbox, and a mail store
that removes duplicates by Message-ID shows an SMTP re-send once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from sqlalchemy.orm import Session, sessionmaker

from bot.service.console.permissions import Action, allowed
from campaigns.email_message import Sender
from campaigns.scheduler import Claim
from campaigns.sends import EmailTransport
from storage.accounts import list_users
from storage.engines import write_session
from storage.models import Campaign
from storage.types import utcnow


class ClosedNotices:
    """Tells every active console user who may change campaigns that one has closed."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        email: EmailTransport,
        sender: Sender,
        console_url: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._email = email
        self._sender = sender
        self._console_url = console_url.rstrip("/")
        self._clock = clock

    def send(self, campaign_id: int, *, closed_at: str, redrive: bool, claim: Claim) -> int:
        """Send the notice of the close at ``closed_at``; how many messages went out (none
        when the campaign was reopened since)."""
        with self._sessions() as session:
            campaign = session.get(Campaign, campaign_id)
            if (
                campaign is None
                or campaign.closed_at is None
                or campaign.closed_at.isoformat() != closed_at
            ):
                recipients: list[tuple[int, str, str | None]] = []
            else:
                recipients = _researchers(session)
                name, slug, note = campaign.name, campaign.slug, campaign.closed_note or ""
        sent = 0
        for user_id, address, display_name in recipients:
            message = self._message(
                to=(display_name, address),
                campaign_name=name,
                slug=slug,
                note=note,
                message_id=f"<jl.closed.{campaign_id}.{_stamp(closed_at)}.{user_id}"
                f"@{self._sender.domain}>",
            )
            self._email.send(message, redrive=redrive)
            sent += 1
        with write_session(self._sessions) as session:
            claim.finish(session, now=self._clock())
        return sent

    def _message(
        self,
        *,
        to: tuple[str | None, str],
        campaign_name: str,
        slug: str,
        note: str,
        message_id: str,
    ) -> EmailMessage:
        message = EmailMessage()
        message["From"] = formataddr((self._sender.name, self._sender.address))
        message["To"] = formataddr((" ".join((to[0] or "").split()), to[1]))
        message["Subject"] = f"Campaign closed: {' '.join(campaign_name.split())}"
        message["Date"] = format_datetime(self._clock())
        message["Message-ID"] = message_id
        message.set_content(
            f"The campaign {campaign_name} ({slug}) has closed. {note}\n\n"
            "Its open link and invitation links now show that the study has closed, and "
            "pending invitations are not sent. Reopen it, or look at its interviews, in the "
            f"console:\n\n{self._console_url}/app/campaigns/{slug}\n"
        )
        return message


def _researchers(session: Session) -> list[tuple[int, str, str | None]]:
    return [
        (user.id, user.email, user.display_name)
        for user in list_users(session)
        if user.disabled_at is None and allowed(user.role, Action.CAMPAIGNS_WRITE)
    ]


def _stamp(moment: str) -> str:
    return "".join(ch for ch in moment if ch.isdigit())[:20]
