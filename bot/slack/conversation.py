"""One customer action in, the interview service called, Slack messages out.

Runs after the ack (see ``deliveries``), for deliveries claimed before it, so a retried
event or a double click does nothing the second time. A delivery may still run twice (a
crash or a failure after part of the work, then a re-drive): the service's idempotency on
the channel message id makes the turn happen once, and replies stored by a turn whose
question never reached Slack are posted by the redo. Starting an interview marks the
delivery done in the same transaction, so a redo never takes the opening "hi" for an
answer. Only the newest question's buttons count: answering, by click or by typing,
takes the buttons off the question.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk import WebClient

from bot.conversation.messages import Reply
from bot.service.turns import CampaignNotFound, InterviewService
from bot.slack.blocks import (
    START_ACTION,
    fallback_text,
    reply_blocks,
    settled_blocks,
    without_buttons,
)
from bot.slack.directory import SlackDirectory
from bot.slack.events import ButtonClick, Customer, EditedMessage, TypedMessage
from bot.slack.markup import clean_markup
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

    def handle(self, item: TypedMessage | EditedMessage | ButtonClick, *, event_id: int) -> None:
        """Do what the claimed delivery ``event_id`` asks for. Raises on failure (the caller
        retries; a redo is safe)."""
        if isinstance(item, TypedMessage):
            self.message(item, event_id=event_id)
        elif isinstance(item, EditedMessage):
            self.edit(item)
        else:
            self.click(item, event_id=event_id)

    def message(self, message: TypedMessage, *, event_id: int | None = None) -> None:
        """A typed message: an answer, or the start of an interview (which marks the
        delivery ``event_id`` done with it)."""
        customer = message.customer
        interview_id = self._directory.open_interview(customer.team_id, customer.user_id)
        if interview_id is None:
            opening = self._directory.start_from_dm(
                customer, default_campaign=self._default_campaign, done_event=event_id
            )
            if opening is None:
                self._post_note(customer, NO_INTERVIEW)
            else:
                self._post(customer, opening.interview_id, opening.replies)
            return
        question = self._directory.pending_question(interview_id)
        result = self._service.handle_message(
            interview_id=interview_id,
            text=clean_markup(message.text, user_name=self._users.name),
            channel_message_id=message.message_id,
        )
        if result.duplicate:
            self._post_if_never_posted(customer, interview_id, result.replies)
            return
        if question is not None and question.ts and question.reply.choices:
            # Answered by typing: the question's buttons must not answer it a second time.
            self._client.chat_update(
                channel=customer.channel_id,
                ts=question.ts,
                text=fallback_text(question.reply),
                blocks=settled_blocks(question.reply, note=None),
            )
        self._post(customer, interview_id, result.replies)

    def click(self, click: ButtonClick, *, event_id: int | None = None) -> None:
        """A click on a quick-reply button or on an invitation's Start button."""
        if click.action_id == START_ACTION:
            self._start(click, event_id=event_id)
            return
        customer = click.customer
        interview_id = self._directory.open_interview(customer.team_id, customer.user_id)
        question = self._directory.pending_question(interview_id) if interview_id else None
        if interview_id is None or (question and question.ts and question.ts != click.message_ts):
            self._settle(click, STALE_NOTE)
            return
        result = self._service.handle_message(
            interview_id=interview_id,
            text=click.label,
            choice=click.value,
            channel_message_id=click.message_id,
        )
        if result.duplicate:
            if self._never_posted(interview_id):
                self._settle(click, f"✅ {click.label}")
                self._post(customer, interview_id, result.replies)
            return
        self._settle(click, f"✅ {click.label}")
        self._post(customer, interview_id, result.replies)

    def edit(self, edit: EditedMessage) -> None:
        """An edited message: not an answer; say how to change one."""
        customer = edit.customer
        if self._directory.open_interview(customer.team_id, customer.user_id) is not None:
            self._post_note(customer, EDIT_NOTE)

    def _start(self, click: ButtonClick, *, event_id: int | None) -> None:
        try:
            opening = self._directory.start(
                campaign_slug=click.value, customer=click.customer, done_event=event_id
            )
        except CampaignNotFound:
            self._settle(click, INVITATION_GONE)
            return
        self._settle(click, "✅ Started" if opening.created else "✅ Continued")
        self._post(click.customer, opening.interview_id, opening.replies)

    def _settle(self, click: ButtonClick, note: str) -> None:
        """Show ``note`` under the clicked message and take its buttons away."""
        blocks = without_buttons(click.message_blocks, note=note)
        self._client.chat_update(
            channel=click.customer.channel_id, ts=click.message_ts, text=note, blocks=blocks
        )

    def _post(self, customer: Customer, interview_id: str, replies: Sequence[Reply]) -> None:
        """Post the replies in order; remember which message asks the question."""
        question_ts: str | None = None
        for reply in replies:
            posted = self._client.chat_postMessage(
                channel=customer.channel_id,
                text=fallback_text(reply),
                blocks=reply_blocks(reply),
            )
            if reply.slot is not None:
                question_ts = str(posted["ts"])
        if question_ts is not None:
            self._directory.record_question_ts(interview_id, question_ts)

    def _never_posted(self, interview_id: str) -> bool:
        # A question is stamped with its Slack ts once posted (``record_question_ts``).
        question = self._directory.pending_question(interview_id)
        return question is not None and question.ts is None

    def _post_if_never_posted(
        self, customer: Customer, interview_id: str, replies: Sequence[Reply]
    ) -> None:
        """A redone turn: post its stored replies if they never reached Slack."""
        if self._never_posted(interview_id):
            self._post(customer, interview_id, replies)

    def _post_note(self, customer: Customer, text: str) -> None:
        self._client.chat_postMessage(channel=customer.channel_id, text=text, mrkdwn=True)
