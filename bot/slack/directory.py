"""Which interview a Slack user is in, and starting one: the Slack side of `bot.service.links`.

A Slack user takes part in a campaign as a participant whose ``slack_team_id`` and
``slack_user_id`` are set (external id ``slack:T:U``). Their open interview is the one
the DM continues, however many days later they come back.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation import engine
from bot.conversation.messages import Reply
from bot.conversation.state import InterviewState
from bot.conversation.vocabulary import FINISHED_STATUSES, Slot
from bot.service.campaign_guides import guide_for
from bot.service.turns import CampaignNotFound, InterviewService, reply_from_message
from bot.slack.events import Customer
from storage import queries
from storage.models import Campaign, Participant
from storage.types import utcnow

CHANNEL = "slack"


@dataclass(frozen=True)
class Opening:
    """What to post when a customer starts (or restarts) an interview."""

    interview_id: str
    replies: tuple[Reply, ...]
    created: bool


@dataclass(frozen=True)
class PostedQuestion:
    """The interview's pending question as stored, and the Slack ts it was posted with."""

    reply: Reply
    ts: str | None


def external_id(team_id: str, user_id: str) -> str:
    """The participant external id of a Slack user (user ids are per workspace)."""
    return f"slack:{team_id}:{user_id}"


class SlackDirectory:
    """Finds and starts the interviews of Slack users."""

    def __init__(self, sessions: sessionmaker[Session], service: InterviewService) -> None:
        self._sessions = sessions
        self._service = service

    def open_interview(self, team_id: str, user_id: str) -> str | None:
        """The public id of the user's unfinished Slack interview, or ``None``."""
        with self._sessions() as session:
            interview = queries.find_open_slack_interview(
                session, team_id=team_id, user_id=user_id, finished_statuses=FINISHED_STATUSES
            )
            return interview.public_id if interview is not None else None

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
        with self._sessions.begin() as session:
            campaign = _campaign(session, campaign_slug)
            _participant(session, campaign, team_id, user_id, display_name, email)
            return campaign

    def start(
        self,
        *,
        campaign_slug: str,
        customer: Customer,
        display_name: str | None = None,
        email: str | None = None,
        done_event: int | None = None,
    ) -> Opening:
        """Start the user's interview in the campaign, or continue it if it is under way.

        One interview per person and campaign: a finished one is not started again (the
        replies say so). ``done_event``: the Slack delivery asking for this, marked done
        in the same transaction (a redo after a crash must not start it twice, nor take
        the message that started it for an answer). Raises ``CampaignNotFound``.
        """
        with self._sessions.begin() as session:
            if done_event is not None:
                queries.finish_slack_event(session, event_id=done_event, now=utcnow())
            campaign = _campaign(session, campaign_slug)
            participant = _participant(
                session, campaign, customer.team_id, customer.user_id, display_name, email
            )
            interviews = queries.lock_participant_interviews(session, participant=participant)
            guide = guide_for(campaign)
            if interviews:
                latest = interviews[-1]
                if latest.status in FINISHED_STATUSES:
                    done = Reply(text=guide.say("already_finished"), slot=Slot.DONE)
                    return Opening(latest.public_id, (done,), created=False)
                resumed = Reply(text=guide.say("resumed"))
                # Computed here, not with service.pending(): a second session would wait
                # for this transaction's lock on SQLite.
                state = InterviewState.model_validate(latest.engine_state)
                pending = engine.current_question(state, guide)
                return Opening(latest.public_id, (resumed, *pending), created=False)
            interview, replies = self._service.open_interview(
                session, campaign=campaign, participant=participant, channel=CHANNEL
            )
            return Opening(interview.public_id, replies, created=True)

    def start_from_dm(
        self,
        customer: Customer,
        *,
        default_campaign: str | None,
        done_event: int | None = None,
    ) -> Opening | None:
        """The interview a DM from a user without an open one starts: the campaign they
        were last invited to, else ``default_campaign`` if it takes open starts, else
        none. ``done_event`` as for :meth:`start`."""
        with self._sessions() as session:
            invited = queries.latest_uninterviewed_slack_participant(
                session, team_id=customer.team_id, user_id=customer.user_id
            )
            slug = invited.campaign.slug if invited is not None else None
            if slug is None and default_campaign:
                campaign = queries.get_campaign_by_slug(session, default_campaign)
                if campaign is not None and campaign.open_link:
                    slug = campaign.slug
        if slug is None:
            return None
        return self.start(campaign_slug=slug, customer=customer, done_event=done_event)

    def pending_question(self, interview_id: str) -> PostedQuestion | None:
        """The question the interview last asked, with the ts of its Slack message."""
        with self._sessions() as session:
            interview = queries.get_interview(session, interview_id)
            if interview is None:
                return None
            message = queries.latest_question(session, interview_id=interview.id)
            if message is None:
                return None
            return PostedQuestion(reply_from_message(message), message.channel_message_id)

    def record_question_ts(self, interview_id: str, ts: str) -> None:
        """Remember which Slack message asks the pending question: only its buttons count.

        Outbound messages may carry the channel's id; the uniqueness of channel ids only
        binds inbound messages.
        """
        with self._sessions.begin() as session:
            interview = queries.get_interview(session, interview_id)
            if interview is None:
                return
            message = queries.latest_question(session, interview_id=interview.id)
            if message is not None:
                message.channel_message_id = ts


def _campaign(session: Session, slug: str) -> Campaign:
    campaign = queries.get_campaign_by_slug(session, slug)
    if campaign is None:
        raise CampaignNotFound(slug)
    return campaign


def _participant(
    session: Session,
    campaign: Campaign,
    team_id: str,
    user_id: str,
    display_name: str | None,
    email: str | None,
) -> Participant:
    participant = queries.get_or_create_participant(
        session,
        campaign=campaign,
        external_id=external_id(team_id, user_id),
        display_name=display_name,
        email=email,
    )
    participant.slack_team_id = team_id
    participant.slack_user_id = user_id
    session.flush()
    return participant
