"""Slack's request signature, checked on the raw bytes before anything parses them.

slack_sdk's verifier decodes the body as UTF-8 first, so bytes that are not UTF-8 make
it raise instead of answering "not signed". This is the same v0 scheme on bytes:
``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the signing secret, and a
timestamp at most five minutes from now (older requests could be replays).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

MAX_AGE_SECONDS = 300


class SlackSignature:
    def __init__(self, secret: str, *, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret.encode()
        self._clock = clock

    def valid(self, body: bytes, timestamp: str | None, signature: str | None) -> bool:
        """Whether ``signature`` is Slack's for ``body`` sent at ``timestamp``."""
        if not timestamp or not signature or not timestamp.isdigit():
            return False
        if abs(self._clock() - int(timestamp)) > MAX_AGE_SECONDS:
            return False
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)
