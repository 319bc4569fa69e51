"""Which interview a Slack user is in, the question it waits on, and starting one.

A Slack user takes part in a campaign as a participant whose ``slack_team_id`` and
``slack_user_id`` are set (external id ``slack:T:U``). Their open interview is the one
the DM continues, however many days later they come back.

Each customer's deliveries run one at a time (``bot.slack.executor``), so this process
keeps, per customer, the open interview and the Slack ts of its pending question as it
last saw them: a message then costs no read. Both only ever change through a turn or a
post of this customer's, which update them; a copy made stale by another process is
corrected by the turn's revision check (the interview) or by reading again before a
click is called stale (the ts).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.messages import Reply
from bot.conversation.vocabulary import FINISHED_STATUSES
from bot.service.errors import CampaignNotFound
from bot.service.results import reply_from_message
from bot.service.starts import Opening, OpeningMessage, Starts, slack_participant
from storage import queries
from storage.engines import write_session
from storage.models import Campaign
from storage.slack_deliveries import SlackDeliveryStore

CACHED_CUSTOMERS = 4096


@dataclass(frozen=True)
class PostedQuestion:
    """The interview's pending question as stored, and the Slack ts it was posted with."""

    reply: Reply
    ts: str | None


@dataclass(frozen=True)
class OpenInterview:
    """A Slack user's unfinished interview: its public id and the question it waits on
    (None before any was asked)."""

    interview_id: str
    question: PostedQuestion | None


class SlackDirectory:
    """Finds, follows and starts the interviews of Slack users."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        read_sessions: sessionmaker[Session],
        starts: Starts,
        deliveries: SlackDeliveryStore,
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._read = read_sessions
        self._starts = starts
        # The outbox of Slack work (``bot.slack.outbox`` keeps its deliveries here).
        self.deliveries = deliveries
        self._clock = clock
        self._known: OrderedDict[tuple[str, str], OpenInterview] = OrderedDict()
        self._lock = threading.Lock()

    def open_interview(
        self, team_id: str, user_id: str, *, fresh: bool = False
    ) -> OpenInterview | None:
        """The user's unfinished Slack interview and its pending question, or None.
        ``fresh``: read storage even when this process knows it."""
        key = (team_id, user_id)
        if not fresh:
            with self._lock:
                known = self._known.get(key)
            if known is not None:
                return known
        with self._read() as session:
            interview = queries.find_open_slack_interview(
                session, team_id=team_id, user_id=user_id, finished_statuses=FINISHED_STATUSES
            )
            if interview is None:
                self._forget(key)
                return None
            message = queries.latest_question(session, interview_id=interview.id)
            question = (
                None
                if message is None
                else PostedQuestion(reply_from_message(message), message.channel_message_id)
            )
            found = OpenInterview(interview.public_id, question)
        self._remember(key, found)
        return found

    def after_turn(
        self,
        team_id: str,
        user_id: str,
        interview: OpenInterview,
        replies: tuple[Reply, ...],
        *,
        finished: bool,
    ) -> None:
        """What a turn of the user's interview changed: its pending question (not yet
        posted), or the interview is over."""
        key = (team_id, user_id)
        if finished:
            self._forget(key)
            return
        question = next((r for r in reversed(replies) if r.slot is not None), None)
        if question is not None:
            pending = PostedQuestion(question, None)
            self._remember(key, OpenInterview(interview.interview_id, pending))

    def posted(
        self,
        team_id: str,
        user_id: str,
        *,
        interview_id: str | None,
        question_ts: str | None,
        delivery: int | None,
    ) -> None:
        """The replies reached Slack: remember which message asks the pending question
        of ``interview_id`` (only its buttons count) and mark the delivery done, in one
        transaction."""
        self.deliveries.posted(
            interview_id=interview_id, question_ts=question_ts, event_id=delivery, now=self._clock()
        )
        if interview_id is None or question_ts is None:
            return
        key = (team_id, user_id)
        with self._lock:
            known = self._known.get(key)
        if known is not None and known.interview_id == interview_id and known.question:
            question = PostedQuestion(known.question.reply, question_ts)
            self._remember(key, OpenInterview(interview_id, question))

    def register(
        self,
        *,
        campaign_slug: str,
        team_id: str,
        user_id: str,
        display_name: str | None = None,
        email: str | None = None,
    ) -> Campaign:
        """Make the Slack user a participant of the campaign (for an invitation)."""
        with write_session(self._sessions) as session:
            campaign = queries.get_campaign_by_slug(session, campaign_slug)
            if campaign is None:
                raise CampaignNotFound(campaign_slug)
            slack_participant(session, campaign, team_id, user_id, display_name, email)
            return campaign

    def start(
        self,
        *,
        campaign_slug: str,
        team_id: str,
        user_id: str,
        display_name: str | None = None,
        email: str | None = None,
        opened_by: OpeningMessage | None = None,
    ) -> Opening:
        """Start the user's interview in the campaign, or continue it (see
        `Starts.for_slack_user`). Raises `CampaignNotFound`."""
        self._forget((team_id, user_id))
        return self._starts.for_slack_user(
            campaign_slug=campaign_slug,
            team_id=team_id,
            user_id=user_id,
            display_name=display_name,
            email=email,
            opened_by=opened_by,
        )

    def start_from_dm(
        self,
        team_id: str,
        user_id: str,
        *,
        default_campaign: str | None,
        opened_by: OpeningMessage | None = None,
    ) -> Opening | None:
        """The interview a DM from a user without an open one starts: the campaign they
        were last invited to, else ``default_campaign`` if it takes open starts, else
        none."""
        with self._read() as session:
            invited = queries.latest_uninterviewed_slack_participant(
                session, team_id=team_id, user_id=user_id
            )
            slug = invited.campaign.slug if invited is not None else None
            if slug is None and default_campaign:
                campaign = queries.get_campaign_by_slug(session, default_campaign)
                if campaign is not None and campaign.open_link:
                    slug = campaign.slug
        if slug is None:
            return None
        return self.start(campaign_slug=slug, team_id=team_id, user_id=user_id, opened_by=opened_by)

    def _remember(self, key: tuple[str, str], found: OpenInterview) -> None:
        with self._lock:
            self._known[key] = found
            self._known.move_to_end(key)
            while len(self._known) > CACHED_CUSTOMERS:
                self._known.popitem(last=False)

    def _forget(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._known.pop(key, None)
