"""The Bolt app: verifies and acks every Slack request, then hands the work on.

``process_before_response=True`` makes Bolt answer Slack when the listener returns, and
our listeners return at once: they ack, parse the payload and queue the work on the
``KeyedExecutor``. So the ack never waits for the database, the interview service or a
language model, and the same path serves HTTP and Socket Mode. Requests nobody handles
are acked too (Bolt would answer 404 and Slack would retry).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.service import InterviewService
from bot.slack.blocks import CHOICE_ACTION_PATTERN, START_ACTION
from bot.slack.conversation import SlackInterviews
from bot.slack.dedupe import Deduper
from bot.slack.directory import SlackDirectory
from bot.slack.events import EditedMessage, Ignored, parse_click, parse_message_event
from bot.slack.executor import KeyedExecutor
from bot.slack.users import SlackUsers

log = logging.getLogger(__name__)

ANYTHING = re.compile(".*")


@dataclass
class SlackBot:
    """The Bolt app and what runs behind it; ``close()`` when done."""

    app: App
    interviews: SlackInterviews
    executor: KeyedExecutor

    def close(self, *, timeout: float = 10.0) -> None:
        """Let queued work finish for up to ``timeout`` seconds, then drop the rest
        (tasks already running still finish: a turn is never cut in half)."""
        self.executor.join(timeout)
        self.executor.shutdown(wait=False)


def create_slack_bot(
    *,
    client: WebClient,
    signing_secret: str,
    sessions: sessionmaker[Session],
    service: InterviewService,
    default_campaign: str | None = None,
    executor: KeyedExecutor | None = None,
) -> SlackBot:
    """A Slack bot over ``service``: a Bolt app whose requests are verified with
    ``signing_secret`` and whose Web API calls go through ``client``.

    Bolt calls ``auth.test`` here to learn the bot's own ids (to ignore its own
    messages), so ``client`` must reach a Slack API.
    """
    executor = executor or KeyedExecutor()
    interviews = SlackInterviews(
        client=client,
        service=service,
        directory=SlackDirectory(sessions, service),
        deduper=Deduper(sessions),
        users=SlackUsers(client),
        default_campaign=default_campaign,
    )
    app = App(
        client=client,
        signing_secret=signing_secret,
        process_before_response=True,
        name="journeyline",
        logger=log,
    )
    register_listeners(app, interviews=interviews, submit=executor.submit)
    return SlackBot(app=app, interviews=interviews, executor=executor)


Submit = Callable[[str, Callable[[], None]], None]


def register_listeners(app: App, *, interviews: SlackInterviews, submit: Submit) -> None:
    """Attach the listeners; specific ones first (Bolt runs the first that matches)."""

    @app.event("message")
    def on_message(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        parsed = parse_message_event(body, bot_user_id=context.bot_user_id)
        if isinstance(parsed, Ignored):
            log.debug("ignored a Slack message event: %s", parsed.reason)
        elif isinstance(parsed, EditedMessage):
            edit = parsed
            submit(edit.customer.queue_key, lambda: interviews.edit(edit))
        else:
            message = parsed
            submit(message.customer.queue_key, lambda: interviews.message(message))

    @app.action(re.compile(CHOICE_ACTION_PATTERN))
    @app.action(START_ACTION)
    def on_click(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        parsed = parse_click(body)
        if isinstance(parsed, Ignored):
            log.debug("ignored a Slack click: %s", parsed.reason)
            return
        click = parsed
        submit(click.customer.queue_key, lambda: interviews.click(click))

    def acknowledge_only(ack: Ack) -> None:
        ack()

    # Catch-alls, so Slack never sees a 404 for something the app does not handle (it
    # would retry it, and log the app as failing).
    app.event(ANYTHING)(acknowledge_only)
    app.action(ANYTHING)(acknowledge_only)
    app.view(ANYTHING)(acknowledge_only)
    app.shortcut(ANYTHING)(acknowledge_only)
    app.command(ANYTHING)(acknowledge_only)
    app.options(ANYTHING)(acknowledge_only)
