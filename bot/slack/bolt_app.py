"""The Bolt app: verifies every Slack request, claims it durably, acks, hands the work on.

``process_before_response=True`` makes Bolt answer Slack when the listener returns, and
our listeners return quickly: they parse the payload, claim the delivery with its work
item (one small ``INSERT`` into ``slack_events``, see ``outbox``), ack, and queue the
work (see ``deliveries``). So the ack waits for that insert only, never for the
interview service or a language model, and work acked is never lost: if the process
dies before doing it, it is re-driven from storage. A delivery that cannot be claimed
in time (storage down or stuck) is not acked, so Slack sends it again: on SQLite too,
where a turn holds the one write lock for milliseconds, never for its whole length (it
computes before it writes). The same path serves HTTP and Socket Mode. Requests
nobody handles are acked too (Bolt would answer 404 and Slack would retry).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.service.interviews import InterviewService
from bot.slack.blocks import CHOICE_ACTION_PATTERN, START_ACTION
from bot.slack.conversation import SlackInterviews
from bot.slack.deliveries import REDRIVE_EVERY, RETRY_DELAYS, TICK_EVERY, Deliveries
from bot.slack.events import Ignored, parse_click, parse_message_event
from bot.slack.executor import KeyedExecutor
from bot.slack.identity import SlackIdentity
from bot.slack.outbox import LEASE, Outbox, WorkItem
from bot.slack.users import SlackUsers

log = logging.getLogger(__name__)

ANYTHING = re.compile(".*")


@dataclass
class SlackBot:
    """The Bolt app and what runs behind it; ``start()`` it, ``close()`` when done."""

    app: App
    interviews: SlackInterviews
    executor: KeyedExecutor
    deliveries: Deliveries
    identity: SlackIdentity

    def start(self) -> None:
        """Re-drive the work an earlier process acked and left undone, and keep doing so
        periodically (a daemon thread) until ``close()``."""
        self.deliveries.start()

    def close(self, *, timeout: float = 10.0) -> None:
        """Shut down gracefully: stop re-driving, let queued work finish for up to
        ``timeout`` seconds, then drop the rest and release it in storage (the next
        process runs it at once), and wait for the tasks already running (a turn is
        never cut in half). Nothing acked is lost: every delivery was stored before its
        ack, and what is not done is left undone for a re-drive."""
        self.deliveries.stop(timeout=timeout)
        self.executor.join(timeout)
        self.executor.shutdown(wait=False)
        self.identity.stop()
        released = self.deliveries.release_queued()
        if released:
            log.info("released %d queued Slack deliveries for the next start", released)
        # Tasks already running finish: a turn is never cut in half.
        self.executor.join(timeout)


def create_slack_bot(
    *,
    client: WebClient,
    signing_secret: str,
    service: InterviewService,
    default_campaign: str | None = None,
    executor: KeyedExecutor | None = None,
    retry_delays: Sequence[float] = RETRY_DELAYS,
    lease: timedelta = LEASE,
    tick_every: float = TICK_EVERY,
    redrive_every: float = REDRIVE_EVERY,
    clock: Callable[[], datetime] | None = None,
    identity: SlackIdentity | None = None,
) -> SlackBot:
    """A Slack bot over ``service``: a Bolt app whose requests are verified with
    ``signing_secret`` and whose Web API calls go through ``client``.

    The bot's own ids (to ignore its own messages) come from ``identity``; without one,
    ``auth.test`` is asked here and its failure raised (Socket Mode: nothing to serve
    without Slack). The HTTP endpoint passes an identity that connects in the background
    (see ``bot.slack.identity``). A failed delivery is tried again
    after each of ``retry_delays`` (seconds). Deliveries held by a process are its own
    for ``lease`` unless it renews them (every ``tick_every`` seconds while it has
    them); undone deliveries nobody holds are re-driven on ``start()`` and every
    ``redrive_every`` seconds.
    """
    executor = executor or KeyedExecutor()
    interviews = SlackInterviews(
        client=client,
        service=service,
        directory=service.slack,
        users=SlackUsers(client),
        default_campaign=default_campaign,
    )
    deliveries = Deliveries(
        outbox=Outbox(service.slack.deliveries, clock=clock or service.clock, lease=lease),
        handler=interviews,
        executor=executor,
        retry_delays=retry_delays,
        tick_every=tick_every,
        redrive_every=redrive_every,
    )
    if identity is None:
        identity = SlackIdentity(client)
        identity.connect()
    app = App(
        # The token reaches Bolt through `authorize` (a client with a token as well would
        # make Bolt warn that one of them goes unused).
        client=WebClient(base_url=client.base_url, timeout=client.timeout),
        authorize=identity.authorize_function(),
        signing_secret=signing_secret,
        process_before_response=True,
        name="journeyline",
        logger=log,
    )
    register_listeners(app, deliveries=deliveries)
    return SlackBot(
        app=app,
        interviews=interviews,
        executor=executor,
        deliveries=deliveries,
        identity=identity,
    )


def register_listeners(app: App, *, deliveries: Deliveries) -> None:
    """Attach the listeners; specific ones first (Bolt runs the first that matches)."""

    def claim_ack_submit(ack: Ack, item: WorkItem) -> None:
        # The claim first: if it raises, Bolt answers 500 without an ack and Slack
        # redelivers. Once it is stored, the ack can go and the work can follow.
        claim = deliveries.claim(item)
        ack()
        if claim is None:
            log.debug("Slack delivery %s seen before", item.key)
        else:
            deliveries.submit_claimed(claim, item)

    @app.event("message")
    def on_message(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        parsed = parse_message_event(body, bot_user_id=context.bot_user_id)
        if isinstance(parsed, Ignored):
            ack()
            log.debug("ignored a Slack message event: %s", parsed.reason)
            return
        claim_ack_submit(ack, parsed)

    @app.action(re.compile(CHOICE_ACTION_PATTERN))
    @app.action(START_ACTION)
    def on_click(ack: Ack, body: dict[str, Any]) -> None:
        parsed = parse_click(body)
        if isinstance(parsed, Ignored):
            ack()
            log.debug("ignored a Slack click: %s", parsed.reason)
            return
        claim_ack_submit(ack, parsed)

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
