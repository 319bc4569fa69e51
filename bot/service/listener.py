"""The seam for a language model that listens to the customer (see ``bot.llm``).

The service asks its listener, when it has one, before the turn (`listen`: the model's
reading of the words, as hints for the engine, and the calls it made) and after it
(`after`: the replies, perhaps translated into the customer's language). The turn in
between is the ordinary one, so every failure of the model ends in an ordinary turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.service.results import TurnResult
from bot.service.turns import TurnInput


@dataclass(frozen=True)
class Heard:
    """What the listener made of a delivery: the turn to run (with the model's hints
    and the record of its calls) and what `after` needs to finish."""

    turn: TurnInput
    # The listener's own notes for `after` (the service passes them back untouched).
    notes: object = None


class Listener(Protocol):
    def listen(self, interview_id: str, turn: TurnInput) -> Heard:
        """Read ``turn``'s words (never inside a transaction); never raises."""
        ...

    def after(self, interview_id: str, heard: Heard, result: TurnResult) -> TurnResult:
        """The turn's result as the customer will see it; never raises."""
        ...
