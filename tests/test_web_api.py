"""The JSON API through the real ASGI app (httpx + ASGITransport), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from bot.service.campaigns import create_campaign
from bot.service.links import Links
from bot.web.http_errors import declares_too_large
from journeyline.runtime import Runtime, open_runtime
from journeyline.settings import Settings
from journeyline.web.app import create_app
from storage.models import Message

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _settings(db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"database_url": db_url, "rate_limit_per_client": 0, **overrides}
    return Settings(**values)


@pytest.fixture
def runtime(db_url: str) -> Iterator[Runtime]:
    opened = open_runtime(_settings(db_url, rate_limit_per_token=1000), migrate=False)
    with opened.sessions.begin() as session:
        create_campaign(session, slug="web", name="Web", open_link=True, company="Acme")
        create_campaign(session, slug="closed", name="Closed", open_link=False)
    yield opened
    opened.close()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime)
    async with _client(app) as http:
        yield http


def _client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def _invite(runtime: Runtime, participant: str = "p1") -> str:
    links = Links(runtime.sessions, runtime.service)
    return links.create_invite(campaign_slug="web", participant_external_id=participant)


async def _start(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await client.post("/api/v1/interviews", json={"invite_token": token})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _say(
    client: httpx.AsyncClient,
    interview: dict[str, Any],
    *,
    text: str | None = None,
    choice: str | None = None,
    client_message_id: str,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/interviews/{interview['interview_id']}/messages",
        json={"text": text, "choice": choice, "client_message_id": client_message_id},
        headers={"Authorization": f"Bearer {interview['token']}"},
    )


def _error(response: httpx.Response) -> dict[str, str]:
    body: dict[str, dict[str, str]] = response.json()
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["message"].endswith((".", "!"))  # a sentence for people
    return body["error"]


async def test_invite_starts_then_resumes_the_same_interview(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    token = _invite(runtime)
    first = await _start(client, token)
    assert first["token"] == token
    assert first["status"] == "awaiting_consent"
    assert [m["direction"] for m in first["messages"]] == ["out", "out"]
    assert first["pending"][-1]["slot"] == "consent"
    assert {c["value"] for c in first["pending"][-1]["choices"]} == {"yes", "yes-hear-back", "no"}
    again = await _start(client, token)
    assert again["interview_id"] == first["interview_id"]
    assert len(again["messages"]) == 2  # nothing started twice


async def test_a_conversation_and_the_transcript(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    interview = await _start(client, _invite(runtime))
    consent = await _say(client, interview, choice="yes", text="Yes", client_message_id="m1")
    assert consent.status_code == 200
    assert consent.json()["replies"][-1]["slot"] == "problem"
    await _say(client, interview, text="My bill doubled", client_message_id="m2")
    turn = await _say(
        client, interview, text="called them, sat on hold 40 min, furious", client_message_id="m3"
    )
    body = turn.json()
    # What the bot read from the story comes back for a one-tap confirmation.
    card = body["replies"][-1]
    assert card["slot"] == "confirm"
    assert card["understood"] == {
        "channel": "phone",
        "feeling": None,  # a feeling read from a story is asked, not shown
        "duration_minutes": 40,
        "pains": ["long_wait"],
    }
    assert [c["value"] for c in card["choices"]] == ["yes", "fix"]
    assert body["progress"]["phase"] == "steps"
    assert body["progress"]["label"].startswith("Step 1")
    read = await client.get(
        f"/api/v1/interviews/{interview['interview_id']}",
        headers={"Authorization": f"Bearer {interview['token']}"},
    )
    assert read.status_code == 200
    transcript = read.json()
    assert "token" not in transcript or transcript["token"] is None
    texts = [m["text"] for m in transcript["messages"] if m["direction"] == "in"]
    assert texts == ["Yes", "My bill doubled", "called them, sat on hold 40 min, furious"]
    assert transcript["pending"][-1]["slot"] == "confirm"
    assert transcript["pending"][-1]["understood"]["channel"] == "phone"


async def test_reposting_a_client_message_id_is_idempotent(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    interview = await _start(client, _invite(runtime))
    first = await _say(client, interview, choice="yes", client_message_id="same-id")
    for _ in range(3):
        again = await _say(client, interview, choice="yes", client_message_id="same-id")
        assert again.status_code == 200
        assert again.json()["replies"] == first.json()["replies"]
        assert again.json()["duplicate"] is True
    with runtime.sessions() as session:
        inbound = session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "in")
        )
    assert inbound == 1


async def test_open_link_starts_anonymous_interviews(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/interviews", json={"campaign": "web"})
    assert response.status_code == 201
    body = response.json()
    assert len(body["token"]) >= 43  # 256 random bits, base64url
    closed = await client.post("/api/v1/interviews", json={"campaign": "closed"})
    assert closed.status_code == 404
    assert _error(closed)["code"] == "not_found"


async def test_unknown_token_and_wrong_token_are_404(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    unknown = await client.post("/api/v1/interviews", json={"invite_token": "nope"})
    assert unknown.status_code == 404
    assert "not valid" in _error(unknown)["message"]
    mine = await _start(client, _invite(runtime, "p1"))
    other = await _start(client, _invite(runtime, "p2"))
    # A valid token is still unusable for another interview.
    crossed = {**mine, "token": other["token"]}
    response = await _say(client, crossed, text="hi", client_message_id="x1")
    assert response.status_code == 404
    missing = await client.get(f"/api/v1/interviews/{mine['interview_id']}")
    assert missing.status_code == 404


async def test_finished_interview_is_409(client: httpx.AsyncClient, runtime: Runtime) -> None:
    interview = await _start(client, _invite(runtime))
    declined = await _say(client, interview, choice="no", client_message_id="d1")
    assert declined.json()["status"] == "declined"
    late = await _say(client, interview, text="wait", client_message_id="d2")
    assert late.status_code == 409
    assert _error(late)["code"] == "interview_finished"
    # The answer that finished it can still be re-posted (a retry of a lost response).
    retry = await _say(client, interview, choice="no", client_message_id="d1")
    assert retry.status_code == 200


async def test_oversize_message_and_request_are_413(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    interview = await _start(client, _invite(runtime))
    too_long = await _say(client, interview, text="x" * 4001, client_message_id="big")
    assert too_long.status_code == 413
    assert "4000" in _error(too_long)["message"]
    huge = await client.post(
        f"/api/v1/interviews/{interview['interview_id']}/messages",
        content=b'{"text": "' + b"y" * 70_000 + b'", "client_message_id": "h"}',
        headers={
            "Authorization": f"Bearer {interview['token']}",
            "Content-Type": "application/json",
        },
    )
    assert huge.status_code == 413
    assert _error(huge)["code"] == "request_too_large"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"text": "hi"}',  # no client_message_id
        b'{"text": "hi", "client_message_id": "has spaces"}',
        b'{"text": "   ", "client_message_id": "ok1"}',  # empty message
        b'{"text": 5, "client_message_id": "ok2"}',
    ],
)
async def test_malformed_bodies_are_422(
    client: httpx.AsyncClient, runtime: Runtime, body: bytes
) -> None:
    interview = await _start(client, _invite(runtime))
    response = await client.post(
        f"/api/v1/interviews/{interview['interview_id']}/messages",
        content=body,
        headers={
            "Authorization": f"Bearer {interview['token']}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 422
    _error(response)


async def test_rate_limits_per_token_and_per_client(db_url: str) -> None:
    limited = open_runtime(
        _settings(db_url, rate_limit_per_token=3, rate_limit_per_client=0), migrate=False
    )
    try:
        with limited.sessions.begin() as session:
            create_campaign(session, slug="web", name="Web", open_link=True)
        async with _client(create_app(limited)) as http:
            interview = await _start(http, _invite(limited))
            codes = [
                (await _say(http, interview, text=f"hi {i}", client_message_id=f"r{i}")).status_code
                for i in range(4)
            ]
            assert codes[:2] == [200, 200]  # (the start used one of the three)
            assert codes[-1] == 429
            last = await _say(http, interview, text="again", client_message_id="r9")
            assert last.status_code == 429
            assert int(last.headers["Retry-After"]) >= 1
            assert _error(last)["code"] == "rate_limited"
    finally:
        limited.close()
    per_client = open_runtime(
        _settings(db_url, rate_limit_per_token=0, rate_limit_per_client=2), migrate=False
    )
    try:
        async with _client(create_app(per_client)) as http:
            statuses = [
                (await http.post("/api/v1/interviews", json={"campaign": "web"})).status_code
                for _ in range(3)
            ]
        assert statuses == [201, 201, 429]
    finally:
        per_client.close()


async def test_security_headers_and_openapi(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    assert "/api/v1/interviews" in paths
    assert "/api/v1/interviews/{interview_id}/messages" in paths
    responses = paths["/api/v1/interviews/{interview_id}/messages"]["post"]["responses"]
    assert {"404", "409", "413", "422", "429"} <= set(responses)


async def test_message_posts_keep_headers_and_errors_on_the_fast_path(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    # Message posts are answered by a plain-ASGI path (bot/web/fast_turns.py), inside the
    # same protections as every other route, with the same bodies as the FastAPI route.
    interview = await _start(client, _invite(runtime))
    answered = await _say(client, interview, choice="yes", client_message_id="f1")
    assert answered.status_code == 200
    assert answered.headers["cache-control"] == "no-store"
    assert answered.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in answered.headers["content-security-policy"]
    assert answered.headers["content-type"] == "application/json"
    assert set(answered.json()) == {"interview_id", "status", "replies", "duplicate", "progress"}
    again = await _say(client, interview, choice="yes", client_message_id="f1")
    assert again.json()["duplicate"] is True
    assert again.json()["replies"] == answered.json()["replies"]
    malformed = await client.post(
        f"/api/v1/interviews/{interview['interview_id']}/messages",
        json={"text": "hi"},  # no client_message_id: FastAPI's validation words it
        headers={"Authorization": f"Bearer {interview['token']}"},
    )
    assert malformed.status_code == 422
    assert "client_message_id" in _error(malformed)["message"]
    wrong = await client.post(
        f"/api/v1/interviews/{interview['interview_id']}/messages",
        json={"text": "hi", "client_message_id": "f2"},
        headers={"Authorization": "Bearer not-the-token"},
    )
    assert wrong.status_code == 404
    assert _error(wrong)["code"] == "not_found"
    for response in (malformed, wrong):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_a_streamed_oversize_body_is_413_on_the_fast_path(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    # No Content-Length: the fast path counts what arrives and stops reading at the limit.
    interview = await _start(client, _invite(runtime))
    path = f"/api/v1/interviews/{interview['interview_id']}/messages"
    headers = {"Authorization": f"Bearer {interview['token']}"}
    for target in (path, "/api/v1/interviews"):
        huge = await client.post(
            target,
            content=_chunks(b'{"text": "', b"y" * 40_000, b"z" * 40_000, b'"}'),
            headers=headers,
        )
        assert huge.status_code == 413, target
        assert _error(huge)["code"] == "request_too_large"
        assert huge.headers["x-content-type-options"] == "nosniff"
    with runtime.sessions() as session:
        stored = session.scalar(select(func.count()).select_from(Message))
    assert stored == 2  # the consent question and the welcome: nothing of the huge posts


async def test_an_unexpected_failure_on_the_fast_path_is_a_json_500(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database caught fire")

    app = create_app(runtime)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        interview = await _start(http, _invite(runtime))
        monkeypatch.setattr(runtime.service, "handle_message", broken)
        monkeypatch.setattr(runtime.service, "handle_message_now", broken)
        failed = await _say(http, interview, choice="yes", client_message_id="boom")
    assert failed.status_code == 500
    assert _error(failed)["code"] == "internal_error"
    assert "fire" not in failed.text  # nothing of the server's internals
    assert failed.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([(b"content-length", b"10")], False),
        ([(b"content-length", b"11")], True),
        ([], False),  # no declared length: counted as it arrives instead
        ([(b"content-length", b"lots")], False),  # malformed: the server rejects it itself
    ],
)
def test_declared_length_check_shared_by_both_paths(
    headers: list[tuple[bytes, bytes]], expected: bool
) -> None:
    assert declares_too_large(headers, 10) is expected
