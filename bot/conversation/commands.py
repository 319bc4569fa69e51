"""Recognising the few commands a customer can type instead of an answer.

Only a whole, short message counts as a command: "I had to go back to the shop" is an
answer, "back" is a command. That is why this is a lookup table, not a keyword search.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Command(StrEnum):
    PAUSE = "pause"
    BACK = "back"
    SKIP = "skip"
    HELP = "help"


_COMMAND_WORDS: dict[str, Command] = {
    **dict.fromkeys(
        (
            "stop",
            "pause",
            "later",
            "quit",
            "exit",
            "stop for now",
            "pause please",
            "can we stop",
            "continue later",
            "i'll continue later",
            "not now",
            "brb",
        ),
        Command.PAUSE,
    ),
    **dict.fromkeys(
        ("back", "go back", "undo", "previous", "change my last answer", "edit last answer"),
        Command.BACK,
    ),
    **dict.fromkeys(
        (
            "skip",
            "pass",
            "skip this",
            "skip it",
            "skip question",
            "next question",
            "rather not say",
        ),
        Command.SKIP,
    ),
    **dict.fromkeys(
        ("help", "?", "what can i say", "how does this work", "commands"), Command.HELP
    ),
}

# Messages that only mean "I'm here again" when an interview was paused.
_RESUME_PATTERN = re.compile(
    r"^(?:hi|hello|hey|hiya|yo|ok|okay|ready|resume|continue|start|back|i'?m back|"
    r"back again|let'?s go|let'?s continue|carry on|go on|good morning|good afternoon|"
    r"good evening)\b",
)
_RESUME_MAX_WORDS = 5


def _normalise(text: str) -> str:
    text = text.strip().lower().replace("’", "'")
    text = re.sub(r"^/+", "", text)  # "/pause" as typed in Slack habits
    return re.sub(r"[\s.!]+$", "", re.sub(r"\s+", " ", text))


def parse_command(text: str) -> Command | None:
    """The command a whole message stands for, or None for an ordinary answer."""
    return _COMMAND_WORDS.get(_normalise(text))


def is_resume_greeting(text: str) -> bool:
    """True for short greetings like "hi, back again" that carry no answer."""
    normal = _normalise(text).replace(",", " ")
    return len(normal.split()) <= _RESUME_MAX_WORDS and bool(_RESUME_PATTERN.match(normal))
