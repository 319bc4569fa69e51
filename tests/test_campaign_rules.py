"""Campaign settings, quotas and stop rules, on SQLite and PostgreSQL: the form read and
checked field by field, creating, editing, closing and reopening, a full quota cell
holding its invitations back while others go out, a closed campaign sending nothing and
turning links away, and the scheduler closing campaigns at their end date, target and
saturation, with the researchers told by email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.guide import load_guide_text
from bot.service.campaign_admin import CampaignAdmin
from bot.service.campaign_settings import (
    InvalidSettings,
    SettingsForm,
    preview_guide,
    read_settings,
)
from bot.service.campaign_states import CLOSED_NOTICE, STOP_CHECK, ReopenRefused
from bot.service.campaigns import create_campaign
from bot.service.errors import QuotaFull, StudyClosed
from bot.service.interview_preview import said_choice, said_text, try_interview
from bot.service.invitations import InvalidSchedule
from bot.service.participant_intake import InvitationRequest, ParticipantIntake
from campaigns.closed_notices import ClosedNotices
from campaigns.handlers import handlers
from campaigns.outbox import OutboxTransport
from campaigns.scheduler import Worker
from campaigns.sends import Sends
from campaigns.stop_rules import SaturationReading, StopRules
from campaigns.waves import WaveStarts
from journeyline.stop_rules_wiring import saturation_probe
from storage import accounts, queries
from storage.models import Campaign
from storage.scheduler_models import Invitation, ScheduledJob
from synthesis.pipeline import synthesize
from tests.review_data import SLUG as SEEDED
from tests.review_data import add_interviews
from tests.scheduler_support import SENDER, TOKENS, Sleeps, people_csv, scheduling
from tests.synthesis_data import add_journey

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _form(**values: object) -> SettingsForm:
    return SettingsForm(**{"name": "Support study", "company": "Northwind", **values})  # type: ignore[arg-type]


# --- the form -----------------------------------------------------------------------


def test_every_problem_is_named_by_its_field() -> None:
    form = SettingsForm(
        name="  ",
        guide="extends: support_journey\nstep_cap: 99\n",
        languages="en, not a tag!",
        time_zone="Mars/Olympus",
        starts_at="2026-13-40 09:00",
        target_completes="lots",
        quotas="plan basic 20",
        saturation_n="1",
    )
    with pytest.raises(InvalidSettings) as raised:
        read_settings(form, now=T0)
    problems = raised.value.problems
    assert set(problems) == {
        "name",
        "guide",
        "languages",
        "time_zone",
        "starts_at",
        "target_completes",
        "quotas",
        "saturation_n",
    }
    assert "step_cap" in problems["guide"] and "less than or equal to 20" in problems["guide"]
    assert "Mars/Olympus" in problems["time_zone"]
    assert "plan=basic: 20" in problems["quotas"]


def test_dates_are_read_in_their_time_zone_and_quotas_by_cell() -> None:
    settings = read_settings(
        _form(
            guide="extends: support_journey\ntexts:\n  problem: What went wrong with {company}?\n",
            time_zone="Europe/Berlin",
            starts_at="2026-12-10T09:00",
            ends_at="2026-12-24 18:00",
            target_completes="30",
            quotas="plan=basic: 20\nplan = pro : 10\nregion=EU: 5",
            saturation_n="8",
            languages="en, pt-BR",
        ),
        now=T0,
    )
    assert settings.starts_at == datetime(2026, 12, 10, 8, 0, tzinfo=UTC)
    assert settings.ends_at == datetime(2026, 12, 24, 17, 0, tzinfo=UTC)
    assert settings.quotas == {"plan": {"basic": 20, "pro": 10}, "region": {"EU": 5}}
    assert settings.guide.company == "Northwind"
    assert settings.guide.say("problem") == "What went wrong with Northwind?"
    assert settings.languages == ("en", "pt-BR")
    with pytest.raises(InvalidSettings) as raised:
        read_settings(_form(starts_at="2026-12-10 09:00", ends_at="2026-12-09 09:00"), now=T0)
    assert set(raised.value.problems) == {"ends_at"}


@pytest.mark.parametrize(
    "extends", ["../../etc/passwd.yaml", "/etc/hosts", "guides/acme.yml", "{a: 1}"]
)
def test_a_guide_typed_in_the_console_never_reads_a_file(extends: str) -> None:
    with pytest.raises(InvalidSettings) as raised:
        read_settings(_form(guide=f"extends: {extends}\n"), now=T0)
    assert "built-in guide" in raised.value.problems["guide"]


def test_trying_the_interview_runs_the_real_engine_and_stores_nothing() -> None:
    guide = preview_guide(
        _form(
            guide="extends: support_journey\ntexts:\n  problem: What broke, <b>really</b>?\n",
            consent_text="Happy to chat with Northwind?",
        )
    )
    start = try_interview(guide, [])
    assert start.lines[-1].text == "Happy to chat with Northwind?"
    assert [c.value for c in start.choices] == ["yes", "yes-hear-back", "no"]
    later = try_interview(
        guide, [said_choice("yes"), said_text("my router died"), said_choice("stale")]
    )
    texts = [(line.speaker, line.text) for line in later.lines]
    assert ("you", "Yes, that's fine") in texts
    assert ("bot", "What broke, <b>really</b>?") in texts
    assert ("you", "my router died") in texts
    # The tap on a button that is not on the question asked is ignored, as in the chat.
    assert later.said == (said_choice("yes"), said_text("my router died"))
    declined = try_interview(guide, [said_choice("no"), said_text("still here")])
    assert declined.finished and declined.said == (said_choice("no"),)


# --- creating, editing, closing, reopening --------------------------------------------


def test_create_edit_close_and_reopen(session_factory: sessionmaker[Session]) -> None:
    clock = Clock()
    admin = CampaignAdmin(session_factory, clock=clock)
    admin.create("q1", _form(ends_at="2026-12-20 12:00", target_completes="2", open_link=True))
    with pytest.raises(InvalidSettings) as raised:
        admin.create("q1", _form())
    assert "already exists" in raised.value.problems["slug"]
    with pytest.raises(InvalidSettings) as raised:
        admin.create("New", _form(name=""))
    assert set(raised.value.problems) == {"slug", "name"}
    detail = admin.detail("q1")
    assert detail.availability.value == "open" and detail.open_link
    assert detail.form.ends_at == "2026-12-20T12:00" and detail.form.company == "Northwind"
    # Saving the form as it shows is allowed and changes nothing else; a save retried at
    # the same moment queues its stop check once.
    admin.update("q1", detail.form)
    admin.update("q1", detail.form)
    clock.now += timedelta(minutes=1)
    admin.update("q1", SettingsForm(**{**vars(detail.form), "quotas": "plan=pro: 1"}))
    assert admin.detail("q1").form.quotas == "plan=pro: 1"
    with session_factory() as session:
        checks = session.scalars(select(ScheduledJob).where(ScheduledJob.kind == STOP_CHECK))
        assert len(list(checks)) == 2  # the creation's chain, and the last save's

    assert admin.close("q1") and not admin.close("q1")
    closed = admin.detail("q1")
    assert closed.availability.value == "closed" and closed.closed_reason == "manual"
    assert admin.reopen("q1") and not admin.reopen("q1")
    assert admin.detail("q1").availability.value == "open"

    # Past its end date it is closed at once, and may not reopen until the date moves.
    clock.now = datetime(2026, 12, 21, tzinfo=UTC)
    assert admin.detail("q1").availability.value == "closed"
    admin.close("q1")
    with pytest.raises(ReopenRefused, match="end date has passed"):
        admin.reopen("q1")
    admin.update("q1", SettingsForm(**{**vars(admin.detail("q1").form), "ends_at": ""}))
    assert admin.reopen("q1")


def test_the_guide_is_fixed_once_interviews_have_started(
    session_factory: sessionmaker[Session],
) -> None:
    admin = CampaignAdmin(session_factory, clock=Clock())
    admin.create("q2", _form())
    form = admin.detail("q2").form
    changed = SettingsForm(**{**vars(form), "guide": form.guide + "step_cap: 4\n"})
    admin.update("q2", changed)  # no interview yet: taken
    with session_factory.begin() as session:
        campaign = queries.get_campaign_by_slug(session, "q2")
        assert campaign is not None and "step_cap: 4" in campaign.guide_source
        add_journey(session, campaign=campaign, steps=[], participant="someone")
    form = admin.detail("q2").form
    with pytest.raises(InvalidSettings) as raised:
        admin.update(
            "q2", SettingsForm(**{**vars(form), "company": "Other", "consent_text": "OK?"})
        )
    assert set(raised.value.problems) == {"company", "consent_text"}
    admin.update("q2", SettingsForm(**{**vars(form), "name": "Renamed", "target_completes": "9"}))
    assert admin.detail("q2").name == "Renamed" and not admin.detail("q2").guide_editable


# --- quotas and closing, as the scheduler and the links see them -----------------------


def _quota_world(sessions: sessionmaker[Session], outbox: Path, quotas: str) -> CampaignAdmin:
    admin = CampaignAdmin(sessions, clock=Clock(datetime.now(UTC)))
    admin.create("q4", _form(quotas=quotas))
    return admin


def test_a_full_quota_cell_holds_its_invitations_and_turns_its_people_away(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    admin = _quota_world(session_factory, tmp_path, "plan=pro: 1\nplan=free: 5")
    world = scheduling(session_factory, outbox=tmp_path)
    report = world.participants.import_csv(campaign_slug="q4", text=people_csv(4))
    assert report.ok  # p0, p2 on plan free; p1, p3 on pro
    with session_factory.begin() as session:
        campaign = queries.get_campaign_by_slug(session, "q4")
        assert campaign is not None
        add_journey(
            session, campaign=campaign, steps=[], participant="earlier", attributes={"plan": "pro"}
        )
    cells = {q.label: (q.completed, q.full) for q in admin.detail("q4").quotas}
    assert cells == {"plan=pro": (1, True), "plan=free": (0, False)}
    world.invitations.schedule_wave(
        campaign_slug="q4", channel="email", at=datetime.now(UTC), rate_per_second=100
    )
    world.run()
    sent = sorted(p.name for p in tmp_path.glob("*.eml"))
    assert len(sent) == 2
    with session_factory() as session:
        outcome = {
            i.participant.email: (i.status, i.last_error)
            for i in session.scalars(select(Invitation))
        }
    assert outcome["p0@example.com"] == ("sent", None)
    assert outcome["p2@example.com"] == ("sent", None)
    held = "held: the quota plan=pro is full (1 of 1)"
    assert outcome["p1@example.com"] == ("skipped", held)
    assert outcome["p3@example.com"] == ("skipped", held)
    # A personal link of a full cell turns its first visit away; others open.
    links = world.links()
    pro_token = links.create_invite(
        campaign_slug="q4", participant_external_id="pro-1", attributes={"plan": "pro"}
    )
    with pytest.raises(QuotaFull) as full:
        links.open(pro_token)
    assert full.value.label == "plan=pro"
    free_token = links.create_invite(
        campaign_slug="q4", participant_external_id="free-1", attributes={"plan": "free"}
    )
    assert links.open(free_token).created


def test_a_closed_campaign_sends_nothing_and_its_links_say_so(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    admin = _quota_world(session_factory, tmp_path, "")
    world = scheduling(session_factory, outbox=tmp_path)
    assert world.participants.import_csv(campaign_slug="q4", text=people_csv(3)).ok
    links = world.links()
    opened_before = links.create_invite(campaign_slug="q4", participant_external_id="x")
    started = links.open(opened_before)
    world.invitations.schedule_wave(
        campaign_slug="q4", channel="email", at=datetime.now(UTC), rate_per_second=100
    )
    admin.close("q4")
    world.run()
    assert list(tmp_path.glob("*.eml")) == []
    with session_factory() as session:
        errors = {i.last_error for i in session.scalars(select(Invitation))}
    assert errors == {"the study has closed"}
    with pytest.raises(StudyClosed):
        links.open(links.create_invite(campaign_slug="q4"))
    # An interview opened before the close goes on.
    assert links.open(opened_before).turn.interview_id == started.turn.interview_id


def test_a_closed_campaign_refuses_new_waves_and_api_invitations(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    admin = _quota_world(session_factory, tmp_path, "")
    world = scheduling(session_factory, outbox=tmp_path)
    admin.close("q4")
    with pytest.raises(InvalidSchedule, match="closed"):
        world.invitations.schedule_wave(
            campaign_slug="q4", channel="email", at=datetime.now(UTC), rate_per_second=10
        )
    intake = ParticipantIntake(session_factory, tokens=lambda: TOKENS)
    with pytest.raises(InvalidSchedule, match="closed"):
        intake.add(
            campaign_slug="q4",
            items=[{"email": "late@example.com"}],
            invitation=InvitationRequest(channel="email"),
        )
    # Adding people without inviting them still works (the campaign may be reopened).
    report = intake.add(campaign_slug="q4", items=[{"email": "late@example.com"}])
    assert report.count("added") == 1


# --- stop rules on the scheduler ------------------------------------------------------


def _stop_worker(
    sessions: sessionmaker[Session], clock: Clock, outbox: Path, *, probe: object = None
) -> Worker:
    email = OutboxTransport(outbox)
    sends = Sends(sessions, tokens=TOKENS, sender=SENDER, email=email, sleep=Sleeps())
    return Worker(
        sessions,
        handlers(
            sends=sends,
            waves=WaveStarts(sessions, tokens=TOKENS),
            stop_rules=StopRules(
                sessions,
                saturation=probe if probe is not None else saturation_probe(sessions),  # type: ignore[arg-type]
                every=timedelta(minutes=10),
                clock=clock,
            ),
            notices=ClosedNotices(
                sessions,
                email=email,
                sender=SENDER,
                console_url="https://research.example.com",
                clock=clock,
            ),
        ),
        name="stop-worker",
        clock=clock,
    )


def _researchers(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        for email, role in (
            ("ana@example.com", "researcher"),
            ("root@example.com", "admin"),
            ("rev@example.com", "reviewer"),
        ):
            accounts.add_user(
                session, email=email, role=role, display_name=None, password_hash=None, now=T0
            )


def _campaign_row(sessions: sessionmaker[Session], slug: str) -> Campaign:
    with sessions() as session:
        campaign = queries.get_campaign_by_slug(session, slug)
        assert campaign is not None
        session.expunge(campaign)
        return campaign


def test_the_end_date_closes_the_campaign_and_the_researchers_are_emailed(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _researchers(session_factory)
    clock = Clock()
    admin = CampaignAdmin(session_factory, clock=clock)
    admin.create("q5", _form(ends_at="2026-12-01 12:00", time_zone="Europe/Berlin"))
    worker = _stop_worker(session_factory, clock, tmp_path)
    assert worker.run_until_idle() == 1  # the first check: nothing to do yet
    clock.now += timedelta(minutes=10)
    assert worker.run_until_idle() == 1  # the next, ten minutes on
    assert _campaign_row(session_factory, "q5").status == "open"
    clock.now = datetime(2026, 12, 1, 11, 0, 1, tzinfo=UTC)  # 12:00:01 in Berlin
    # The check due at the end date itself, then the email job it queued.
    assert worker.run_until_idle() == 2
    campaign = _campaign_row(session_factory, "q5")
    assert (campaign.status, campaign.closed_reason) == ("closed", "end_date")
    mails = [
        BytesParser(policy=policy.default).parsebytes(p.read_bytes())
        for p in sorted(tmp_path.glob("*.eml"))
    ]
    assert sorted(str(m["To"]) for m in mails) == ["ana@example.com", "root@example.com"]
    assert {str(m["Subject"]) for m in mails} == {"Campaign closed: Support study"}
    body = mails[0].get_body(preferencelist=("plain",))
    assert (
        body is not None and "https://research.example.com/app/campaigns/q5" in body.get_content()
    )
    # Nothing more is queued for a closed campaign.
    clock.now += timedelta(hours=1)
    assert worker.run_until_idle() == 0
    with session_factory() as session:
        notices = session.scalars(select(ScheduledJob).where(ScheduledJob.kind == CLOSED_NOTICE))
        assert len(list(notices)) == 1


def test_the_target_closes_the_campaign(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = Clock()
    admin = CampaignAdmin(session_factory, clock=clock)
    admin.create("q6", _form(target_completes="2"))
    worker = _stop_worker(session_factory, clock, tmp_path)
    with session_factory.begin() as session:
        campaign = queries.get_campaign_by_slug(session, "q6")
        assert campaign is not None
        add_journey(session, campaign=campaign, steps=[], participant="a")
        add_journey(session, campaign=campaign, steps=[], participant="b", status="active")
    worker.run_until_idle()
    assert _campaign_row(session_factory, "q6").status == "open"
    with session_factory.begin() as session:
        campaign = queries.get_campaign_by_slug(session, "q6")
        assert campaign is not None
        add_journey(session, campaign=campaign, steps=[], participant="c")
    clock.now += timedelta(minutes=10)
    worker.run_until_idle()
    campaign = _campaign_row(session_factory, "q6")
    assert (campaign.status, campaign.closed_reason) == ("closed", "target")
    assert campaign.closed_note == "It reached its target of 2 completed interviews."
    with pytest.raises(ReopenRefused, match="raise the target"):
        admin.reopen("q6")


def test_saturation_reads_synthesis_and_closes_when_nothing_new_came(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = Clock()
    admin = CampaignAdmin(session_factory, clock=clock)
    admin.create(SEEDED, _form())
    with session_factory.begin() as session:
        campaign = queries.get_campaign_by_slug(session, SEEDED)
        assert campaign is not None
        add_interviews(session, campaign=campaign, count=9)
    probe = saturation_probe(session_factory)
    reading = probe(SEEDED)
    with session_factory() as session:
        expected = synthesize(session, campaign_slug=SEEDED).saturation
    assert expected is not None and reading == SaturationReading(
        expected.interviews, expected.interviews_since_last_new
    )
    assert reading.interviews == 9 and reading.since_last_new >= 3
    # One more than the interviews without news: stays open.
    form = admin.detail(SEEDED).form
    admin.update(
        SEEDED, SettingsForm(**{**vars(form), "saturation_n": str(reading.since_last_new + 1)})
    )
    worker = _stop_worker(session_factory, clock, tmp_path, probe=probe)
    worker.run_until_idle()
    assert _campaign_row(session_factory, SEEDED).status == "open"
    # Exactly as many: closes, and reopening turns the rule off.
    clock.now += timedelta(minutes=1)
    admin.update(
        SEEDED, SettingsForm(**{**vars(form), "saturation_n": str(reading.since_last_new)})
    )
    worker.run_until_idle()
    campaign = _campaign_row(session_factory, SEEDED)
    assert (campaign.status, campaign.closed_reason) == ("closed", "saturation")
    assert f"last {reading.since_last_new} finished interviews" in (campaign.closed_note or "")
    assert admin.reopen(SEEDED) and admin.detail(SEEDED).saturation_n is None


def test_an_edit_starts_a_new_chain_and_the_old_one_ends(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = Clock()
    admin = CampaignAdmin(session_factory, clock=clock)
    admin.create("q7", _form(target_completes="5"))
    worker = _stop_worker(session_factory, clock, tmp_path, probe=lambda slug: None)
    for _ in range(3):
        clock.now += timedelta(minutes=1)
        admin.update("q7", admin.detail("q7").form)
    clock.now += timedelta(minutes=1)
    worker.run_until_idle()
    with session_factory() as session:
        queued = session.scalars(
            select(ScheduledJob).where(
                ScheduledJob.kind == STOP_CHECK, ScheduledJob.state == "queued"
            )
        )
        assert len(list(queued)) == 1  # four chains were started; only the newest goes on


def test_a_campaign_made_from_a_guide_file_saves_back_unchanged(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    guide_file = tmp_path / "acme.yaml"
    guide_file.write_text(
        "extends: support_journey\nid: acme\nversion: '2'\ncompany: Acme\n"
        "map:\n  stages:\n    after: null\n",
        encoding="utf-8",
    )
    with session_factory.begin() as session:
        create_campaign(session, slug="filed", name="From a file", guide=guide_file)
    admin = CampaignAdmin(session_factory, clock=Clock())
    with session_factory() as session:
        before = queries.get_campaign_by_slug(session, "filed")
        assert before is not None
        source = before.guide_source
    form = admin.detail("filed").form
    assert form.guide == source and form.company == "" and form.consent_text == ""
    # A browser posts the textarea back with CRLF line ends.
    admin.update("filed", SettingsForm(**{**vars(form), "guide": form.guide.replace("\n", "\r\n")}))
    with session_factory() as session:
        after = queries.get_campaign_by_slug(session, "filed")
        assert after is not None
        stored = load_guide_text(after.guide_source)
    assert stored.id == "acme" and stored.company == "Acme"
    assert stored.map is not None and "after" not in {s.id for s in stored.map.stages}
