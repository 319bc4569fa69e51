"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it accepted, for tests and
benchmarks.

Every accepted message is recorded as it arrived (``received``), so a test can count
both what reached the server and how many distinct Message-IDs that was: a re-drive
after a crash may hand the same message over twice, and a mail store that
de-duplicates by Message-ID shows it once. ``refuse(address)`` makes the server answer
550 for that recipient.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    message_id: str
    to: tuple[str, ...]
    raw: bytes
    at: float  # time.time() when the server accepted it

    def parsed(self) -> EmailMessage:
        message = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        return message


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # aiosmtpd calls its hooks by these names
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.lower() in self.refused:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # aiosmtpd calls its hooks by these names
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        raw = bytes(envelope.original_content or envelope.content)
        message = message_from_bytes(raw, policy=policy.default)
        with self.lock:
            self.received.append(
                Received(
                    str(message.get("Message-ID", "")), tuple(envelope.rcpt_tos), raw, time.time()
                )
            )
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (aiosmtpd's own start-up check fails with port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FakeSmtp:
    """The server; use as a context manager. ``port`` is where it listens."""

    def __init__(self) -> None:
        self._handler = _Handler()
        self.port = free_port()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> FakeSmtp:
        self._controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._controller.stop()

    def refuse(self, address: str) -> None:
        self._handler.refused.add(address.lower())

    @property
    def received(self) -> list[Received]:
        with self._handler.lock:
            return list(self._handler.received)

    def message_ids(self) -> Counter[str]:
        """How often each Message-ID arrived."""
        return Counter(r.message_id for r in self.received)

    def to(self, address: str) -> list[EmailMessage]:
        """The messages for ``address``, parsed, in the order they arrived."""
        return [r.parsed() for r in self.received if address in r.to]
