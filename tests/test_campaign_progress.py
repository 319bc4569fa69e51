"""The progress counts in SQL (storage.campaign_progress) on SQLite and PostgreSQL: the
status each participant gets there is the one the Python reading gives
(Participants.statuses), in every status; the funnel per wave, channel and attribute;
where unfinished interviews stopped; the median time to complete; a page of
participants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.service.interviews import InterviewService
from bot.service.progress import Progress
from storage.models import Interview, Participant
from tests.scheduler_support import (
    CAMPAIGN,
    Scheduling,
    days,
    make_campaign,
    people_csv,
    scheduling,
)

START = datetime(2026, 12, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def world(session_factory: sessionmaker[Session], tmp_path: Path) -> Scheduling:
    make_campaign(session_factory)
    return scheduling(session_factory, outbox=tmp_path / "outbox")


def _open(world: Scheduling, email: str) -> str:
    """Open the person's personal link (the invitation's), as a browser would."""
    token = next(row.link for row in world.invitations.export_links(campaign_slug=CAMPAIGN)
                 if row.email == email).rsplit("/", 1)[1]  # fmt: skip
    return world.links().open(token).turn.interview_id


def _complete(sessions: sessionmaker[Session], public_id: str, minutes: float) -> None:
    with sessions.begin() as session:
        interview = session.scalar(select(Interview).where(Interview.public_id == public_id))
        assert interview is not None
        interview.status = "completed"
        interview.consent = True
        interview.completed_at = interview.started_at + timedelta(minutes=minutes)


def _every_status(world: Scheduling) -> None:
    """Participants in every status the funnel knows, at START + 6 days."""
    assert world.participants.import_csv(campaign_slug=CAMPAIGN, text=people_csv(10)).ok
    world.invitations.suppress(kind="email", value="p9@example.com")
    service = InterviewService(world.sessions)
    with time_machine.travel(START, tick=False) as clock:
        world.invitations.schedule_wave(
            campaign_slug=CAMPAIGN, channel="email", at=START, rate_per_second=100,
            expire_after=days(5),
        )  # fmt: skip
        world.run()
        _complete(world.sessions, _open(world, "p0@example.com"), 10)
        service.handle_message(interview_id=_open(world, "p1@example.com"), text="no")
        service.handle_message(interview_id=_open(world, "p2@example.com"), text="yes")
        _open(world, "p3@example.com")
        _complete(world.sessions, _open(world, "p6@example.com"), 20)
        clock.shift(days(6))
        # Two more people join and get the second wave (with p4, whose invitation was
        # revoked: revoked invitations do not count); p4's is revoked again.
        extra = "email,name,plan\nq1@example.com,Q 1,pro\nq2@example.com,Q 2,\n"
        assert world.participants.import_csv(campaign_slug=CAMPAIGN, text=extra).added == 2
        p4 = world.participants.detail(campaign_slug=CAMPAIGN, participant="p4@example.com")
        world.invitations.revoke(campaign_slug=CAMPAIGN, participant_ids=[p4.participant.id])
        world.invitations.schedule_wave(
            campaign_slug=CAMPAIGN, channel="email", at=START + days(6), rate_per_second=100
        )
        world.run()
        world.invitations.revoke(campaign_slug=CAMPAIGN, participant_ids=[p4.participant.id])
        # One more waits for a link wave still to start.
        assert world.participants.import_csv(
            campaign_slug=CAMPAIGN, text="email\nlate@example.com\n"
        ).added
        world.invitations.schedule_wave(
            campaign_slug=CAMPAIGN, channel="link", at=START + days(9), rate_per_second=100
        )


def test_sql_statuses_are_the_python_reading_in_every_status(world: Scheduling) -> None:
    _every_status(world)
    with time_machine.travel(START + days(6), tick=False):
        python = {p.id: p.status for p in world.participants.statuses(campaign_slug=CAMPAIGN)}
        page = world.participants.page(campaign_slug=CAMPAIGN, limit=1000)
    sql = {line.id: line.status for line in page.lines}
    assert sql == python
    assert set(python.values()) == {
        "completed", "declined", "started", "opened", "revoked", "expired", "suppressed",
        "sent", "scheduled",
    }  # fmt: skip
    assert page.matching == page.total == 13
    assert page.statuses["completed"] == 2 and page.statuses["expired"] == 3


def test_the_funnel_per_wave_channel_and_attribute(world: Scheduling) -> None:
    _every_status(world)
    progress = Progress(world.sessions, clock=lambda: START + days(6))
    found = progress.progress(campaign_slug=CAMPAIGN, attribute="plan")
    # Invited: all but the suppressed and the one waiting; delivered: not the revoked.
    assert found.total.participants == 13
    assert found.total.steps == {
        "invited": 11, "delivered": 10, "opened": 5, "consented": 3, "completed": 2,
    }  # fmt: skip
    # Python's funnel (per wave) says the same.
    python = world.participants.funnel(campaign_slug=CAMPAIGN)
    assert {row.wave_id: row.steps for row in python} == {
        int(cell.key[5:]) if cell.key != "none" else None: cell.steps for cell in found.waves
    }
    assert [c.key for c in found.channels] == ["email", "none"]
    assert found.channels[0].steps["delivered"] == 10
    assert [c.label for c in found.waves] == ["Wave 1 (email)", "Wave 2 (email)", "Not invited yet"]
    by_plan = {cell.key: cell for cell in found.values}
    assert set(by_plan) == {"pro", "free", ""}
    assert by_plan["pro"].participants == 6  # p1 p3 p5 p7 p9 q1
    assert by_plan[""].participants == 2  # q2 and late
    assert sum(c.participants for c in found.values) == 13
    # An attribute nobody has is ignored, not an error.
    assert progress.progress(campaign_slug=CAMPAIGN, attribute="nope").values == []


def test_drop_off_and_median_time_to_complete(world: Scheduling) -> None:
    _every_status(world)
    found = Progress(world.sessions, clock=lambda: START + days(6)).progress(campaign_slug=CAMPAIGN)
    # p2 agreed and stands at the first question; p3 opened and never answered.
    stopped = {s.slot: s.interviews for s in found.stopped_at}
    assert stopped.get("consent") == 1 and sum(stopped.values()) == 2
    assert found.stopped_at[0].slot == "consent"  # in the interview's order
    assert found.median_completion_seconds == pytest.approx(15 * 60, abs=1)


def test_a_page_filters_by_status_and_pages_in_id_order(world: Scheduling) -> None:
    _every_status(world)
    with time_machine.travel(START + days(6), tick=False):
        expired = world.participants.page(campaign_slug=CAMPAIGN, status="expired")
        second = world.participants.page(campaign_slug=CAMPAIGN, offset=5, limit=5)
    assert [line.email for line in expired.lines] == [
        "p5@example.com", "p7@example.com", "p8@example.com",
    ]  # fmt: skip
    assert expired.matching == 3 and expired.total == 13
    with world.sessions() as session:
        ids = list(session.scalars(select(Participant.id).order_by(Participant.id)))
    assert [line.id for line in second.lines] == ids[5:10]


def test_a_campaign_without_anything_yet(world: Scheduling) -> None:
    found = Progress(world.sessions).progress(campaign_slug=CAMPAIGN)
    assert found.total.participants == 0 and found.total.steps["invited"] == 0
    assert found.stopped_at == [] and found.median_completion_seconds is None
    assert Progress(world.sessions).saturation(campaign_slug=CAMPAIGN) is None
