"""How a channel says a message did not go out, so the scheduler knows what to do next.

Any other exception leaves it unknown whether the message went out (a timeout after the
data was sent, a dropped connection): the next attempt is a re-drive, which checks
where it can (the outbox, Slack's history) and otherwise sends the same message again.
"""

from __future__ import annotations


class NotSent(Exception):
    """The message certainly did not go out (refused before acceptance): retry later."""


class PermanentFailure(NotSent):
    """The message certainly did not go out and never will (an address refused, no such
    Slack user): the invitation fails, with this message as the reason."""
