"""Closing the loop (issue 18, item 6) on SQLite and PostgreSQL: a done action of an
approved map drafts a "here is what we changed" message, the team edits it, and the
durable scheduler sends it through the campaign's channels (the .eml outbox, a Slack DM)
exactly once per person who agreed to hear back; people who did not, and suppressed
people, get nothing. Mentions are emailed once too."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.service.console.permissions import Role, allowed
from bot.service.privacy import PersonalData
from bot.service.review.errors import EditRefused
from bot.service.review.layer import Editor
from bot.service.review.service import ReviewService
from bot.service.review.workspace import Workspace, make_workspace
from campaigns.email_message import Sender
from campaigns.handlers import handlers
from campaigns.loop_sends import LoopSends
from campaigns.mention_emails import MentionEmails
from campaigns.outbox import OutboxTransport, file_name
from campaigns.scheduler import Worker
from campaigns.sends import Sends
from campaigns.slack_invitations import SlackInvitations
from campaigns.waves import WaveStarts
from fakes.slack import FakeSlack
from storage import invitations
from storage import map_actions as loop_store
from storage.engines import write_session
from storage.models import Interview, Participant
from storage.people import Who
from storage.scheduler_models import ScheduledJob
from storage.workspace_models import LoopSend
from tests.console_support import ConsoleApp, console_app
from tests.review_data import seeded
from tests.scheduler_support import TOKENS

SENDER = Sender("research@example.com", "Northwind research")


@dataclass
class Loop:
    app: ConsoleApp
    sessions: sessionmaker[Session]
    workspace: Workspace
    run_id: int
    pain: str
    outbox: Path
    fake: FakeSlack
    worker: Worker
    admin: Editor

    def eml(self) -> list[Path]:
        return sorted(self.outbox.glob("*.eml"))


def _may_all(action: object) -> bool:
    return allowed(Role.ADMIN, action)  # type: ignore[arg-type]


@pytest.fixture
def loop(db_url: str, tmp_path: Path) -> Iterator[Loop]:
    with console_app(db_url) as app, FakeSlack() as fake:
        sessions = app.runtime.sessions
        run = seeded(sessions)
        review = ReviewService(sessions)
        workspace = make_workspace(sessions, review=review, email_mentions=True)
        outbox = tmp_path / "outbox"
        email = OutboxTransport(outbox)
        slack = SlackInvitations(WebClient(token="xoxb-test", base_url=fake.url))
        worker = Worker(
            sessions,
            handlers(
                sends=Sends(sessions, tokens=TOKENS, sender=SENDER, email=email, slack=slack),
                waves=WaveStarts(sessions, tokens=TOKENS),
                loops=LoopSends(sessions, sender=SENDER, email=email, tokens=TOKENS, slack=slack),
                mentions=MentionEmails(
                    sessions, sender=SENDER, email=email, link_base="https://jl.example.com"
                ),
            ),
            name="test-worker",
        )
        admin_id = app.user("ada@example.com", "admin")
        pain = review.journey_map(run.id, personal=True).pain_points[0].id
        yield Loop(
            app, sessions, workspace, run.id, pain, outbox, fake, worker,
            Editor(admin_id, "ada@example.com"),
        )  # fmt: skip


def _pains(loop: Loop) -> list[str]:
    return [
        p.id
        for p in ReviewService(loop.sessions).journey_map(loop.run_id, personal=True).pain_points
    ]


def _people_behind(loop: Loop) -> list[str]:
    """The interviews behind every pain point of the map (the action addresses all)."""
    points = ReviewService(loop.sessions).journey_map(loop.run_id, personal=True).pain_points
    return sorted({ref.interview_id for p in points for ref in p.steps})


def _done_action(loop: Loop) -> int:
    action = loop.workspace.actions.create(
        loop.run_id, editor=loop.admin, source_kind="pain", source_id=loop.pain,
        title="We now call you back instead of playing hold music", owner_id=loop.admin.user_id,
        due_on="", pains=_pains(loop), request_key="act-1",
    )  # fmt: skip
    loop.workspace.actions.change(
        loop.run_id, action.id, expected=action.version, title=action.title,
        owner_id=loop.admin.user_id, status="done", due_on="", pains=list(action.pains),
    )  # fmt: skip
    return action.id


def _approve(loop: Loop) -> None:
    approvals = loop.workspace.approvals
    for frm, to in (("draft", "in_review"), ("in_review", "approved")):
        approvals.move(loop.run_id, editor=loop.admin, expected=frm, to=to, reason="", may=_may_all)


def test_the_message_reaches_each_person_who_asked_exactly_once(loop: Loop) -> None:
    behind = _people_behind(loop)
    assert len(behind) >= 4
    told, quiet, suppressed, on_slack = behind[0], behind[1], behind[2], behind[3]
    with write_session(loop.sessions) as session:
        session.execute(
            update(Interview).where(Interview.public_id.in_(behind)).values(hear_back=True)
        )
        session.execute(
            update(Interview).where(Interview.public_id == quiet).values(hear_back=False)
        )
        people = {
            i.public_id: p
            for i, p in session.execute(
                select(Interview, Participant).join(
                    Participant, Participant.id == Interview.participant_id
                )
            )
        }
        invitations.suppress(
            session, kind="email", value=(people[suppressed].email or "").lower(),
            reason="opted out", now=people[suppressed].created_at,
        )  # fmt: skip
        slack_person = people[on_slack]
        slack_person.slack_user_id = "U777"
        session.execute(
            update(Interview).where(Interview.public_id == on_slack).values(channel="slack")
        )
        told_email = people[told].email
    loop.fake.add_user("U777", email="slack@example.org", name="Sid")
    action_id = _done_action(loop)
    loop_ = loop.workspace.loop
    loop_.draft(loop.run_id, action_id, editor=loop.admin)
    with pytest.raises(EditRefused, match="the latest version of the map is approved"):
        loop_.send(loop.run_id, action_id, editor=loop.admin)
    _approve(loop)
    loop_.save(
        loop.run_id, action_id, editor=loop.admin,
        subject="We changed <the hold music>", body="Hello,\n\nNo more hold music: we call back.",
    )  # fmt: skip
    page = loop_.page(loop.run_id, action_id)
    assert page.ready and len(page.recipients) == len(behind) - 1  # not the quiet one
    assert loop_.send(loop.run_id, action_id, editor=loop.admin) == len(behind) - 1
    assert loop_.send(loop.run_id, action_id, editor=loop.admin) == len(behind) - 1  # again
    loop.worker.run_until_idle()

    files = loop.eml()
    emailed = len(behind) - 3  # not the quiet, the suppressed or the Slack one
    assert len(files) == emailed
    messages = [message_from_bytes(f.read_bytes(), policy=default) for f in files]
    assert all(m["Subject"] == "We changed <the hold music>" for m in messages)
    assert told_email in {m["To"].addresses[0].addr_spec for m in messages}
    body = messages[0].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "No more hold music" in body
    assert "tell you what changes after your interview" in body
    posted = loop.fake.posted()
    assert len(posted) == 1 and "No more hold music" in posted[0]["text"]
    with loop.sessions() as session:
        states = {s.participant_id: s.state for s in session.scalars(select(LoopSend))}
        by_id = {p.id: p for p in session.scalars(select(Participant))}
    skipped = [pid for pid, state in states.items() if state == "skipped"]
    assert len(skipped) == 1 and by_id[skipped[0]].email == people[suppressed].email
    assert sorted(set(states.values())) == ["sent", "skipped"]

    # Nothing more however often it runs, nor after a crash mid-send (a re-drive).
    loop_.send(loop.run_id, action_id, editor=loop.admin)
    loop.worker.run_until_idle()
    with write_session(loop.sessions) as session:
        some = session.scalars(
            select(LoopSend).where(LoopSend.channel == "email", LoopSend.state == "sent")
        ).first()
        assert some is not None
        some.state = "sending"
        some_id = some.id
    LoopSends(loop.sessions, sender=SENDER, email=OutboxTransport(loop.outbox), tokens=TOKENS).send(
        send_id=some_id, last_attempt=False
    )
    assert len(loop.eml()) == emailed and len(loop.fake.posted()) == 1
    with loop.sessions() as session:
        again = loop_store.get_send(session, some_id)
        assert again is not None and again.state == "sent" and "written before" in again.detail
    with pytest.raises(EditRefused, match="sent already"):
        loop_.save(loop.run_id, action_id, editor=loop.admin, subject="x", body="y")


def test_nothing_is_sent_for_an_action_that_is_not_done(loop: Loop) -> None:
    _approve(loop)
    action = loop.workspace.actions.create(
        loop.run_id, editor=loop.admin, source_kind="pain", source_id=loop.pain,
        title="Maybe", owner_id=loop.admin.user_id, due_on="2027-02-01", pains=[],
        request_key="act-2",
    )  # fmt: skip
    loop.workspace.loop.draft(loop.run_id, action.id, editor=loop.admin)
    with pytest.raises(EditRefused, match="the action is marked done") as refused:
        loop.workspace.loop.send(loop.run_id, action.id, editor=loop.admin)
    # Nobody in the seeded map asked to hear back: that is said too.
    assert "nobody has yet" in str(refused.value)
    loop.worker.run_until_idle()
    assert loop.eml() == []


def test_a_mention_is_emailed_once(loop: Loop) -> None:
    rae = loop.app.user("rae@example.com", "reviewer")
    assert rae
    discussion = loop.workspace.discussion
    thread = discussion.start(
        loop.run_id, editor=loop.admin, cell_kind="pain", cell_id=loop.pain, lane="",
        body="@rae@example.com is this <the> same as last wave?", request_key="m-1",
    )  # fmt: skip
    discussion.reply(thread.id, editor=loop.admin, body="@rae again", request_key="m-2")
    discussion.reply(thread.id, editor=loop.admin, body="@rae again", request_key="m-2")
    loop.worker.run_until_idle()
    loop.worker.run_until_idle()
    files = loop.eml()
    assert len(files) == 2  # two comments mention her; the resubmitted one is not new
    text = files[0].read_text()
    assert "rae@example.com" in text and f"#thread-{thread.id}" in text


def test_erasing_a_person_removes_their_close_the_loop_copy_and_its_email(loop: Loop) -> None:
    behind = _people_behind(loop)
    with write_session(loop.sessions) as session:
        session.execute(
            update(Interview).where(Interview.public_id.in_(behind)).values(hear_back=True)
        )
        erased, kept = (
            session.scalars(
                select(Participant)
                .join(Interview, Interview.participant_id == Participant.id)
                .where(Interview.public_id == public_id)
            ).one()
            for public_id in behind[:2]
        )
        erased_email, kept_email = erased.email or "", kept.email or ""
    action_id = _done_action(loop)
    _approve(loop)
    loop.workspace.loop.draft(loop.run_id, action_id, editor=loop.admin)
    loop.workspace.loop.send(loop.run_id, action_id, editor=loop.admin)
    loop.worker.run_until_idle()

    def holding(address: str) -> list[Path]:
        return [f for f in loop.eml() if address in f.read_text(encoding="utf-8")]

    assert holding(erased_email) and holding(kept_email)
    privacy = PersonalData(loop.sessions, outbox_file=lambda mid: loop.outbox / file_name(mid))
    report = privacy.erase(Who(email=erased_email), actor="cli")
    assert report.counts["loop_sends"] == 1
    assert holding(erased_email) == [] and holding(kept_email)  # their email file is gone
    with loop.sessions() as session:
        left = {s.participant_id for s in session.scalars(select(LoopSend))}
        keys = set(session.scalars(select(ScheduledJob.idempotency_key)))
    assert kept.id in left and erased.id not in left
    assert not any(
        key.startswith("loop:") and key not in {f"loop:{i}" for i in left} for key in keys
    )
