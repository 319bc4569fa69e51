"""An invitation or reminder as an email: headers, plain text and HTML alternatives.

Every message has a Message-ID fixed before the first try (a re-drive sends the same
one), ``List-Unsubscribe`` with the opt-out link and ``List-Unsubscribe-Post`` for
one-click unsubscribing (RFC 8058), which large mailbox providers require of bulk mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from bot.service.email_templates import RenderedEmail


@dataclass(frozen=True)
class Sender:
    """Who invitations come from."""

    address: str
    name: str

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2] or "localhost"


def message_id(*, invitation_id: int, number: int, salt: str, domain: str) -> str:
    """The Message-ID of message ``number`` of an invitation: unique (the invitation's
    id and random salt) and the same on every try."""
    return f"<jl.{invitation_id}.{number}.{salt[:12]}@{domain}>"


def _one_line(text: str) -> str:
    # A name with a line break must not become a header of its own.
    return " ".join(text.split())


def compose(
    *,
    rendered: RenderedEmail,
    sender: Sender,
    to_address: str,
    to_name: str | None,
    message_id: str,
    opt_out_link: str | None,
    now: datetime,
) -> EmailMessage:
    """The email, ready for SMTP or the outbox (``opt_out_link`` None: a message that
    is not bulk mail, such as a console user's notification, has no unsubscribe)."""
    message = EmailMessage()
    message["From"] = formataddr((_one_line(sender.name), sender.address))
    message["To"] = formataddr((_one_line(to_name or ""), to_address))
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    if opt_out_link is not None:
        message["List-Unsubscribe"] = f"<{opt_out_link}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text)
    if rendered.html is not None:
        message.add_alternative(rendered.html, subtype="html")
    return message
