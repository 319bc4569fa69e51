"""Rate limits shared by every server process, counted in Redis (optional).

The in-process `RateLimiter` lets each process allow the limit, so N processes allow N
times it. With ``JOURNEYLINE_REDIS_URL`` set, each key's hits in the last minute are a
sorted set in Redis, trimmed, counted and added to in one script run (atomic, on
Redis's own clock, so processes on other machines agree). Keys are hashed first: a
link's token is a secret and an address is personal data, and neither belongs in Redis.

Redis sits on the message path, so it gets a short timeout; when it does not answer,
the process counts for itself (the in-process limiter) and says so in the log once a
minute, rather than failing customers' answers.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
import uuid
from typing import Any

from bot.web.ratelimit import WINDOW_SECONDS, RateLimited, RateLimiter

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 0.25
WARN_EVERY_SECONDS = 60.0

# KEYS[1]: the sorted set; ARGV: limit, window (s), a unique member. Returns -1 when the
# hit is counted, else the seconds until the oldest hit leaves the window (as text: Lua
# numbers come back from Redis as integers).
SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return '-1'
"""


class RedisRateLimiter(RateLimiter):
    """`RateLimiter` whose counts live in Redis under ``name`` (e.g. "token"), falling
    back to this process's own counts while Redis does not answer."""

    def __init__(self, per_minute: int, *, client: Any, name: str) -> None:
        super().__init__(per_minute)
        self._redis = client
        self._script = client.register_script(SLIDING_WINDOW)
        self._prefix = f"journeyline:rate:{name}:"
        self._warned_at = -math.inf
        self._warn_lock = threading.Lock()

    def hit(self, key: str) -> None:
        if self._limit <= 0:
            return
        digest = hashlib.sha256(key.encode()).hexdigest()[:40]
        try:
            answer = self._script(
                keys=[self._prefix + digest],
                args=[self._limit, WINDOW_SECONDS, uuid.uuid4().hex],
            )
        except Exception as error:  # redis.RedisError, a timeout, a lost connection
            self._warn(error)
            super().hit(key)
            return
        wait = float(answer.decode() if isinstance(answer, bytes) else answer)
        if wait >= 0:
            raise RateLimited(max(1, math.ceil(wait)))

    def _warn(self, error: Exception) -> None:
        now = time.monotonic()
        with self._warn_lock:
            if now - self._warned_at < WARN_EVERY_SECONDS:
                return
            self._warned_at = now
        log.warning(
            "Redis did not answer (%s); rate limits are counted per process until it does",
            type(error).__name__,
        )


def redis_client(url: str) -> Any:
    """A Redis client for ``url`` with short timeouts (it sits on the message path).
    Needs the redis package (`pip install 'journeyline[redis]'`)."""
    try:
        import redis
    except ImportError as error:
        raise RuntimeError(
            "JOURNEYLINE_REDIS_URL is set but the redis package is missing: "
            "pip install 'journeyline[redis]'"
        ) from error
    return redis.Redis.from_url(
        url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
    )
