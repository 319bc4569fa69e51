"""Invitation waves end to end, on SQLite and PostgreSQL: scheduled in a time zone, sent
by the scheduler's worker to a real SMTP server on 127.0.0.1 or to the .eml outbox,
reminded (time-machine moves the clock), stopped by a start, an expiry, a revocation,
an opt-out or the suppression list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.service.interviews import InterviewService
from bot.service.invitations import InvalidSchedule
from bot.service.links import LinkExpired, LinkRevoked
from bot.service.schedule_terms import local_time
from campaigns.outbox import OutboxTransport
from fakes.smtp import FakeSmtp
from storage.scheduler_models import Invitation, InvitationMessage, ScheduledJob
from tests.scheduler_support import (
    CAMPAIGN,
    Scheduling,
    days,
    link_in,
    make_campaign,
    people_csv,
    scheduling,
    smtp_transport,
    token_of,
)

START = datetime(2026, 12, 10, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp() as server:
        yield server


@pytest.fixture
def world(session_factory: sessionmaker[Session], smtp: FakeSmtp) -> Scheduling:
    make_campaign(session_factory)
    return scheduling(session_factory, email=smtp_transport(smtp.port))


def _import(world: Scheduling, count: int) -> None:
    report = world.participants.import_csv(campaign_slug=CAMPAIGN, text=people_csv(count))
    assert report.ok and report.added == count


def _ledger(sessions: sessionmaker[Session]) -> list[tuple[int, int, str, int]]:
    with sessions() as session:
        rows = session.scalars(select(InvitationMessage).order_by(InvitationMessage.id))
        return [(r.invitation_id, r.number, r.state, r.attempts) for r in rows]


def test_a_wave_waits_for_its_local_start_then_sends_each_invitation_once(
    world: Scheduling, smtp: FakeSmtp
) -> None:
    _import(world, 5)
    with time_machine.travel(START - timedelta(hours=2), tick=False) as clock:
        at = local_time("2026-12-10 09:00", "Europe/Berlin", now=START)
        assert at == START
        world.invitations.schedule_wave(
            campaign_slug=CAMPAIGN, channel="email", at=at, time_zone="Europe/Berlin",
            rate_per_second=50,
        )  # fmt: skip
        assert world.run() == 0 and smtp.received == []
        assert {p.status for p in world.participants.statuses(campaign_slug=CAMPAIGN)} == {
            "scheduled"
        }
        clock.move_to(START + timedelta(seconds=1))
        assert world.run() == 1 + 5  # the wave's start, then one send per person
        assert world.run() == 0
    ids = smtp.message_ids()
    assert len(ids) == 5 and set(ids.values()) == {1}
    assert {a for r in smtp.received for a in r.to} == {f"p{n}@example.com" for n in range(5)}
    assert {p.status for p in world.participants.statuses(campaign_slug=CAMPAIGN)} == {"sent"}
    assert [state for _, _, state, _ in _ledger(world.sessions)] == ["sent"] * 5
    # The sends were spaced by the wave's rate, 50/s: one per 20 ms (the clock stood
    # still, so each send waited 20 ms longer than the one before).
    assert [round(wait, 3) for wait in world.sleeps.waits] == [0.02, 0.04, 0.06, 0.08]


def test_the_email_is_well_formed_escapes_names_and_its_link_opens_the_interview(
    world: Scheduling, smtp: FakeSmtp
) -> None:
    text = "email,name,language\nana@example.com,<b>Ana</b> & co,en\n"
    assert world.participants.import_csv(campaign_slug=CAMPAIGN, text=text).added == 1
    world.invitations.schedule_wave(
        campaign_slug=CAMPAIGN, channel="email", at=datetime.now(UTC), rate_per_second=10,
        expire_after=days(14),
    )  # fmt: skip
    world.run()
    (message,) = smtp.to("ana@example.com")
    assert message["From"] == "Northwind research <research@example.com>"
    assert "Northwind" in message["Subject"]
    # A long header is folded onto a second line: the value is the same.
    assert message["List-Unsubscribe"].strip().startswith("<https://research.example.com/o/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].startswith("<jl.") and message["Message-ID"].endswith(
        "@example.com>"
    )
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    content = html.get_content()
    assert "&lt;b&gt;Ana&lt;/b&gt; &amp; co" in content and "<b>Ana</b>" not in content
    plain = message.get_body(preferencelist=("plain",))
    assert plain is not None and "The link works until" in plain.get_content()
    opened = world.links().open(token_of(link_in(message)))
    assert opened.created
    statuses = world.participants.statuses(campaign_slug=CAMPAIGN)
    assert [s.status for s in statuses] == ["opened"]


def test_reminders_follow_and_stop_once_the_person_has_started(
    world: Scheduling, smtp: FakeSmtp
) -> None:
    _import(world, 2)
    with time_machine.travel(START, tick=False) as clock:
        world.invitations.schedule_wave(
            campaign_slug=CAMPAIGN, channel="email", at=START, rate_per_second=10,
            remind_after=days(3), max_reminders=2,
        )  # fmt: skip
        world.run()
        (first,) = smtp.to("p0@example.com")
        # p0 opens the link and agrees to take part: started.
        service = InterviewService(world.sessions)
        opened = world.links().open(token_of(link_in(first)))
        service.handle_message(interview_id=opened.turn.interview_id, text="yes")
        clock.shift(days(2))
        assert world.run() == 0  # not due yet
        clock.shift(days(1.01))
        world.run()
        clock.shift(days(3.01))
        world.run()
        clock.shift(days(3.01))
        assert world.run() == 0  # at most two reminders
    assert len(smtp.to("p0@example.com")) == 1
    reminded = smtp.to("p1@example.com")
    assert len(reminded) == 3
    assert "reminder" in reminded[1]["Subject"].lower()
    # The reminders carry the same personal link as the invitation.
    assert {link_in(m) for m in reminded} == {link_in(reminded[0])}
    ledger = _ledger(world.sessions)
    assert "skipped" in {state for _, number, state, _ in ledger if number == 1}
    by_person = {p.email: p for p in world.participants.statuses(campaign_slug=CAMPAIGN)}
    assert by_person["p0@example.com"].status == "started"
    assert by_person["p1@example.com"].reminders_sent == 2
    (funnel,) = world.participants.funnel(campaign_slug=CAMPAIGN)
    assert funnel.channel == "email" and funnel.statuses == {"started": 1, "sent": 1}
    assert funnel.steps == {
        "invited": 2, "delivered": 2, "opened": 1, "consented": 1, "completed": 0,
    }  # fmt: skip


def test_an_expired_link_starts_nothing_and_gets_no_reminder(
    world: Scheduling, smtp: FakeSmtp
) -> None:
    _import(world, 1)
    with time_machine.travel(START, tick=False) as clock:
        world.invitations.schedule_wave(
            campaign_slug=CAMPAIGN, channel="email", at=START, rate_per_second=10,
            remind_after=days(3), expire_after=days(2),
        )  # fmt: skip
        world.run()
        clock.shift(days(3.5))
        world.run()
        (message,) = smtp.to("p0@example.com")
        with pytest.raises(LinkExpired):
            world.links().open(token_of(link_in(message)))
        statuses = world.participants.statuses(campaign_slug=CAMPAIGN)
    assert [p.status for p in statuses] == ["expired"]
    reminder = _ledger_rows(world.sessions)[1]
    assert (reminder.number, reminder.state, reminder.detail) == (
        1,
        "skipped",
        "the link has expired",
    )


def _ledger_rows(sessions: sessionmaker[Session]) -> list[InvitationMessage]:
    with sessions() as session:
        return list(session.scalars(select(InvitationMessage).order_by(InvitationMessage.id)))


def test_revoking_a_wave_stops_what_was_not_sent_and_closes_unopened_links(
    world: Scheduling, smtp: FakeSmtp
) -> None:
    _import(world, 3)
    with time_machine.travel(START, tick=False) as clock:
        wave = world.invitations.schedule_wave(
            campaign_slug=CAMPAIGN, channel="email", at=START, rate_per_second=10,
            remind_after=days(1),
        )  # fmt: skip
        world.run()
        messages = [smtp.to(f"p{n}@example.com")[0] for n in range(3)]
        world.links().open(token_of(link_in(messages[0])))  # opened before the revocation
        assert world.invitations.revoke(campaign_slug=CAMPAIGN, wave_id=wave.id) == 3
        clock.shift(days(2))
        world.run()
        with pytest.raises(LinkRevoked):
            world.links().open(token_of(link_in(messages[1])))
        # An interview opened before the revocation goes on.
        assert not world.links().open(token_of(link_in(messages[0]))).created
    assert len(smtp.received) == 3  # no reminders
    scheduled_later = world.invitations.schedule_wave(
        campaign_slug=CAMPAIGN, channel="email", at=START + days(5), rate_per_second=10
    )
    world.invitations.revoke(campaign_slug=CAMPAIGN, wave_id=scheduled_later.id)
    with time_machine.travel(START + days(6), tick=False):
        world.run()
    assert len(smtp.received) == 3
    states = {w.id: w.state for w in world.invitations.waves(campaign_slug=CAMPAIGN)}
    assert states == {wave.id: "revoked", scheduled_later.id: "revoked"}


def test_suppressed_people_are_never_sent_anything(world: Scheduling, smtp: FakeSmtp) -> None:
    _import(world, 3)
    world.invitations.suppress(kind="email", value="P1@example.com")
    world.invitations.schedule_wave(
        campaign_slug=CAMPAIGN, channel="email", at=datetime.now(UTC), rate_per_second=10
    )
    world.run()
    assert sorted(a for r in smtp.received for a in r.to) == ["p0@example.com", "p2@example.com"]
    statuses = {p.email: p.status for p in world.participants.statuses(campaign_slug=CAMPAIGN)}
    assert statuses["p1@example.com"] == "suppressed"
    # A list naming them again leaves them out, and says so.
    again = world.participants.import_csv(
        campaign_slug=CAMPAIGN, text="email,name\np1@example.com,P1\n"
    )
    assert again.suppressed == [(2, "p1@example.com")] and again.added == again.updated == 0


def test_a_refused_recipient_fails_its_invitation_without_retrying(
    world: Scheduling, smtp: FakeSmtp
) -> None:
    _import(world, 2)
    smtp.refuse("p0@example.com")
    world.invitations.schedule_wave(
        campaign_slug=CAMPAIGN, channel="email", at=datetime.now(UTC), rate_per_second=10
    )
    world.run()
    statuses = {p.email: p.status for p in world.participants.statuses(campaign_slug=CAMPAIGN)}
    assert statuses == {"p0@example.com": "failed", "p1@example.com": "sent"}
    with world.sessions() as session:
        failed = session.scalar(select(Invitation).where(Invitation.status == "failed"))
        assert failed is not None and "550" in (failed.last_error or "")
        assert session.scalar(select(ScheduledJob).where(ScheduledJob.state != "done")) is None


def test_an_unreachable_server_is_retried_later_with_the_same_message_id(
    session_factory: sessionmaker[Session], smtp: FakeSmtp
) -> None:
    make_campaign(session_factory)
    world = scheduling(session_factory, email=smtp_transport(1))  # nothing listens on port 1
    _import(world, 1)
    with time_machine.travel(START, tick=False) as clock:
        world.invitations.schedule_wave(
            campaign_slug=CAMPAIGN, channel="email", at=START, rate_per_second=10
        )
        world.run()
        (row,) = _ledger_rows(session_factory)
        assert row.state == "retry" and "cannot reach" in (row.detail or "")
        later = scheduling(session_factory, email=smtp_transport(smtp.port))
        clock.shift(timedelta(minutes=1))
        later.run()
    (message,) = smtp.to("p0@example.com")
    (row,) = _ledger_rows(session_factory)
    assert (row.state, row.attempts, row.message_id) == ("sent", 2, message["Message-ID"])


def test_the_outbox_gets_one_file_per_message_even_when_a_send_is_driven_twice(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    make_campaign(session_factory)
    world = scheduling(session_factory, outbox=tmp_path / "outbox")
    _import(world, 3)
    world.invitations.schedule_wave(
        campaign_slug=CAMPAIGN, channel="email", at=datetime.now(UTC), rate_per_second=10
    )
    world.run()
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 3
    # A worker that died after writing and before recording leaves "sending": the
    # re-drive finds the file and writes nothing.
    outbox = OutboxTransport(tmp_path / "outbox")
    with files[0].open("rb") as handle:
        parsed = BytesParser(policy=policy.default).parse(handle)
    assert isinstance(parsed, EmailMessage)
    assert outbox.send(parsed, redrive=True).endswith("(written before)")
    assert sorted((tmp_path / "outbox").glob("*.eml")) == files


def test_a_link_wave_hands_out_links_that_open_interviews(world: Scheduling) -> None:
    _import(world, 2)
    world.invitations.schedule_wave(
        campaign_slug=CAMPAIGN, channel="link", at=datetime.now(UTC), rate_per_second=10,
        expire_after=days(7),
    )  # fmt: skip
    world.run()
    rows = world.invitations.export_links(campaign_slug=CAMPAIGN)
    assert [(r.email, r.status) for r in rows] == [
        ("p0@example.com", "sent"),
        ("p1@example.com", "sent"),
    ]
    assert rows[0].link.startswith("https://research.example.com/i/")
    assert world.links().open(token_of(rows[0].link)).created
    with pytest.raises(InvalidSchedule):
        world.invitations.schedule_wave(
            campaign_slug=CAMPAIGN, channel="link", at=datetime.now(UTC), remind_after=days(1)
        )


def test_people_imported_before_the_start_are_in_the_wave(
    world: Scheduling, smtp: FakeSmtp
) -> None:
    _import(world, 1)
    with time_machine.travel(START - days(1), tick=False) as clock:
        world.invitations.schedule_wave(
            campaign_slug=CAMPAIGN, channel="email", at=START, rate_per_second=10
        )
        world.participants.import_csv(campaign_slug=CAMPAIGN, text="email\nlate@example.com\n")
        clock.move_to(START)
        world.run()
    assert sorted(a for r in smtp.received for a in r.to) == ["late@example.com", "p0@example.com"]


class _LostReply:
    """An SMTP send whose outcome is unknown: the connection dropped after the data."""

    def send(self, message: EmailMessage, *, redrive: bool) -> str:
        raise ConnectionResetError("connection reset after the data was sent")

    def close(self) -> None:
        """Nothing to close."""


def test_a_message_of_unknown_fate_counts_as_sent_once_the_person_started(
    session_factory: sessionmaker[Session],
) -> None:
    make_campaign(session_factory)
    world = scheduling(session_factory, email=_LostReply())
    _import(world, 1)
    with time_machine.travel(START, tick=False) as clock:
        world.invitations.schedule_wave(
            campaign_slug=CAMPAIGN, channel="email", at=START, rate_per_second=10
        )
        world.run()
        (row,) = _ledger_rows(session_factory)
        assert row.state == "sending"  # unknown: the next try is a re-drive
        # It had reached her: she opens the link and agrees.
        (link,) = world.invitations.export_links(campaign_slug=CAMPAIGN)
        opened = world.links().open(token_of(link.link))
        InterviewService(session_factory).handle_message(
            interview_id=opened.turn.interview_id, text="yes"
        )
        clock.shift(timedelta(minutes=5))
        world.run()
    (row,) = _ledger_rows(session_factory)
    assert (row.state, row.detail) == ("sent", "went out before a crash: the person started")
    assert [p.status for p in world.participants.statuses(campaign_slug=CAMPAIGN)] == ["started"]


def test_a_wave_in_participant_time_reaches_each_person_at_their_nine(
    world: Scheduling, smtp: FakeSmtp
) -> None:
    text = (
        "email,time_zone\n"
        "berlin@example.com,Europe/Berlin\n"
        "newyork@example.com,America/New_York\n"
        "nozone@example.com,\n"
    )
    world.participants.import_csv(campaign_slug=CAMPAIGN, text=text)
    nine = local_time("2026-12-10 09:00", "Asia/Tokyo", now=START)
    with time_machine.travel(nine - days(1), tick=False) as clock:
        world.invitations.schedule_wave(
            campaign_slug=CAMPAIGN, channel="email", at=nine, time_zone="Asia/Tokyo",
            rate_per_second=10, participant_time=True,
        )  # fmt: skip
        arrivals: dict[str, datetime] = {}
        for hour in range(40):
            clock.move_to(nine - timedelta(hours=2) + timedelta(hours=hour / 2))
            world.run()
            for message in smtp.received:
                for address in message.to:
                    arrivals.setdefault(address, datetime.now(UTC))
    assert arrivals == {
        "nozone@example.com": datetime(2026, 12, 10, 0, 0, tzinfo=UTC),  # 09:00 in Tokyo
        "berlin@example.com": datetime(2026, 12, 10, 8, 0, tzinfo=UTC),
        "newyork@example.com": datetime(2026, 12, 10, 14, 0, tzinfo=UTC),
    }
