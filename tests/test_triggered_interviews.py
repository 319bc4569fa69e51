"""Interviews triggered by closed support cases: the service decides (delay, sampling,
cool-down, suppression, one decision per case) and the helpdesk webhook verifies
signatures of the common schemes and reads any payload through a mapping."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.service.interviews import InterviewService
from bot.service.triggers import ClosedCase, Triggers, sampled
from bot.web.webhook_signatures import verified
from fakes.smtp import FakeSmtp
from journeyline.runtime import Runtime
from journeyline.settings import Settings
from journeyline.web.app import create_app
from tests.scheduler_support import (
    CAMPAIGN,
    TOKENS,
    make_campaign,
    scheduling,
    smtp_transport,
)

CLOSED = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
SECRET = "helpdesk-secret"


def _case(case_id: str, email: str = "ana@example.com") -> ClosedCase:
    return ClosedCase(case_id=case_id, closed_at=CLOSED, email=email, name="Ana")


def test_a_closed_case_invites_once_after_the_delay_and_then_cools_down(
    session_factory: sessionmaker[Session],
) -> None:
    make_campaign(session_factory)
    triggers = Triggers(session_factory, tokens=TOKENS)
    with FakeSmtp() as smtp, time_machine.travel(CLOSED, tick=False) as clock:
        triggers.configure(campaign_slug=CAMPAIGN, delay=timedelta(hours=2), cooldown_days=30)
        world = scheduling(session_factory, email=smtp_transport(smtp.port))
        first = triggers.case_closed(campaign_slug=CAMPAIGN, case=_case("T-1"))
        assert (first.outcome, first.send_at) == ("scheduled", CLOSED + timedelta(hours=2))
        # The helpdesk retries its webhook: the same case decides nothing twice.
        again = triggers.case_closed(campaign_slug=CAMPAIGN, case=_case("T-1"))
        assert again.outcome == "already_reported"
        world.run()
        assert smtp.received == []
        clock.shift(timedelta(hours=2, seconds=1))
        world.run()
        assert len(smtp.to("ana@example.com")) == 1
        # Another case of hers a week later: she was asked a week ago.
        clock.shift(timedelta(days=7))
        later = triggers.case_closed(
            campaign_slug=CAMPAIGN,
            case=ClosedCase(
                case_id="T-2", closed_at=CLOSED + timedelta(days=7), email="ANA@example.com"
            ),
        )
        assert later.outcome == "cooling_down"
        world.invitations.suppress(kind="email", value="ben@example.com")
        assert (
            triggers.case_closed(
                campaign_slug=CAMPAIGN, case=_case("T-3", "ben@example.com")
            ).outcome
            == "suppressed"
        )
    statuses = {p.email: p.status for p in world.participants.statuses(campaign_slug=CAMPAIGN)}
    assert statuses == {"ana@example.com": "sent"}


def test_sampling_is_decided_by_the_case_id_and_keeps_about_the_share() -> None:
    picked = sum(sampled(f"case-{n}", 0.25) for n in range(4000))
    assert 850 < picked < 1150
    assert sampled("case-7", 0.25) == sampled("case-7", 0.25)


def test_a_campaign_without_a_trigger_takes_no_cases(
    session_factory: sessionmaker[Session],
) -> None:
    make_campaign(session_factory)
    result = Triggers(session_factory, tokens=TOKENS).case_closed(
        campaign_slug=CAMPAIGN, case=_case("T-9")
    )
    assert result.outcome == "no_trigger"


BODY = b'{"ticket": {"id": 42}}'


def test_signatures_of_common_helpdesks_are_checked() -> None:
    key = SECRET.encode()
    generic = "sha256=" + hmac.new(key, BODY, "sha256").hexdigest()
    assert verified({"x-journeyline-signature": generic}, BODY, SECRET)
    assert not verified({"x-journeyline-signature": generic}, BODY + b" ", SECRET)
    stamp = "2026-12-10T15:00:00Z"
    zendesk = base64.b64encode(hmac.new(key, stamp.encode() + BODY, "sha256").digest()).decode()
    headers = {
        "x-zendesk-webhook-signature": zendesk,
        "x-zendesk-webhook-signature-timestamp": stamp,
    }
    assert verified(headers, BODY, SECRET, now=CLOSED.timestamp() + 10)
    assert not verified(headers, BODY, SECRET, now=CLOSED.timestamp() + 3600)  # a replay
    intercom = "sha1=" + hmac.new(key, BODY, "sha1").hexdigest()
    assert verified({"x-hub-signature": intercom}, BODY, SECRET)
    helpscout = base64.b64encode(hmac.new(key, BODY, hashlib.sha1).digest()).decode()
    assert verified({"x-helpscout-signature": helpscout}, BODY, SECRET)
    assert verified({"x-journeyline-token": SECRET}, BODY, SECRET)
    assert not verified({"x-journeyline-token": "guess"}, BODY, SECRET)
    assert not verified({}, BODY, SECRET)


@pytest.fixture
def client(
    db_engine: Engine, session_factory: sessionmaker[Session], tmp_path: Path
) -> Iterator[TestClient]:
    make_campaign(session_factory)
    Triggers(session_factory, tokens=TOKENS).configure(campaign_slug=CAMPAIGN, delay=timedelta(0))
    settings = Settings(
        data_dir=tmp_path,
        helpdesk_webhook_secret=SecretStr(SECRET),
        helpdesk_mapping={
            "case_id": "ticket.id",
            "email": "ticket.requester.email",
            "name": "ticket.requester.name",
            "status": "ticket.status",
            "closed_at": "ticket.updated_at",
            "attributes.plan": "ticket.organization.plan",
        },
    )
    runtime = Runtime(
        settings=settings, engine=db_engine, sessions=session_factory,
        service=InterviewService(session_factory),
    )  # fmt: skip
    with TestClient(create_app(runtime)) as test_client:
        yield test_client


def _zendesk_post(
    client: TestClient, payload: Mapping[str, object], *, secret: str = SECRET
) -> Any:  # the test client's response
    body = json.dumps(payload).encode()
    stamp = str(int(time.time()))
    signature = base64.b64encode(
        hmac.new(secret.encode(), stamp.encode() + body, "sha256").digest()
    )
    return client.post(
        f"/hooks/helpdesk/{CAMPAIGN}",
        content=body,
        headers={
            "content-type": "application/json",
            "x-zendesk-webhook-signature": signature.decode(),
            "x-zendesk-webhook-signature-timestamp": stamp,
        },
    )


def test_the_webhook_verifies_maps_and_schedules(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    ticket = {
        "ticket": {
            "id": 1001,
            "status": "Solved",
            "updated_at": "2026-12-06T10:00:00Z",
            "requester": {"email": "cara@example.com", "name": "Cara"},
            "organization": {"plan": "enterprise"},
        }
    }
    forged = _zendesk_post(client, ticket, secret="wrong")
    assert forged.status_code == 401
    taken = _zendesk_post(client, ticket)
    assert taken.status_code == 200
    assert taken.json()["outcome"] == "scheduled"
    again = _zendesk_post(client, ticket)
    assert again.json()["outcome"] == "already_reported"
    open_ticket = {"ticket": {**ticket["ticket"], "id": 1002, "status": "open"}}
    assert _zendesk_post(client, open_ticket).json()["outcome"] == "ignored"
    nameless = {"ticket": {"status": "solved"}}
    assert _zendesk_post(client, nameless).status_code == 422
    from bot.service.participants import Participants

    detail = Participants(session_factory).detail(
        campaign_slug=CAMPAIGN, participant="cara@example.com"
    )
    assert detail.participant.attributes == {"plan": "enterprise"}
    assert detail.participant.status == "pending"
