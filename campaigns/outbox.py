"""The embedded email channel: each message written as ``<Message-ID>.eml`` to a folder.

With no SMTP server configured the invitations land in the data folder's ``outbox/``,
where any mail program opens them. Writing is exactly once by construction: a message
goes to a temporary file and is renamed to its Message-ID's name in one atomic step, so
the file either exists whole or not at all, and a re-drive finds it and writes nothing.
"""

from __future__ import annotations

import os
import re
import uuid
from email.message import EmailMessage
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")


def file_name(message_id: str) -> str:
    return _UNSAFE.sub("_", message_id.strip("<> ")) + ".eml"


class OutboxTransport:
    """Writes emails to ``folder`` (created when needed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage, *, redrive: bool) -> str:
        """Write ``message`` unless its file exists; what happened, for the ledger."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = file_name(str(message["Message-ID"]))
        target = self.folder / name
        if target.exists():
            return f"outbox/{name} (written before)"
        temporary = self.folder / f".{name}.{uuid.uuid4().hex}.tmp"
        with temporary.open("wb") as handle:
            handle.write(message.as_bytes())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        _sync_folder(self.folder)
        return f"outbox/{name}"

    def close(self) -> None:
        """Nothing to close (the transports share this method)."""


def _sync_folder(folder: Path) -> None:
    # The rename is durable once the folder's entry is on disk.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
