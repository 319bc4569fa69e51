"""The Slack Web API client journeyline uses."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

# Slack rate-limits chat.postMessage to about one message per second per channel; a
# burst of replies can meet a 429, which says in Retry-After when to try again.
RATE_LIMIT_RETRIES = 3


def make_client(*, token: str, base_url: str = "https://slack.com/api/") -> WebClient:
    """A ``WebClient`` for the bot token that retries 429s after their ``Retry-After``
    (and dropped connections, as slack_sdk does by default)."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )
