"""How requests reach the bot and replies reach Slack: acks that never wait for the
interview, Socket Mode, and rate-limited posts retried after Retry-After."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation import engine
from bot.conversation.guide import Guide
from bot.conversation.messages import Inbound
from bot.conversation.state import InterviewState
from bot.conversation.vocabulary import Slot
from fakes.slack import (
    FakeSlack,
    SlackWorld,
    block_actions,
    dm_event,
    event_callback,
    make_world,
    new_event_id,
    with_users,
)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield with_users(fake)


@pytest.fixture
def world(
    fake: FakeSlack, db_engine: Engine, session_factory: sessionmaker[Session]
) -> Iterator[SlackWorld]:
    yield from make_world(fake, db_engine, session_factory)


def test_requests_are_acked_while_the_interview_service_is_stuck(
    fake: FakeSlack, db_engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    release = threading.Event()

    def stuck(state: InterviewState, inbound: Inbound, guide: Guide) -> engine.EngineResult:
        release.wait(30)  # a language model taking its time
        return engine.handle(state, inbound, guide)

    for world in make_world(fake, db_engine, session_factory, handler=stuck):
        world.driver.say("hi")  # starting needs no turn
        consent = world.driver.last_post()
        started = time.perf_counter()
        assert world.driver.click(consent, "yes", settle=False) == 200  # waits for the ack only ...
        assert world.driver.say("My bill was wrong", settle=False) == 200
        acked_in = time.perf_counter() - started
        assert acked_in < 1.5, acked_in
        assert len(fake.posted()) == 2  # ... the turns are still stuck
        release.set()
        world.driver.settle()
        assert world.pending_slot() == Slot.STEP  # both answers went through, in order


def test_a_rate_limited_post_is_retried_after_retry_after(
    world: SlackWorld, fake: FakeSlack
) -> None:
    fake.rate_limit("chat.postMessage", retry_after=1)
    started = time.monotonic()
    world.driver.say("hi")
    attempts = fake.calls_to("chat.postMessage", ok_only=False)
    assert len(attempts) == 3  # the intro twice (429, then delivered), then consent
    assert fake.posted()[0]["text"].startswith("Hi!")
    assert time.monotonic() - started >= 1.0  # it waited as asked
    assert len(fake.posted()) == 2


def test_socket_mode_envelopes_reach_the_same_bot(world: SlackWorld, fake: FakeSlack) -> None:
    handler = SocketModeHandler(world.bot.app, app_token="xapp-test")
    sent: list[SocketModeResponse] = []

    def record(response: dict[str, Any] | SocketModeResponse) -> None:
        assert isinstance(response, SocketModeResponse)
        sent.append(response)

    handler.client.send_socket_mode_response = record  # type: ignore[method-assign]
    try:
        event = json.loads(event_callback(dm_event("hi", user="U1"), event_id=new_event_id()))
        handler.handle(handler.client, SocketModeRequest("events_api", "env-1", event))
        # Slack redelivers over the socket too, with retry_attempt set.
        handler.handle(
            handler.client,
            SocketModeRequest("events_api", "env-2", event, retry_attempt=1),
        )
        world.driver.settle()
        consent = world.driver.last_post()
        click = _form_payload(block_actions(user="U1", message=consent, value="yes"))
        handler.handle(handler.client, SocketModeRequest("interactive", "env-3", click))
        world.driver.settle()
    finally:
        handler.close()  # type: ignore[no-untyped-call]
    assert [r.envelope_id for r in sent] == ["env-1", "env-2", "env-3"]  # all acked
    assert world.pending_slot() == Slot.PROBLEM
    assert len(fake.posted()) == 3  # intro, consent (once), first question
    assert len(fake.calls_to("chat.update")) == 1


def _form_payload(form: str) -> dict[str, Any]:
    from urllib.parse import parse_qs

    payload: dict[str, Any] = json.loads(parse_qs(form)["payload"][0])
    return payload
