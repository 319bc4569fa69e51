"""Starting interviews: from an open link, for a known participant, for a Slack user.

Every start stores the interview with the bot's opening (introduction, consent
question) in one transaction, so an interview always exists with its first question.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation import engine
from bot.conversation.messages import Reply
from bot.conversation.progress import progress
from bot.conversation.state import InterviewState
from bot.conversation.vocabulary import FINISHED_STATUSES, InterviewStatus, Slot
from bot.service.campaign_guides import guide_for, guide_from_source
from bot.service.campaign_states import refuse_unless_open
from bot.service.errors import CampaignClosed, CampaignNotFound, StartRefused, TurnBusy
from bot.service.interview_cache import CachedInterview, InterviewCache
from bot.service.limits import StartLimits
from bot.service.quotas import quota_attributes, refuse_full_cell
from bot.service.results import TurnResult, reply_row
from bot.service.transcripts import InterviewSnapshot, StoredMessage
from storage import queries
from storage.engines import write_session
from storage.models import Campaign, Interview, Participant
from storage.turn_store import NewInterview, OverBudget, StoreBusy, TurnStore


@dataclass(frozen=True)
class OpeningMessage:
    """A customer's message that starts an interview, and the channel's id for it."""

    text: str
    channel_message_id: str


@dataclass(frozen=True)
class Opening:
    """What to show when a customer starts (or comes back to) an interview."""

    interview_id: str
    replies: tuple[Reply, ...]
    created: bool


def campaign_and_participant(
    session: Session,
    *,
    campaign_slug: str,
    external_id: str | None,
    display_name: str | None = None,
    email: str | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> tuple[Campaign, Participant | None]:
    """The campaign (or `CampaignNotFound`) and, given an external id, its participant
    (created on first sight; a given name, email or attributes update the stored ones)."""
    campaign = queries.get_campaign_by_slug(session, campaign_slug)
    if campaign is None:
        raise CampaignNotFound(campaign_slug)
    if external_id is None:
        return campaign, None
    participant = queries.get_or_create_participant(
        session,
        campaign=campaign,
        external_id=external_id,
        display_name=display_name,
        email=email,
        attributes=dict(attributes or {}),
    )
    return campaign, participant


class Starts:
    """Creates interviews and stores their openings."""

    def __init__(
        self,
        store: TurnStore,
        *,
        sessions: sessionmaker[Session],
        cache: InterviewCache,
        clock: Callable[[], datetime],
        limits: StartLimits | None = None,
    ) -> None:
        self._store = store
        self._sessions = sessions
        self._cache = cache
        self._clock = clock
        self._limits = limits or StartLimits()

    def anonymous(
        self,
        *,
        campaign_slug: str,
        channel: str,
        access_token_hash: str | None,
        wait: bool,
        client: str | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> InterviewSnapshot:
        """An anonymous interview from a campaign's open link; its snapshot (the opening
        just stored: nothing is read back). The interview is cached for its first turn.
        ``attributes`` the link named (``/c/SLUG?plan=pro``) that pick a quota cell are
        stored with a participant of the interview's own, so the quota counts it.

        Raises `CampaignNotFound`, or `CampaignClosed` when the campaign has no open link
        (`StudyClosed`, `StudyNotOpenYet` when it is closed or not open yet, `QuotaFull`
        when the attributes' cell is full);
        `StartRefused` when a start budget (of the ``client`` address, the campaign or
        all open links) is used up; with `wait=False`, `TurnBusy` (nothing done) when
        another writer holds the database or when the store never answers without
        waiting.
        """
        if not wait and not self._store.answers_without_waiting:
            raise TurnBusy("this database's starts may wait: run them in a thread")
        campaign = self._store.campaign(campaign_slug)
        if campaign is None:
            raise CampaignNotFound(campaign_slug)
        if not campaign.open_link:
            raise CampaignClosed(campaign_slug)
        refuse_unless_open(
            campaign_slug,
            status=campaign.status,
            starts_at=campaign.starts_at,
            ends_at=campaign.ends_at,
            now=self._clock(),
        )
        participant_id = self._quota_participant(campaign_slug, attributes) if attributes else None
        guide = guide_from_source(campaign.guide_source, campaign.consent_text)
        result = engine.start(guide)
        state, now = result.state, self._clock()
        new = NewInterview(
            participant_id=participant_id,
            campaign_id=campaign.id,
            channel=channel,
            status=state.status,
            engine_state_json=state.model_dump_json(),
            replies=[reply_row(reply) for reply in result.replies],
            now=now,
            access_token_hash=access_token_hash,
            budgets=self._limits.budgets(campaign_id=campaign.id, client=client),
        )
        try:
            started = self._store.start(new, wait=wait)
        except StoreBusy:
            self._forget_participant(participant_id)
            raise TurnBusy("the database is busy with another writer") from None
        except OverBudget as over:
            self._forget_participant(participant_id)
            scope = over.key.split(":", 1)[0]
            raise StartRefused(scope, math.ceil(over.retry_after)) from None
        status = InterviewStatus(state.status)
        self._cache.put(
            CachedInterview(
                id=started.id,
                public_id=started.public_id,
                revision=0,
                status=status,
                state=state,
                guide=guide,
                consent=None,
                completed=False,
                access_token_hash=access_token_hash,
            )
        )
        messages = tuple(
            StoredMessage(
                id=message_id,
                direction=queries.OUTBOUND,
                text=reply.text,
                slot=reply.slot,
                choices=reply.choices,
                items=reply.items,
                created_at=now,
            )
            for message_id, reply in zip(started.reply_ids, result.replies, strict=True)
        )
        return InterviewSnapshot(
            interview_id=started.public_id,
            status=status,
            messages=messages,
            pending=tuple(engine.current_question(state, guide)),
            progress=progress(state, guide),
        )

    def _quota_participant(self, slug: str, given: Mapping[str, Any]) -> int | None:
        """A participant for an open-link visitor whose link names a quota cell (None
        when it names none); `QuotaFull` when that cell is full."""
        with write_session(self._sessions) as session:
            campaign = queries.get_campaign_by_slug(session, slug)
            if campaign is None:
                raise CampaignNotFound(slug)
            attributes = quota_attributes(campaign, given)
            if not attributes:
                return None
            refuse_full_cell(session, campaign, attributes)
            person = Participant(campaign=campaign, attributes=attributes)
            session.add(person)
            session.flush()
            return person.id

    def _forget_participant(self, participant_id: int | None) -> None:
        # The start was refused: a participant with no interview and no way to reach
        # them would only be counted (and found by the next wave) for nothing.
        if participant_id is None:
            return
        with write_session(self._sessions) as session:
            person = session.get(Participant, participant_id)
            if person is not None:
                session.delete(person)

    def for_participant(
        self,
        *,
        campaign_slug: str,
        channel: str,
        participant_external_id: str | None = None,
        participant_attributes: Mapping[str, Any] | None = None,
        display_name: str | None = None,
        email: str | None = None,
        access_token_hash: str | None = None,
    ) -> TurnResult:
        """Create an interview (for the participant, if an external id is given) and
        store the bot's opening. `access_token_hash`: the hash of the secret that opens
        it on the web, if any."""
        with write_session(self._sessions) as session:
            campaign, participant = campaign_and_participant(
                session,
                campaign_slug=campaign_slug,
                external_id=participant_external_id,
                display_name=display_name,
                email=email,
                attributes=participant_attributes,
            )
            interview, replies = self.open_in(
                session,
                campaign=campaign,
                participant=participant,
                channel=channel,
                access_token_hash=access_token_hash,
            )
            return TurnResult(interview.public_id, InterviewStatus(interview.status), replies)

    def open_in(
        self,
        session: Session,
        *,
        campaign: Campaign,
        participant: Participant | None,
        channel: str,
        access_token_hash: str | None = None,
        opened_by: OpeningMessage | None = None,
    ) -> tuple[Interview, tuple[Reply, ...]]:
        """Create an interview inside the caller's transaction and store the opening.

        ``opened_by``: the customer's message that asked for the interview (a Slack DM),
        stored first with the opening as its replies, so a redelivery of that message is
        answered with the same opening instead of being taken for an answer.
        """
        result = engine.start(guide_for(campaign))
        interview = queries.create_interview(
            session,
            campaign=campaign,
            participant=participant,
            channel=channel,
            status=result.state.status,
            engine_state=result.state.model_dump(mode="json"),
        )
        interview.started_at = self._clock()
        interview.access_token_hash = access_token_hash
        opening = None
        if opened_by is not None:
            opening = queries.add_message(
                session,
                interview=interview,
                direction=queries.INBOUND,
                text=opened_by.text,
                channel_message_id=opened_by.channel_message_id,
            )
        for reply in result.replies:
            row = reply_row(reply)
            queries.add_message(
                session,
                interview=interview,
                direction=queries.OUTBOUND,
                text=row.text,
                slot=row.slot,
                choices=row.choices,
                items=row.items,
                in_reply_to=opening,
                flush=False,  # nobody needs the reply's id before the start commits
            )
        return interview, result.replies

    def for_slack_user(
        self,
        *,
        campaign_slug: str,
        team_id: str,
        user_id: str,
        display_name: str | None = None,
        email: str | None = None,
        opened_by: OpeningMessage | None = None,
    ) -> Opening:
        """Start the Slack user's interview in the campaign, or continue the one under
        way. One interview per person and campaign: a finished one is not started again
        (the replies say so). ``opened_by``: the message that asked for it, if any (see
        `open_in`). Raises `CampaignNotFound`; for a new interview `StudyClosed`,
        `StudyNotOpenYet` or `QuotaFull` when the campaign turns the person away (nothing
        is stored then)."""
        with write_session(self._sessions) as session:
            campaign = queries.get_campaign_by_slug(session, campaign_slug)
            if campaign is None:
                raise CampaignNotFound(campaign_slug)
            participant = slack_participant(
                session, campaign, team_id, user_id, display_name, email
            )
            interviews = queries.lock_participant_interviews(session, participant=participant)
            guide = guide_for(campaign)
            if interviews:
                latest = interviews[-1]
                if latest.status in FINISHED_STATUSES:
                    done = Reply(text=guide.say("already_finished"), slot=Slot.DONE)
                    return Opening(latest.public_id, (done,), created=False)
                resumed = Reply(text=guide.say("resumed"))
                state = InterviewState.model_validate(latest.engine_state)
                pending = engine.current_question(state, guide)
                return Opening(latest.public_id, (resumed, *pending), created=False)
            refuse_unless_open(
                campaign.slug,
                status=campaign.status,
                starts_at=campaign.starts_at,
                ends_at=campaign.ends_at,
                now=self._clock(),
            )
            refuse_full_cell(session, campaign, participant.attributes)
            interview, replies = self.open_in(
                session,
                campaign=campaign,
                participant=participant,
                channel=SLACK_CHANNEL,
                opened_by=opened_by,
            )
            return Opening(interview.public_id, replies, created=True)


SLACK_CHANNEL = "slack"


def slack_external_id(team_id: str, user_id: str) -> str:
    """The participant external id of a Slack user (user ids are per workspace)."""
    return f"slack:{team_id}:{user_id}"


def slack_participant(
    session: Session,
    campaign: Campaign,
    team_id: str,
    user_id: str,
    display_name: str | None,
    email: str | None,
) -> Participant:
    """The campaign's participant for the Slack user, created on first sight. Someone
    invited from a participant list (``campaigns``) is that participant: the invitation
    recorded their workspace and user id."""
    listed = queries.find_slack_participant(
        session, campaign_id=campaign.id, team_id=team_id, user_id=user_id
    )
    if listed is not None:
        return listed
    participant = queries.get_or_create_participant(
        session,
        campaign=campaign,
        external_id=slack_external_id(team_id, user_id),
        display_name=display_name,
        email=email,
    )
    participant.slack_team_id = team_id
    participant.slack_user_id = user_id
    session.flush()
    return participant
