"""Request limits shared by every server process through Redis (JOURNEYLINE_REDIS_URL),
and what happens when Redis does not answer. Needs the Redis server on localhost (skips
without one, fails under CI=true)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from bot.web.ratelimit import RateLimited
from bot.web.shared_ratelimit import RedisRateLimiter, redis_client

REDIS_URL = os.environ.get("JOURNEYLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis() -> Iterator[Any]:
    client = redis_client(REDIS_URL)
    try:
        client.ping()
    except Exception:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("no Redis server at " + REDIS_URL)
    yield client
    client.close()


def test_two_processes_share_one_limit(redis: Any) -> None:
    name = f"test-{uuid.uuid4().hex}"
    first = RedisRateLimiter(3, client=redis, name=name)
    second = RedisRateLimiter(3, client=redis_client(REDIS_URL), name=name)
    first.hit("token-a")
    second.hit("token-a")
    first.hit("token-a")
    with pytest.raises(RateLimited) as refused:
        second.hit("token-a")
    assert 1 <= refused.value.retry_after <= 60
    second.hit("token-b")  # another key has its own count


def test_keys_are_stored_hashed(redis: Any) -> None:
    name = f"test-{uuid.uuid4().hex}"
    RedisRateLimiter(5, client=redis, name=name).hit("secret-link-token")
    keys = [k.decode() for k in redis.scan_iter(f"journeyline:rate:{name}:*")]
    assert len(keys) == 1
    assert "secret-link-token" not in keys[0]


def test_a_silent_redis_falls_back_to_this_process(caplog: pytest.LogCaptureFixture) -> None:
    down = redis_client("redis://127.0.0.1:1/0")  # nothing listens on port 1
    limiter = RedisRateLimiter(2, client=down, name="down")
    limiter.hit("k")
    limiter.hit("k")
    with pytest.raises(RateLimited):
        limiter.hit("k")
    assert "rate limits are counted per process" in caplog.text
