"""Invitations: `journeyline slack invite` by user id or email, the Start button, and
resuming through a later invitation (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bot.conversation.vocabulary import Slot
from bot.slack.blocks import START_ACTION
from bot.slack.conversation import STUDY_CLOSED
from fakes.slack import (
    BOT_TOKEN,
    CAMPAIGN,
    TEAM,
    FakeSlack,
    SlackWorld,
    buttons,
    make_world,
    with_users,
)
from journeyline.cli.main import app
from storage.models import Interview, Participant

runner = CliRunner()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield with_users(fake)


@pytest.fixture
def world(
    fake: FakeSlack,
    db_engine: Engine,
    session_factory: sessionmaker[Session],
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[SlackWorld]:
    # The CLI reads its settings from the environment, like in production.
    monkeypatch.chdir(tmp_path)  # no stray .env from the checkout
    monkeypatch.setenv("JOURNEYLINE_DATABASE_URL", db_url)
    monkeypatch.setenv("JOURNEYLINE_SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("JOURNEYLINE_SLACK_API_URL", fake.url)
    yield from make_world(fake, db_engine, session_factory, slack_campaign=None)


def invite(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["slack", "invite", "--campaign", CAMPAIGN, *args])
    return result.exit_code, result.output


def test_invite_by_email_dms_a_start_button(world: SlackWorld, fake: FakeSlack) -> None:
    code, output = invite("--email", "ana@example.com", "--user", "U2")
    assert code == 0, output
    lines = [" ".join(line.split()) for line in output.splitlines()]
    assert lines == ["U2 invited (U2, DM DU2)", "ana@example.com invited (U1, DM DU1)"]
    assert fake.calls_to("users.lookupByEmail") == [{"email": "ana@example.com"}]
    assert [c["users"] for c in fake.calls_to("conversations.open")] == ["U2", "U1"]
    invitation = world.driver.last_post("DU1")
    assert buttons(invitation) == [(CAMPAIGN, "Start")]
    assert "Acme support" in invitation["text"]
    with world.sessions() as session:
        ana = session.scalars(select(Participant).where(Participant.slack_user_id == "U1")).one()
        assert (ana.slack_team_id, ana.email, ana.display_name) == (TEAM, "ana@example.com", "Ana")
        assert ana.external_id == f"slack:{TEAM}:U1"


def test_an_unknown_email_is_a_clear_error_and_sends_nothing(
    world: SlackWorld, fake: FakeSlack
) -> None:
    code, output = invite("--email", "nobody@example.com")
    assert code == 1
    flat = " ".join(output.split())
    assert "no Slack user with the email nobody@example.com in this workspace" in flat
    assert "users_not_found" in flat
    assert fake.posted() == []


def test_an_unknown_campaign_is_a_clear_error(world: SlackWorld, fake: FakeSlack) -> None:
    result = runner.invoke(app, ["slack", "invite", "--campaign", "nope", "--user", "U1"])
    assert result.exit_code == 1
    assert "no campaign with slug 'nope'" in result.output
    assert fake.posted() == []


def test_start_begins_once_and_a_later_invitation_resumes(
    world: SlackWorld, fake: FakeSlack
) -> None:
    assert invite("--user", "U1")[0] == 0
    invitation = world.driver.last_post("DU1")
    for _ in range(2):  # double click on Start: one interview
        world.driver.click(invitation, CAMPAIGN, settle=False)
    world.driver.settle()
    update = fake.calls_to("chat.update")
    assert [u["text"] for u in update] == ["✅ Started"]
    consent = world.driver.last_post("DU1")
    assert buttons(consent)[0] == ("yes", "Yes, that's fine")
    world.driver.click(consent, "yes")
    first = world.interview()

    assert invite("--user", "U1")[0] == 0  # a reminder, days later
    world.driver.click(world.driver.last_post("DU1"), CAMPAIGN)
    assert fake.calls_to("chat.update")[-1]["text"] == "✅ Continued"
    texts = [p["text"] for p in fake.posted()[-2:]]
    assert texts[0].startswith("Welcome back")
    assert world.interview().public_id == first.public_id
    assert world.pending_slot() == Slot.PROBLEM
    with world.sessions() as session:
        assert len(session.scalars(select(Interview)).all()) == 1


def test_an_invited_user_can_start_by_just_writing(world: SlackWorld, fake: FakeSlack) -> None:
    assert invite("--user", "U2")[0] == 0
    world.driver.say("hey, happy to help", user="U2")
    assert world.pending_slot("U2") == Slot.CONSENT
    # Their Start button still works and continues the same interview.
    invitation = next(p for p in fake.posted() if buttons(p) == [(CAMPAIGN, "Start")])
    world.driver.click(invitation, CAMPAIGN, user="U2")
    assert fake.calls_to("chat.update")[-1]["text"] == "✅ Continued"
    assert START_ACTION == "jl_start"


def test_a_closed_campaign_thanks_the_person_and_starts_nothing(
    world: SlackWorld, fake: FakeSlack
) -> None:
    assert invite("--user", "U1")[0] == 0
    invitation = world.driver.last_post("DU1")
    assert runner.invoke(app, ["campaigns", "close", CAMPAIGN]).exit_code == 0
    world.driver.click(invitation, CAMPAIGN)
    assert fake.calls_to("chat.update")[-1]["text"] == STUDY_CLOSED
    world.driver.say("hello?")  # writing instead of pressing Start: the same kind answer
    assert world.driver.last_post("DU1")["text"] == STUDY_CLOSED
    with world.sessions() as session:
        assert session.scalars(select(Interview)).all() == []
