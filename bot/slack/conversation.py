"""One customer action in, the interview service called, Slack messages out.

Runs after the ack (see ``deliveries``), for deliveries claimed before it, so a retried
event or a double click does nothing the second time. A delivery may still run twice (a
crash or a failure after part of the work, then a re-drive): the service's idempotency on
the channel message id makes the turn happen once, and replies stored by a turn whose
question never reached Slack are posted by the redo (only those Slack does not have
yet: see ``posted_before``). A DM that starts an interview is
stored with the opening as its replies, so a redo answers it with the same opening
(posted if it never reached Slack) and never takes it for an answer. Only the newest
question's buttons count: answering, by click or by typing, takes the buttons off the
question.

An answer costs three transactions: the claim (before the ack), the turn, and, once
the replies are in Slack, one that records the question's Slack ts and marks the
delivery done. Who the customer is talking to, and the question they were asked, come
from the directory's memory of this customer (see ``bot.service.slack_directory``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC

from slack_sdk import WebClient

from bot.conversation.messages import Reply
from bot.service.errors import CampaignClosed, CampaignNotFound, QuotaFull, StudyNotOpenYet
from bot.service.interviews import InterviewService
from bot.service.slack_directory import OpenInterview, SlackDirectory
from bot.service.starts import OpeningMessage
from bot.slack.blocks import (
    START_ACTION,
    fallback_text,
    reply_blocks,
    settled_blocks,
    without_buttons,
)
from bot.slack.events import ButtonClick, Customer, EditedMessage, TypedMessage
from bot.slack.markup import clean_markup
from bot.slack.posted_before import posted_before, reply_metadata
from bot.slack.users import SlackUsers

log = logging.getLogger(__name__)

NO_INTERVIEW = (
    "Hi! There is no interview waiting for you at the moment. If you were invited, "
    "press *Start* on the invitation."
)
EDIT_NOTE = (
    "I keep the first version of each answer, so that edit isn't saved. To change your "
    "last answer, type *back*; or just tell me what to add."
)
STALE_NOTE = "This question was answered already."
INVITATION_GONE = "This invitation is no longer valid."
STUDY_CLOSED = (
    "Thank you for wanting to take part. This study has closed, so there is nothing more "
    "to do here."
)
HEARD_ENOUGH = (
    "Thank you for wanting to take part. We have already heard from as many people like "
    "you as this study needs, so we will not take up your time."
)


def turned_away(refusal: CampaignClosed) -> str:
    """Why a study does not start an interview with this person, kindly."""
    if isinstance(refusal, QuotaFull):
        return HEARD_ENOUGH
    if isinstance(refusal, StudyNotOpenYet):
        when = refusal.starts_at.astimezone(UTC)
        return (
            "Thank you for wanting to take part. This study opens on "
            f"{when.day} {when:%B %Y at %H:%M} UTC; press *Start* again then."
        )
    return STUDY_CLOSED


class SlackInterviews:
    """The Slack channel's behaviour, one method per customer action."""

    def __init__(
        self,
        *,
        client: WebClient,
        service: InterviewService,
        directory: SlackDirectory,
        users: SlackUsers,
        default_campaign: str | None = None,
    ) -> None:
        self._client = client
        self._service = service
        self._directory = directory
        self._users = users
        self._default_campaign = default_campaign

    def handle(
        self,
        item: TypedMessage | EditedMessage | ButtonClick,
        *,
        event_id: int,
        redo: bool = False,
    ) -> None:
        """Do what the claimed delivery ``event_id`` asks for and mark it done. Raises on
        failure (the caller retries; a redo is safe). ``redo``: it ran before, so some of
        its messages may be in Slack already."""
        if isinstance(item, TypedMessage):
            self.message(item, event_id=event_id, redo=redo)
        elif isinstance(item, EditedMessage):
            self.edit(item, event_id=event_id, redo=redo)
        else:
            self.click(item, event_id=event_id, redo=redo)

    def message(
        self, message: TypedMessage, *, event_id: int | None = None, redo: bool = False
    ) -> None:
        """A typed message: an answer, or the start of an interview (which marks the
        delivery ``event_id`` done with it)."""
        customer = message.customer
        open_interview = self._directory.open_interview(customer.team_id, customer.user_id)
        text = clean_markup(message.text, user_name=self._users.name)
        if open_interview is None:
            opened_by = OpeningMessage(text, message.message_id)
            self._start_from_dm(customer, opened_by, event_id=event_id, redo=redo)
            return
        question = open_interview.question
        result = self._service.handle_message(
            interview_id=open_interview.interview_id,
            text=text,
            channel_message_id=message.message_id,
        )
        if result.duplicate:
            self._redone(customer, open_interview, result.replies, event_id=event_id)
            return
        self._directory.after_turn(
            customer.team_id,
            customer.user_id,
            open_interview,
            result.replies,
            finished=result.finished,
        )
        if question is not None and question.ts and question.reply.choices:
            # Answered by typing: the question's buttons must not answer it a second time.
            self._client.chat_update(
                channel=customer.channel_id,
                ts=question.ts,
                text=fallback_text(question.reply),
                blocks=settled_blocks(question.reply, note=None),
            )
        self._post(
            customer, open_interview.interview_id, result.replies, event_id=event_id, redo=redo
        )

    def click(self, click: ButtonClick, *, event_id: int | None = None, redo: bool = False) -> None:
        """A click on a quick-reply button or on an invitation's Start button."""
        if click.action_id == START_ACTION:
            self._start(click, event_id=event_id, redo=redo)
            return
        customer = click.customer
        open_interview = self._directory.open_interview(customer.team_id, customer.user_id)
        if open_interview is not None and _stale(open_interview, click):
            # Maybe another process asked a newer question: look before refusing.
            open_interview = self._directory.open_interview(
                customer.team_id, customer.user_id, fresh=True
            )
        if open_interview is None or _stale(open_interview, click):
            self._settle(click, STALE_NOTE)
            self._done(customer, event_id)
            return
        result = self._service.handle_message(
            interview_id=open_interview.interview_id,
            text=click.label,
            choice=click.value,
            channel_message_id=click.message_id,
        )
        if result.duplicate:
            if _never_posted(open_interview):
                self._settle(click, f"✅ {click.label}")
            self._redone(customer, open_interview, result.replies, event_id=event_id)
            return
        self._directory.after_turn(
            customer.team_id,
            customer.user_id,
            open_interview,
            result.replies,
            finished=result.finished,
        )
        self._settle(click, f"✅ {click.label}")
        self._post(
            customer, open_interview.interview_id, result.replies, event_id=event_id, redo=redo
        )

    def edit(self, edit: EditedMessage, *, event_id: int | None = None, redo: bool = False) -> None:
        """An edited message: not an answer; say how to change one."""
        customer = edit.customer
        if self._directory.open_interview(customer.team_id, customer.user_id) is not None:
            self._post_note(customer, EDIT_NOTE, event_id=event_id, redo=redo)
        self._done(customer, event_id)

    def _start(self, click: ButtonClick, *, event_id: int | None, redo: bool) -> None:
        customer = click.customer
        try:
            # A redo after a crash finds the interview under way and continues it.
            opening = self._directory.start(
                campaign_slug=click.value, team_id=customer.team_id, user_id=customer.user_id
            )
        except CampaignNotFound:
            self._settle(click, INVITATION_GONE)
            self._done(customer, event_id)
            return
        except CampaignClosed as refusal:
            self._settle(click, turned_away(refusal))
            self._done(customer, event_id)
            return
        self._settle(click, "✅ Started" if opening.created else "✅ Continued")
        self._post(customer, opening.interview_id, opening.replies, event_id=event_id, redo=redo)

    def _start_from_dm(
        self, customer: Customer, opened_by: OpeningMessage, *, event_id: int | None, redo: bool
    ) -> None:
        # The message is stored with the opening as its replies: a redo after a crash
        # finds it a redelivery, and posts the opening if it never reached Slack.
        try:
            opening = self._directory.start_from_dm(
                customer.team_id,
                customer.user_id,
                default_campaign=self._default_campaign,
                opened_by=opened_by,
            )
        except CampaignClosed as refusal:
            self._post_note(customer, turned_away(refusal), event_id=event_id, redo=redo)
            self._done(customer, event_id)
            return
        if opening is None:
            self._post_note(customer, NO_INTERVIEW, event_id=event_id, redo=redo)
            self._done(customer, event_id)
        else:
            self._post(
                customer, opening.interview_id, opening.replies, event_id=event_id, redo=redo
            )

    def _redone(
        self,
        customer: Customer,
        open_interview: OpenInterview,
        replies: Sequence[Reply],
        *,
        event_id: int | None,
    ) -> None:
        """A turn done before (a redo): post those of its stored replies that never
        reached Slack; mark the delivery done either way."""
        if _never_posted(open_interview):
            self._post(customer, open_interview.interview_id, replies, event_id=event_id, redo=True)
        else:
            self._done(customer, event_id)

    def _settle(self, click: ButtonClick, note: str) -> None:
        """Show ``note`` under the clicked message and take its buttons away."""
        blocks = without_buttons(click.message_blocks, note=note)
        self._client.chat_update(
            channel=click.customer.channel_id, ts=click.message_ts, text=note, blocks=blocks
        )

    def _post(
        self,
        customer: Customer,
        interview_id: str,
        replies: Sequence[Reply],
        *,
        event_id: int | None,
        redo: bool = False,
    ) -> None:
        """Post the replies in order (on a redo, those Slack does not have yet); then,
        in one write, remember which message asks the question and mark the delivery
        done."""
        question_ts: str | None = None
        already = self._posted_before(customer, event_id, redo=redo)
        for position, reply in enumerate(replies):
            ts = already.get(position)
            if ts is None:
                posted = self._client.chat_postMessage(
                    channel=customer.channel_id,
                    text=fallback_text(reply),
                    blocks=reply_blocks(reply),
                    metadata=None if event_id is None else reply_metadata(event_id, position),
                )
                ts = str(posted["ts"])
            if reply.slot is not None:
                question_ts = ts
        self._directory.posted(
            customer.team_id,
            customer.user_id,
            interview_id=interview_id,
            question_ts=question_ts,
            delivery=event_id,
        )

    def _done(self, customer: Customer, event_id: int | None) -> None:
        if event_id is not None:
            self._directory.posted(
                customer.team_id,
                customer.user_id,
                interview_id=None,
                question_ts=None,
                delivery=event_id,
            )

    def _post_note(
        self, customer: Customer, text: str, *, event_id: int | None, redo: bool
    ) -> None:
        if self._posted_before(customer, event_id, redo=redo):
            return
        self._client.chat_postMessage(
            channel=customer.channel_id,
            text=text,
            mrkdwn=True,
            metadata=None if event_id is None else reply_metadata(event_id, 0),
        )

    def _posted_before(
        self, customer: Customer, event_id: int | None, *, redo: bool
    ) -> dict[int, str]:
        """On a redo, the messages of the delivery Slack already has (position -> ts)."""
        if not redo or event_id is None:
            return {}
        return posted_before(self._client, customer.channel_id, event_id)


def _stale(open_interview: OpenInterview, click: ButtonClick) -> bool:
    """Whether the click was on an older question than the pending one."""
    question = open_interview.question
    return bool(question and question.ts and question.ts != click.message_ts)


def _never_posted(open_interview: OpenInterview) -> bool:
    # A question is stamped with its Slack ts once posted (``SlackDirectory.posted``).
    question = open_interview.question
    return question is not None and question.ts is None
