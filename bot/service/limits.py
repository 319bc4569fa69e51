"""What the service allows: start budgets for open links, and caps per interview.

Budgets hold across every server process: they are counted in the database, in the
transaction that stores the start (``storage.turn_store.budgets``). Caps are checked
against counts the turn already has (the interview as loaded or cached), so the
message path makes no extra database call for them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from storage.turn_store import StartBudget

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class StartLimits:
    """Interviews open links may start per ``window``: from one client address, for one
    campaign, and all together (0: no limit)."""

    per_client: int = 0
    per_campaign: int = 0
    overall: int = 0
    window: timedelta = HOUR

    def budgets(self, *, campaign_id: int, client: str | None) -> tuple[StartBudget, ...]:
        """The budgets one start counts against; the client's only when its address is
        known."""
        wanted = [
            ("all", self.overall),
            (f"campaign:{campaign_id}", self.per_campaign),
            (client_key(client) if client else "", self.per_client),
        ]
        return tuple(
            StartBudget(key=key, limit=limit, window=self.window)
            for key, limit in wanted
            if key and limit > 0
        )


def client_key(address: str) -> str:
    """The budget key of a client address: a hash, so the table never holds the address
    itself (the row is deleted once its window has ended)."""
    digest = hashlib.sha256(f"journeyline-start:{address}".encode()).hexdigest()
    return f"client:{digest[:40]}"


@dataclass(frozen=True)
class InterviewCaps:
    """The most one interview stores of a customer: messages and characters (0: no cap)."""

    messages: int = 0
    chars: int = 0

    def refuses(self, *, stored_messages: int, stored_chars: int, text: str) -> bool:
        """Whether a message of ``text`` would go over a cap."""
        if self.messages and stored_messages >= self.messages:
            return True
        return bool(self.chars) and stored_chars + len(text) > self.chars
