"""One customer action in, the interview service called, Slack messages out.

Runs after the ack (see ``executor``). Every delivery is claimed first, so a retried
event or a double click does nothing the second time; the service's idempotency on the
channel message id is the second line of defence. Only the newest question's buttons
count: answering, by click or by typing, takes the buttons off the question.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk import WebClient

from bot.messages import Reply
from bot.service import CampaignNotFound, InterviewService
from bot.slack.blocks import (
    START_ACTION,
    fallback_text,
    reply_blocks,
    settled_blocks,
    without_buttons,
)
from bot.slack.dedupe import Deduper
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
        deduper: Deduper,
        users: SlackUsers,
        default_campaign: str | None = None,
    ) -> None:
        self._client = client
        self._service = service
        self._directory = directory
        self._deduper = deduper
        self._users = users
        self._default_campaign = default_campaign

    def message(self, message: TypedMessage) -> None:
        """A typed message: an answer, or the start of an interview."""
        if not self._deduper.claim(message.key):
            return
        customer = message.customer
        interview_id = self._directory.open_interview(customer.team_id, customer.user_id)
        if interview_id is None:
            opening = self._directory.start_from_dm(
                customer, default_campaign=self._default_campaign
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

    def click(self, click: ButtonClick) -> None:
        """A click on a quick-reply button or on an invitation's Start button."""
        if not self._deduper.claim(click.key):
            return
        if click.action_id == START_ACTION:
            self._start(click)
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
            return
        self._settle(click, f"✅ {click.label}")
        self._post(customer, interview_id, result.replies)

    def edit(self, edit: EditedMessage) -> None:
        """An edited message: not an answer; say how to change one."""
        if not self._deduper.claim(edit.key):
            return
        customer = edit.customer
        if self._directory.open_interview(customer.team_id, customer.user_id) is not None:
            self._post_note(customer, EDIT_NOTE)

    def _start(self, click: ButtonClick) -> None:
        try:
            opening = self._directory.start(campaign_slug=click.value, customer=click.customer)
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

    def _post_note(self, customer: Customer, text: str) -> None:
        self._client.chat_postMessage(channel=customer.channel_id, text=text, mrkdwn=True)
