"""Email through an SMTP server: one connection per worker, kept open between messages.

The server's ``250`` to the end of the data is the commit point: after it the message
is the server's. A worker that dies between that reply and recording it leaves the
message in ``sending``; the re-drive sends it again with the same Message-ID (at least
once at the protocol level; mail stores that de-duplicate by Message-ID show it once).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

from campaigns.delivery_errors import NotSent, PermanentFailure

Security = Literal["starttls", "ssl", "none"]
# A connection unused this long is checked with NOOP before the next message: servers
# drop idle clients, and a failure at MAIL FROM is certain not to have sent anything.
IDLE_CHECK_SECONDS = 10.0


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: Security = "starttls"
    username: str | None = None
    password: str | None = None
    timeout_seconds: float = 30.0


class SmtpTransport:
    """Sends emails through the server in ``settings``."""

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings
        self._connection: smtplib.SMTP | None = None
        self._used_at = 0.0

    def send(self, message: EmailMessage, *, redrive: bool) -> str:
        """Hand ``message`` to the server; what happened, for the ledger. Raises
        `PermanentFailure` for a refused recipient, `NotSent` when the server said no
        for now or could not be reached, anything else when it is unknown."""
        try:
            connection = self._live()
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise NotSent(f"cannot reach the SMTP server: {error}") from error
        try:
            connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            refused = next(iter(error.recipients.values()), (0, b""))
            raise PermanentFailure(f"recipient refused: {_reply(refused)}") from error
        except smtplib.SMTPSenderRefused as error:
            # The sender address is wrong for everyone: retry once it is fixed.
            self._drop()
            raise NotSent(
                f"sender refused: {_reply((error.smtp_code, error.smtp_error))}"
            ) from error
        except smtplib.SMTPResponseException as error:
            self._drop()
            said = _reply((error.smtp_code, error.smtp_error))
            if 500 <= error.smtp_code < 600:
                raise PermanentFailure(f"refused: {said}") from error
            raise NotSent(f"deferred: {said}") from error
        except BaseException:
            self._drop()
            raise
        self._used_at = time.monotonic()
        return "accepted by the SMTP server" + (" (sent again after a crash)" if redrive else "")

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._connection.quit()
        self._connection = None

    def _live(self) -> smtplib.SMTP:
        connection = self._connection
        if connection is not None and time.monotonic() - self._used_at > IDLE_CHECK_SECONDS:
            try:
                code, _ = connection.noop()
                if code != 250:
                    raise smtplib.SMTPServerDisconnected("NOOP refused")
            except (OSError, smtplib.SMTPException):
                self._drop()
                connection = None
        if connection is None:
            connection = self._connect()
            self._connection = connection
        return connection

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        if s.security == "ssl":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout_seconds, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
            if s.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
        if s.username:
            connection.login(s.username, s.password or "")
        return connection

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.close()
        self._connection = None


def _reply(reply: tuple[int, bytes | str]) -> str:
    code, text = reply
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {words}".strip()
