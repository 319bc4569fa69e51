"""Closing the loop: when an action of an approved map is done, a short "here is what
we changed" message to the customers who, with their consent, asked to hear back.

The team drafts the message from the action (one per action), edits it, and sends it:
sending records one send per person (a unique row: exactly once per person however
often the button is pressed) and queues a scheduler job per send, which delivers it
through the campaign's channels (Slack DM for people interviewed in Slack, else email;
``campaigns.loop_sends``). The people are those behind the action: the interviews of
the pain points it addresses (and of its opportunity) on the series' latest run, whose
customers agreed to hear back. Suppressed people and people with no address are skipped
when their job runs (and say so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot.service.campaign_guides import guide_for
from bot.service.review.actions import Actions, ActionView
from bot.service.review.approval import Approvals
from bot.service.review.errors import EditRefused
from bot.service.review.job_kinds import LOOP_SEND
from bot.service.review.layer import Editor
from bot.service.review.series_ref import series_ref
from bot.service.review.service import ReviewService
from storage import jobs, queries
from storage import map_actions as store
from storage.engines import write_session
from storage.models import Interview, Participant
from storage.types import utcnow
from storage.workspace_models import LoopMessage

MAX_SUBJECT = 200
MAX_BODY = 3000


@dataclass(frozen=True)
class Recipient:
    participant_id: int
    name: str
    channel: str | None


@dataclass(frozen=True)
class SendView:
    participant_id: int
    channel: str
    state: str
    detail: str
    updated_at: datetime


@dataclass(frozen=True)
class MessageView:
    subject: str
    body: str
    edited_by: str
    updated_at: datetime
    queued_at: datetime | None
    queued_by: str | None


@dataclass(frozen=True)
class LoopPage:
    action: ActionView
    approved: bool
    message: MessageView | None
    recipients: list[Recipient]
    sends: list[SendView]

    @property
    def ready(self) -> bool:
        """Whether the message may be sent now (what is still missing is ``missing``)."""
        return not self.missing

    @property
    def missing(self) -> list[str]:
        why = []
        if self.action.status != "done":
            why.append("the action is marked done")
        if not self.approved:
            why.append("the latest version of the map is approved")
        if self.message is None:
            why.append("a message is drafted")
        if not self.recipients:
            why.append("someone behind the action asked to hear back (nobody has yet)")
        return why


def channel_of(interview: Interview, person: Participant) -> str | None:
    """Where to reach a person: Slack if they were interviewed there, else email."""
    slack = person.slack_user_id or person.slack_email
    if interview.channel == "slack" and slack:
        return "slack"
    if person.email:
        return "email"
    return "slack" if slack else None


def default_message(action: ActionView, company: str) -> tuple[str, str]:
    subject = f"What we changed after your feedback: {action.title}"[:MAX_SUBJECT]
    body = (
        "Hello,\n\n"
        f"You told us about your last experience with {company} support, and asked to hear "
        "what we change. Here is one thing:\n\n"
        f"{action.title}.\n\n"
        "Thank you for taking the time to tell us.\n"
    )
    return subject, body


class ClosingTheLoop:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        review: ReviewService,
        actions: Actions,
        approvals: Approvals,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._review = review
        self._actions = actions
        self._approvals = approvals
        self._clock = clock

    def page(self, run_id: int, action_id: int) -> LoopPage:
        action = self._actions.get(run_id, action_id)
        latest = self._review.library.series_of(self._review.library.run(run_id).info).latest
        approved = self._approvals.status(latest.id).approved
        interview_ids = self._interviews(latest.id, action)
        with self._sessions() as session:
            ref = series_ref(session, latest)
            message = store.loop_message(session, action.id)
            people = store.hearing_back(
                session, campaign_id=ref.campaign_id, interview_ids=interview_ids
            )
            recipients = [
                Recipient(p.id, p.display_name or p.external_id or f"participant {p.id}",
                          channel_of(i, p))
                for i, p in people
            ]  # fmt: skip
            sends = (
                []
                if message is None
                else [
                    SendView(s.participant_id, s.channel, s.state, s.detail, s.updated_at)
                    for s in store.sends_of(session, message.id)
                ]
            )
            return LoopPage(
                action=action,
                approved=approved,
                message=None if message is None else _message_view(message),
                recipients=recipients,
                sends=sends,
            )

    def draft(self, run_id: int, action_id: int, *, editor: Editor) -> MessageView:
        """The action's message, drafted from it the first time."""
        action = self._actions.get(run_id, action_id)
        info = self._review.library.run(run_id).info
        with self._sessions() as session:
            campaign = queries.get_campaign_by_slug(session, info.campaign)
            company = guide_for(campaign).company if campaign is not None else "our"
        subject, body = default_message(action, company)
        with write_session(self._sessions) as session:
            row = store.ensure_loop_message(
                session,
                action_id=action.id,
                subject=subject,
                body=body,
                by_name=editor.name,
                now=self._clock(),
            )
            return _message_view(row)

    def save(
        self, run_id: int, action_id: int, *, editor: Editor, subject: str, body: str
    ) -> MessageView:
        """Store the team's wording (refused once the message is sent)."""
        self._actions.get(run_id, action_id)
        title = " ".join(subject.split())
        text = body.strip().replace("\r\n", "\n")
        if not title or not text:
            raise EditRefused("The message needs a subject and some words.")
        if len(title) > MAX_SUBJECT or len(text) > MAX_BODY:
            raise EditRefused(
                f"Keep it short: a subject under {MAX_SUBJECT} characters and a message "
                f"under {MAX_BODY}."
            )
        with write_session(self._sessions) as session:
            row = store.loop_message(session, action_id)
            if row is None:
                raise EditRefused("Draft the message first.")
            if row.queued_at is not None:
                raise EditRefused("This message was sent already; it can no longer change.")
            row.subject, row.body = title, text
            row.edited_by_name, row.updated_at = editor.name, self._clock()
            session.flush()
            return _message_view(row)

    def send(self, run_id: int, action_id: int, *, editor: Editor) -> int:
        """Queue the message to every person who asked to hear back, once each; how many
        sends there are (pressing it again queues nobody twice)."""
        page = self.page(run_id, action_id)
        if page.missing:
            raise EditRefused("The message can be sent once " + " and ".join(page.missing) + ".")
        now = self._clock()
        with write_session(self._sessions) as session:
            message = store.loop_message(session, action_id)
            assert message is not None
            session.execute(
                update(LoopMessage)
                .where(LoopMessage.id == message.id, LoopMessage.queued_at.is_(None))
                .values(queued_at=now, queued_by_name=editor.name)
                .execution_options(synchronize_session=False)
            )
            rows = [
                (r.participant_id, r.channel or "none", f"jl.loop.{message.id}.{r.participant_id}")
                for r in page.recipients
            ]
            sends = store.add_sends(session, loop_message_id=message.id, rows=rows, now=now)
            for send in sends:
                jobs.enqueue(
                    session,
                    kind=LOOP_SEND,
                    key=f"loop:{send.id}",
                    run_at=now,
                    now=now,
                    payload={"send": send.id},
                )
            return len(sends)

    def _interviews(self, run_id: int, action: ActionView) -> set[str]:
        """The interviews behind the action on run ``run_id``: those of its pain points
        and, for an opportunity, those that said it."""
        reviewed = self._review.reviewed(run_id, personal=True)
        curated = reviewed.curated
        pains = {p.id: p for p in [*curated.journey_map.pain_points, *curated.rejected_pains]}
        found: set[str] = set()
        for pain_id in action.pains:
            point = pains.get(pain_id)
            if point is not None:
                found.update(ref.interview_id for ref in point.steps)
        if action.source_kind == "opportunity":
            for item in [*curated.journey_map.opportunities, *curated.rejected_opportunities]:
                if item.id == action.source_id:
                    found.update(item.interview_ids)
        return found


def _message_view(row: LoopMessage) -> MessageView:
    return MessageView(
        row.subject, row.body, row.edited_by_name, row.updated_at, row.queued_at, row.queued_by_name
    )
