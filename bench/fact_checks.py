"""When a fact is right against its label, for every benchmark that compares the two: the
scorer of stored steps and the simulated customer who checks what the bot shows back.

Feeling: the same polarity (1-2 / 3 / 4-5). Duration: within 25 % of the label or 5
minutes, whichever is more.
"""

from __future__ import annotations

DURATION_SHARE = 0.25
DURATION_MINUTES = 5


def polarity(feeling: int | None) -> str | None:
    if feeling is None:
        return None
    return "negative" if feeling <= 2 else "neutral" if feeling == 3 else "positive"


def duration_close(minutes: int, label: int) -> bool:
    """Whether ``minutes`` is close enough to the labelled ``label`` minutes."""
    return abs(minutes - label) <= max(DURATION_SHARE * label, DURATION_MINUTES)
