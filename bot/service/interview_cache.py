"""A per-process cache of the interviews under way: parsed state, guide and revision.

Re-reading and re-parsing an interview's engine state on every message is most of what a
turn costs besides the engine itself. The cache keeps, per interview, what the last turn
of this process committed, tagged with the row's ``revision``. A turn locks the row and
compares the stored revision with the cached one (one tiny query): equal, the cached
state is exactly what the database holds; different (another process, an ORM write, a
rolled-back turn), the turn reloads from the database. So a second worker or process can
never act on stale state; the cache only saves work.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from bot.conversation.guide import Guide
from bot.conversation.state import InterviewState
from bot.conversation.vocabulary import InterviewStatus

DEFAULT_CAPACITY = 4096


@dataclass(frozen=True)
class CachedInterview:
    """An interview as of ``revision``. ``state`` is shared: never modify it (the engine
    works on its own copy)."""

    id: int
    public_id: str
    revision: int
    status: InterviewStatus
    state: InterviewState
    guide: Guide
    consent: bool | None
    completed: bool
    access_token_hash: str | None
    # The customer's messages stored and their characters, for the interview caps: read
    # with the interview, counted on by each turn this process commits. (Another
    # process's turns are seen when the revision moves on and the interview is read
    # again; the few turns that change no state are not, so a cap may let a message or
    # two more through: it bounds abuse, it is not a quota to the character.)
    inbound_messages: int = 0
    inbound_chars: int = 0


class InterviewCache:
    """At most ``capacity`` interviews, least recently used dropped first; thread-safe."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, CachedInterview] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, public_id: str) -> CachedInterview | None:
        with self._lock:
            entry = self._entries.get(public_id)
            if entry is not None:
                self._entries.move_to_end(public_id)
            return entry

    def put(self, entry: CachedInterview) -> None:
        if self._capacity <= 0:
            return
        with self._lock:
            self._entries[entry.public_id] = entry
            self._entries.move_to_end(entry.public_id)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def forget(self, public_id: str) -> None:
        with self._lock:
            self._entries.pop(public_id, None)

    def __len__(self) -> int:
        return len(self._entries)
