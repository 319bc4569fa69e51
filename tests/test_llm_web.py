"""The web chat's JSON API with a language model listening (fast path included): the
model's acknowledgement reaches the customer, a French answer is answered in French, and
a re-posted message makes no second call."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from bot.service.campaigns import create_campaign
from bot.service.links import Links
from fakes.openai_chat import FakeChatServer, fake_chat_server
from journeyline.runtime import Runtime, open_runtime
from journeyline.settings import Settings
from journeyline.web.app import create_app

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server() -> Iterator[FakeChatServer]:
    with fake_chat_server() as fake:
        yield fake


@pytest.fixture
def runtime(db_url: str, server: FakeChatServer) -> Iterator[Runtime]:
    settings = Settings(
        database_url=db_url,
        rate_limit_per_client=0,
        rate_limit_per_token=1000,
        llm_api_key="test",
        llm_base_url=server.base_url,
    )
    opened = open_runtime(settings, migrate=False)
    with opened.sessions.begin() as session:
        create_campaign(session, slug="web", name="Web", company="Acme")
    yield opened
    opened.close()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_web_turns_listen_translate_and_stay_idempotent(
    client: httpx.AsyncClient, runtime: Runtime, server: FakeChatServer
) -> None:
    assert runtime.service.listens
    token = Links(runtime.sessions, runtime.service).create_invite(
        campaign_slug="web", participant_external_id="p1"
    )
    started = (await client.post("/api/v1/interviews", json={"invite_token": token})).json()
    url = f"/api/v1/interviews/{started['interview_id']}/messages"
    auth = {"Authorization": f"Bearer {started['token']}"}

    async def say(message_id: str, **body: str) -> dict[str, object]:
        response = await client.post(
            url, json={"client_message_id": message_id, **body}, headers=auth
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    await say("c1", choice="yes")
    assert server.requests == []  # consent is the engine's alone
    answered = await say("p1", text="J'ai été facturé deux fois pour mon forfait")
    replies = answered["replies"]
    assert isinstance(replies, list)
    assert replies[0]["text"] == "(fr) Thanks, that helps me picture it."
    assert all(r["text"].startswith("(fr) ") for r in replies)
    calls = len(server.requests)
    again = await say("p1", text="J'ai été facturé deux fois pour mon forfait")
    assert again["duplicate"] is True and again["replies"] == replies
    assert len(server.requests) == calls  # a redelivery is answered from storage
    transcript = (
        await client.get(f"/api/v1/interviews/{started['interview_id']}", headers=auth)
    ).json()
    texts = [m["text"] for m in transcript["messages"]]
    assert "J'ai été facturé deux fois pour mon forfait" in texts
    assert texts[-1].startswith("(fr) ")
