"""`/slack/events` against junk and outages (issue 19, item 5). On main: malformed unsigned
bodies got 500 and a traceback each, with no limit; a failing `auth.test` stopped the
whole server; a click on a long playback was over the 64 KB body limit (413)."""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.messages import Choice, Reply
from bot.conversation.vocabulary import Slot
from bot.service.campaigns import create_campaign
from bot.service.interviews import InterviewService
from bot.slack.blocks import fallback_text, reply_blocks
from fakes.slack import (
    BOT_TOKEN,
    CAMPAIGN,
    SIGNING_SECRET,
    FakeSlack,
    SlackWorld,
    block_actions,
    dm_event,
    event_callback,
    make_world,
    new_event_id,
    signed_headers,
    with_users,
)
from journeyline.runtime import Runtime
from journeyline.settings import Settings
from journeyline.slack_mount import FAILED_REQUESTS_PER_MINUTE, MAX_REQUEST_BYTES
from journeyline.web.app import create_app


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield with_users(fake)


@pytest.fixture
def world(
    fake: FakeSlack, db_engine: Engine, session_factory: sessionmaker[Session]
) -> Iterator[SlackWorld]:
    yield from make_world(fake, db_engine, session_factory)


def _post(world: SlackWorld, body: bytes | str, headers: dict[str, str]) -> int:
    return world.driver.send(body, headers)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        ("[1, 2, 3]", "application/json"),
        ("payload=", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_get_400_when_signed_and_401_when_not(
    world: SlackWorld, body: str, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        unsigned = _post(world, body, {"content-type": content_type})
        signed = _post(world, body, {"content-type": content_type, **signed_headers(body)})
    assert unsigned == 401
    assert signed == 400
    assert "Traceback" not in caplog.text


def test_bytes_that_are_not_utf8_get_400_when_signed_and_401_when_not(
    world: SlackWorld,
) -> None:
    body = b'{"type": "event_callback", "x": "\xff\xfe"}'
    timestamp = str(int(time.time()))
    # The signature covers the raw bytes, whatever they decode to.
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{timestamp}:".encode() + body, "sha256")
    signed = {
        "content-type": "application/json",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": "v0=" + digest.hexdigest(),
    }
    assert _post(world, body, {"content-type": "application/json"}) == 401
    assert _post(world, body, signed) == 400


def test_a_flood_of_unsigned_requests_is_rate_limited(world: SlackWorld) -> None:
    codes = [_post(world, "{}", {"content-type": "application/json"}) for _ in range(70)]
    assert codes[:FAILED_REQUESTS_PER_MINUTE] == [401] * FAILED_REQUESTS_PER_MINUTE
    assert set(codes[FAILED_REQUESTS_PER_MINUTE:]) == {429}
    # Slack's own (signed) requests are not affected.
    assert world.driver.say("hi") == 200


def test_a_click_on_the_longest_playback_fits(world: SlackWorld) -> None:
    step = "Called them 📞, waited 😤 " * 160  # ~4,000 characters, emoji-heavy
    items = tuple(f"{n}: {step}" for n in range(20))
    text = "\n".join(["Here is what I understood:", *(f"{n}. {i}" for n, i in enumerate(items, 1))])
    reply = Reply(
        text=text,
        slot=Slot.PLAYBACK,
        choices=(Choice(value="yes", label="Yes, that's right"), Choice(value="fix", label="Fix")),
        items=items,
    )
    message = {
        "ts": "1800000000.000100",
        "text": fallback_text(reply),
        "blocks": reply_blocks(reply),
    }
    body = block_actions(user="U1", message=message, value="yes")
    assert len(body.encode()) < 64 * 1024 < MAX_REQUEST_BYTES  # small enough for any limit
    status = world.driver.deliver(body, content_type="application/x-www-form-urlencoded")
    assert status == 200


def test_a_click_is_taken_up_to_the_slack_limit(world: SlackWorld) -> None:
    # Slack's own messages (an old app version's, another app's) may be larger than ours.
    message = {"ts": "1800000000.000200", "text": "é" * 40_000, "blocks": []}
    body = block_actions(user="U1", message=message, value="yes")
    assert 64 * 1024 < len(body.encode()) < MAX_REQUEST_BYTES
    assert world.driver.deliver(body, content_type="application/x-www-form-urlencoded") == 200


def _app(fake: FakeSlack, db_engine: Engine, session_factory: sessionmaker[Session]) -> Any:
    with session_factory.begin() as session:
        create_campaign(session, slug=CAMPAIGN, name="Acme", open_link=True, company="Acme")
    config = Settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.url,
        slack_campaign=CAMPAIGN,
    )
    service = InterviewService(session_factory)
    runtime = Runtime(settings=config, engine=db_engine, sessions=session_factory, service=service)
    return create_app(runtime)


def test_a_slack_outage_at_start_up_degrades_slack_only(
    fake: FakeSlack,
    db_engine: Engine,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.slack.identity.RETRY_DELAYS", (0.3,))
    fake.fail("auth.test", times=3)
    app = _app(fake, db_engine, session_factory)
    with TestClient(app) as client:  # starts although Slack does not answer
        health = client.get("/healthz").json()
        assert health["status"] == "ok"
        assert health["slack"] in ("unavailable", "connecting")
        # Web chat serves.
        started = client.post("/api/v1/interviews", json={"campaign": CAMPAIGN})
        assert started.status_code == 201
        # Slack's deliveries are refused for now, so Slack sends them again later.
        body = event_callback(dm_event("hi", user="U1"), event_id=new_event_id())
        headers = {"content-type": "application/json", **signed_headers(body)}
        refused = client.post("/slack/events", content=body, headers=headers)
        assert refused.status_code == 503
        assert "Retry-After" in refused.headers
        # Slack comes back: the background attempts connect.
        deadline = 50
        while client.get("/healthz").json()["slack"] != "connected" and deadline:
            deadline -= 1
            time.sleep(0.1)
        assert client.get("/healthz").json() == {"status": "ok", "slack": "connected"}
        headers = {"content-type": "application/json", **signed_headers(body)}
        assert client.post("/slack/events", content=body, headers=headers).status_code == 200
        assert app.state.slack.executor.join(30)
    assert fake.posted(), "the redelivered message was answered"
