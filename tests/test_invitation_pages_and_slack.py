"""What people meet: the opt-out page (and mail programs' one-click unsubscribe), the
polite page of an expired or withdrawn link, and invitations as Slack DMs (through the
fake Slack Web API) whose Start button begins the interview of the listed participant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.service.interviews import InterviewService
from bot.slack.web_client import make_client
from campaigns.slack_invitations import SlackInvitations
from fakes.slack import BOT_TOKEN, TEAM, FakeSlack
from fakes.smtp import FakeSmtp
from journeyline.runtime import Runtime
from journeyline.settings import Settings
from journeyline.web.app import create_app
from storage.models import Interview, Participant
from tests.scheduler_support import (
    CAMPAIGN,
    Scheduling,
    days,
    link_in,
    make_campaign,
    people_csv,
    scheduling,
    smtp_transport,
)


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp() as server:
        yield server


@pytest.fixture
def world(session_factory: sessionmaker[Session], smtp: FakeSmtp) -> Scheduling:
    make_campaign(session_factory)
    return scheduling(session_factory, email=smtp_transport(smtp.port))


@pytest.fixture
def client(
    db_engine: Engine, session_factory: sessionmaker[Session], tmp_path: Path
) -> Iterator[TestClient]:
    runtime = Runtime(
        settings=Settings(data_dir=tmp_path),
        engine=db_engine,
        sessions=session_factory,
        service=InterviewService(session_factory),
    )
    with TestClient(create_app(runtime)) as test_client:
        yield test_client


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_the_opt_out_link_asks_then_suppresses_and_nothing_more_is_sent(
    world: Scheduling, smtp: FakeSmtp, client: TestClient
) -> None:
    world.participants.import_csv(campaign_slug=CAMPAIGN, text=people_csv(2))
    with time_machine.travel(datetime(2026, 12, 10, 8, tzinfo=UTC), tick=False) as clock:
        world.invitations.schedule_wave(
            campaign_slug=CAMPAIGN, channel="email", at=datetime(2026, 12, 10, 8, tzinfo=UTC),
            rate_per_second=10, remind_after=days(3),
        )  # fmt: skip
        world.run()
        (message,) = smtp.to("p0@example.com")
        opt_out = _path(message["List-Unsubscribe"].strip().strip("<>"))
        page = client.get(opt_out)
        assert page.status_code == 200
        assert "p***@example.com" in page.text and "p0@example.com" not in page.text
        assert "content-security-policy" in page.headers
        # Looking changed nothing: a mail scanner that opens links unsubscribes nobody.
        assert world.invitations.suppressions() == []
        done = client.post(opt_out)
        assert done.status_code == 200 and "will not hear from us again" in done.text
        assert [(k, v, r) for k, v, r, _ in world.invitations.suppressions()] == [
            ("email", "p0@example.com", "opt_out")
        ]
        # A mail program's one-click unsubscribe (RFC 8058) posts the same URL.
        (other,) = smtp.to("p1@example.com")
        one_click = client.post(
            _path(other["List-Unsubscribe"].strip().strip("<>")),
            content="List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert one_click.status_code == 200
        again = client.post(opt_out)
        assert "already on our list" in again.text
        clock.shift(days(4))
        world.run()
    assert len(smtp.received) == 2  # no reminders for either
    assert client.get("/o/not-a-token").status_code == 404


def test_expired_and_withdrawn_links_get_a_polite_page(
    world: Scheduling, smtp: FakeSmtp, client: TestClient
) -> None:
    world.participants.import_csv(campaign_slug=CAMPAIGN, text=people_csv(2))
    start = datetime(2026, 12, 10, 8, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        world.invitations.schedule_wave(
            campaign_slug=CAMPAIGN, channel="email", at=start, rate_per_second=10,
            expire_after=days(1),
        )  # fmt: skip
        world.run()
        first = _path(link_in(smtp.to("p0@example.com")[0]))
        participant = world.participants.detail(
            campaign_slug=CAMPAIGN, participant="p1@example.com"
        )
        world.invitations.revoke(
            campaign_slug=CAMPAIGN, participant_ids=[participant.participant.id]
        )
        withdrawn = client.get(_path(link_in(smtp.to("p1@example.com")[0])))
        assert withdrawn.status_code == 410 and "withdrawn" in withdrawn.text
        clock.shift(days(2))
        expired = client.get(first)
        assert expired.status_code == 410 and "expired" in expired.text
        api = client.post("/api/v1/interviews", json={"invite_token": first.rsplit("/", 1)[1]})
        assert api.status_code == 410 and api.json()["error"]["code"] == "link_closed"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user("U1", email="ana@example.com", name="Ana")
        fake.add_user("U2", email="ben@example.com", name="Ben")
        yield fake


def test_slack_invitations_reach_the_fake_slack_once_and_start_the_listed_participant(
    session_factory: sessionmaker[Session], slack: FakeSlack
) -> None:
    make_campaign(session_factory)
    inviter = SlackInvitations(make_client(token=BOT_TOKEN, base_url=slack.url))
    world = scheduling(session_factory, slack=inviter)
    text = (
        "slack_user_id,slack_email,name\n"
        "U1,,Ana\n"
        ",ben@example.com,Ben\n"
        ",nobody@example.com,Nobody\n"
    )
    assert world.participants.import_csv(campaign_slug=CAMPAIGN, text=text).added == 3
    world.invitations.schedule_wave(
        campaign_slug=CAMPAIGN, channel="slack", at=datetime.now(UTC), rate_per_second=10
    )
    world.run()
    posted = slack.posted()
    assert sorted(p["channel"] for p in posted) == ["DU1", "DU2"]
    assert all(p["metadata"]["event_type"] == "journeyline_invitation" for p in posted)
    assert all("/o/" in str(p["blocks"]) for p in posted)
    statuses = {s.name: s.status for s in world.participants.statuses(campaign_slug=CAMPAIGN)}
    assert statuses == {"Ana": "sent", "Ben": "sent", "Nobody": "skipped"}
    # A re-drive after a crash finds the message in the DM's history and posts nothing.
    invitation = posted[0]["metadata"]["event_payload"]["invitation"]
    again = inviter.post(
        user_id=posted[0]["channel"][1:], campaign_name="Support study", campaign_slug=CAMPAIGN,
        invitation_id=invitation, number=0, opt_out_link="https://x/o/t", expires=None,
        redrive=True,
    )  # fmt: skip
    assert "found after a crash" in again and len(slack.posted()) == 2
    # Ben, found by his email, pressing Start is the listed participant, not a new one.
    service = InterviewService(session_factory)
    opening = service.slack.start(campaign_slug=CAMPAIGN, team_id=TEAM, user_id="U2")
    with session_factory() as session:
        interview = session.scalar(
            select(Interview).where(Interview.public_id == opening.interview_id)
        )
        assert interview is not None
        person = session.get(Participant, interview.participant_id)
        assert person is not None and (person.display_name, person.slack_team_id) == ("Ben", TEAM)
        assert session.query(Participant).count() == 3
