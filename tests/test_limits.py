"""Abuse limits (issue 19, item 4): open-link start budgets shared by every server
process, caps per interview, and the proxy addresses they count. On SQLite and
PostgreSQL; each failed on main, where one address started 600 interviews a minute, one
token stored 60 x 4,000 characters a minute, and limits lived in one process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.service.campaigns import create_campaign
from bot.service.limits import StartLimits, client_key
from journeyline.runtime import Runtime, open_runtime
from journeyline.settings import Settings
from journeyline.web.app import create_app
from storage.models import Interview, Message, StartCounter

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _runtime(db_url: str, **overrides: Any) -> Runtime:
    values: dict[str, Any] = {
        "database_url": db_url,
        "rate_limit_per_client": 0,
        "rate_limit_per_token": 0,
        **overrides,
    }
    return open_runtime(Settings(**values), migrate=False)


@pytest.fixture
def campaigns(db_url: str) -> None:
    rt = _runtime(db_url)
    with rt.sessions.begin() as session:
        create_campaign(session, slug="one", name="One", open_link=True, company="Acme")
        create_campaign(session, slug="two", name="Two", open_link=True, company="Acme")
    rt.close()


def _client(rt: Runtime, address: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(rt), client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def _start(client: httpx.AsyncClient, campaign: str = "one") -> httpx.Response:
    return await client.post("/api/v1/interviews", json={"campaign": campaign})


def _count(rt: Runtime, model: Any) -> int:
    with rt.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
async def two_processes(db_url: str, campaigns: None) -> AsyncIterator[tuple[Runtime, Runtime]]:
    settings = {
        "open_starts_per_client_per_hour": 3,
        "open_starts_per_campaign_per_hour": 5,
        "open_starts_per_hour": 7,
    }
    first, second = _runtime(db_url, **settings), _runtime(db_url, **settings)
    yield first, second
    first.close()
    second.close()


async def test_one_address_is_held_to_its_budget_across_processes(
    two_processes: tuple[Runtime, Runtime],
) -> None:
    first, second = two_processes
    async with _client(first) as a, _client(second) as b:
        statuses = [(await _start(client)).status_code for client in (a, b, a, b)]
        assert statuses == [201, 201, 201, 429]  # 3 per address, whichever process
        refused = await _start(a)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "too_many_starts"
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
        # Another address still starts (in the same campaign).
    async with _client(second, "198.51.100.9") as other:
        assert (await _start(other)).status_code == 201
    assert _count(first, Interview) == 4  # refused starts stored nothing


async def test_campaign_and_overall_budgets_hold_across_processes(
    two_processes: tuple[Runtime, Runtime],
) -> None:
    first, second = two_processes
    codes = []
    for n in range(6):
        rt = (first, second)[n % 2]
        async with _client(rt, f"192.0.2.{n}") as client:
            codes.append((await _start(client, "one")).status_code)
    assert codes == [201] * 5 + [429]  # the campaign's 5
    codes = []
    for n in range(3):
        async with _client(first, f"192.0.2.{50 + n}") as client:
            codes.append((await _start(client, "two")).status_code)
    assert codes == [201, 201, 429]  # all open links: 7 in all
    assert _count(first, Interview) == 7


async def test_the_start_page_form_counts_against_the_same_budgets(
    two_processes: tuple[Runtime, Runtime],
) -> None:
    first, _ = two_processes
    async with _client(first) as client:
        for _ in range(3):
            posted = await client.post("/c/one", follow_redirects=False)
            assert posted.status_code == 303
        refused = await client.post("/c/one", follow_redirects=False)
        assert refused.status_code == 429
        assert "Retry-After" in refused.headers
        assert (await _start(client)).status_code == 429  # the API shares the budget


async def test_a_new_window_starts_a_new_budget(db_url: str, campaigns: None) -> None:
    rt = _runtime(db_url, open_starts_per_client_per_hour=1)
    try:
        async with _client(rt) as client:
            assert (await _start(client)).status_code == 201
            assert (await _start(client)).status_code == 429
            # The window ended: move its start back by an hour.
            with rt.sessions.begin() as session:
                for counter in session.scalars(select(StartCounter)):
                    counter.window_start = counter.window_start.replace(
                        year=counter.window_start.year - 1
                    )
            assert (await _start(client)).status_code == 201
    finally:
        rt.close()


def test_the_budget_table_never_holds_a_client_address(db_url: str, campaigns: None) -> None:
    assert "203.0.113.7" not in client_key("203.0.113.7")
    budgets = StartLimits(per_client=1, per_campaign=0, overall=2).budgets(
        campaign_id=1, client="203.0.113.7"
    )
    assert [b.key for b in budgets] == ["all", client_key("203.0.113.7")]


async def test_an_interview_stores_at_most_its_messages(db_url: str, campaigns: None) -> None:
    rt = _runtime(db_url, max_messages_per_interview=3)
    try:
        async with _client(rt) as client:
            started = (await _start(client)).json()
            url = f"/api/v1/interviews/{started['interview_id']}/messages"
            auth = {"Authorization": f"Bearer {started['token']}"}
            codes = []
            for n in range(5):
                body = {"text": f"answer {n}", "client_message_id": f"m{n}"}
                codes.append((await client.post(url, json=body, headers=auth)).status_code)
            assert codes == [200, 200, 200, 409, 409]
            full = await client.post(
                url, json={"text": "x", "client_message_id": "m9"}, headers=auth
            )
            assert full.json()["error"]["code"] == "interview_full"
            # A redelivery of a stored message still gets its first answer.
            again = await client.post(
                url, json={"text": "answer 0", "client_message_id": "m0"}, headers=auth
            )
            assert again.status_code == 200
        with rt.sessions() as session:
            inbound = session.scalar(
                select(func.count()).select_from(Message).where(Message.direction == "in")
            )
        assert inbound == 3
    finally:
        rt.close()


async def test_an_interview_stores_at_most_its_characters_even_after_a_restart(
    db_url: str, campaigns: None
) -> None:
    rt = _runtime(db_url, max_chars_per_interview=250, max_message_chars=100)
    try:
        async with _client(rt) as client:
            started = (await _start(client)).json()
            url = f"/api/v1/interviews/{started['interview_id']}/messages"
            auth = {"Authorization": f"Bearer {started['token']}"}
            long = "x" * 150  # over max_message_chars: stored, and asked for a shorter one
            first = await client.post(
                url, json={"text": long, "client_message_id": "a"}, headers=auth
            )
            assert first.status_code == 413  # the API refuses it before the turn
            ok = await client.post(
                url, json={"text": "y" * 100, "client_message_id": "b"}, headers=auth
            )
            assert ok.status_code == 200
            assert (
                await client.post(
                    url, json={"text": "z" * 100, "client_message_id": "c"}, headers=auth
                )
            ).status_code == 200
    finally:
        rt.close()
    # Another process (nothing cached) reads the counts with the interview.
    again = _runtime(db_url, max_chars_per_interview=250, max_message_chars=100)
    try:
        async with _client(again) as client:
            over = await client.post(
                url, json={"text": "w" * 60, "client_message_id": "d"}, headers=auth
            )
            assert over.status_code == 409
            fits = await client.post(
                url, json={"text": "w" * 40, "client_message_id": "e"}, headers=auth
            )
            assert fits.status_code == 200
    finally:
        again.close()


def test_a_full_interview_tells_slack_and_terminal_customers(db_url: str, campaigns: None) -> None:
    rt = _runtime(db_url, max_messages_per_interview=1)
    try:
        started = rt.service.start_interview(campaign_slug="one", channel="terminal")
        rt.service.handle_message(interview_id=started.interview_id, text="yes")
        refused = rt.service.handle_message(interview_id=started.interview_id, text="more")
        assert "length limit" in refused.replies[0].text
    finally:
        rt.close()
