"""In-process rate limiting: a sliding one-minute window per key (token, client address).

Per process on purpose: it protects each server process from floods without a shared
store. Several processes behind one address each allow the limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many requests; try again in {retry_after} s")


class RateLimiter:
    """At most `per_minute` hits per key in any 60-second window (0 disables)."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = per_minute
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Count one request for `key`; raise `RateLimited` when over the limit."""
        if self._limit <= 0:
            return
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - WINDOW_SECONDS:
                hits.popleft()
            if len(hits) >= self._limit:
                raise RateLimited(max(1, math.ceil(hits[0] + WINDOW_SECONDS - now)))
            hits.append(now)
            if len(self._hits) > 10_000:
                self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, v in self._hits.items() if not v or v[-1] <= now - WINDOW_SECONDS]
        for key in idle:
            del self._hits[key]
