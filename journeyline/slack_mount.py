"""Slack in the application: the bot built from settings, and its HTTP endpoint.

`mount_slack` adds `POST /slack/events` (Events API and interactivity) to the FastAPI app
when a bot token and signing secret are configured; Socket Mode
(`journeyline slack run --socket`) uses `build_slack_bot` directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool

from bot.slack.bolt_app import SlackBot, create_slack_bot
from bot.slack.web_client import make_client
from journeyline.runtime import Runtime
from journeyline.settings import Settings

EVENTS_PATH = "/slack/events"


class SlackNotConfigured(RuntimeError):
    def __init__(self, missing: str) -> None:
        super().__init__(
            f"Slack is not configured: set {missing} (see the Slack section of the README)"
        )


def slack_configured(settings: Settings) -> bool:
    """True when both the bot token and the signing secret are set."""
    return settings.slack_bot_token is not None and settings.slack_signing_secret is not None


def build_slack_bot(runtime: Runtime, **options: Any) -> SlackBot:
    """The Slack bot for `runtime`'s service and settings (raises `SlackNotConfigured`);
    `options` go to `create_slack_bot` (retry delays, lease, tick and re-drive intervals).
    Call `start()` on it to re-drive work left undone by an earlier process."""
    settings = runtime.settings
    if settings.slack_bot_token is None:
        raise SlackNotConfigured("JOURNEYLINE_SLACK_BOT_TOKEN")
    if settings.slack_signing_secret is None:
        raise SlackNotConfigured("JOURNEYLINE_SLACK_SIGNING_SECRET")
    client = make_client(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )
    return create_slack_bot(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        service=runtime.service,
        default_campaign=settings.slack_campaign,
        **options,
    )


def mount_slack(app: FastAPI, runtime: Runtime) -> None:
    """Add `POST /slack/events` to `app` if Slack is configured; otherwise do nothing."""
    if not slack_configured(runtime.settings):
        return
    bot = build_slack_bot(runtime)
    app.state.slack = bot

    @app.post(EVENTS_PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        # Bolt is synchronous; its dispatch (signature check, parse, queue) is quick,
        # but it must not hold the event loop while it runs.
        response = await run_in_threadpool(bot.app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    _run_with_app(app, bot)


def _run_with_app(app: FastAPI, bot: SlackBot) -> None:
    # Wraps whatever lifespan the app has (on_startup/on_shutdown handlers do not run
    # beside a custom lifespan): at start-up the bot re-drives work an earlier process
    # acked and left undone; at shutdown queued Slack work gets its chance to finish.
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with inner(app) as state:
            await run_in_threadpool(bot.start)
            try:
                yield state
            finally:
                await run_in_threadpool(bot.close)

    app.router.lifespan_context = lifespan
