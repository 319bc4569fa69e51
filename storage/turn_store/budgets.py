"""Start budgets in the start's own transaction: the rows to count, and the verdict.

A budget is counted by the same transaction that stores the interview (no commit of its
own, so a start costs no extra disk flush), and a start over budget rolls back its
increments with everything else. Windows that have ended are deleted now and then by
a later start (``PRUNE_EVERY``), so the table holds about one row per budget in use.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from storage.turn_store.rows import NewInterview, OverBudget

__all__ = ["OverBudget", "Pruner", "check", "take_rows"]

# Starts of one process between two deletions of ended windows.
PRUNE_EVERY = 256


def take_rows(new: NewInterview) -> list[Mapping[str, Any]]:
    """The ``take_start`` parameters of each of the start's budgets."""
    return [
        {"key": budget.key, "now": new.now, "cutoff": new.now - budget.window}
        for budget in new.budgets
    ]


def check(new: NewInterview, counted: Sequence[tuple[datetime, int]]) -> None:
    """Raise `OverBudget` (the first budget over its limit, with the time until its
    window ends) unless every count is within its budget."""
    for budget, (window_start, count) in zip(new.budgets, counted, strict=True):
        if count > budget.limit:
            ends = window_start + budget.window
            raise OverBudget(budget.key, max(1.0, (ends - new.now).total_seconds()))


class Pruner:
    """Says when a start should also delete ended windows (every ``PRUNE_EVERY``-th)."""

    def __init__(self, every: int = PRUNE_EVERY) -> None:
        self._count: Iterator[int] = itertools.count(1)
        self._every = every
        self._lock = threading.Lock()

    def rows(self, new: NewInterview) -> list[Mapping[str, Any]]:
        """The ``prune_start_counters`` parameters to run with this start (none, mostly)."""
        if not new.budgets:
            return []
        with self._lock:
            due = next(self._count) % self._every == 0
        if not due:
            return []
        longest = max(budget.window for budget in new.budgets)
        return [{"cutoff": new.now - longest}]
