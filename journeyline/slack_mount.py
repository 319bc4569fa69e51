"""Slack in the application: the bot built from settings, and its HTTP endpoint.

`mount_slack` adds `POST /slack/events` (Events API and interactivity) to the FastAPI app
when a bot token and signing secret are configured; Socket Mode
(`journeyline slack run --socket`) uses `build_slack_bot` directly.

The endpoint checks the signature on the raw bytes before anything parses them (an
unsigned body costs one HMAC, and a malformed one gets 400, never a traceback), counts
requests that fail that check per client address (429 beyond
``FAILED_REQUESTS_PER_MINUTE``), and answers 503 while the bot's identity is not known
yet (Slack unreachable at start-up: Slack retries, web chat is unaffected).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool

from bot.slack.bolt_app import SlackBot, create_slack_bot
from bot.slack.identity import SlackIdentity
from bot.slack.signature import SlackSignature
from bot.slack.web_client import make_client
from bot.web.context import client_address
from bot.web.ratelimit import RateLimited, RateLimiter
from journeyline.runtime import Runtime
from journeyline.settings import Settings

EVENTS_PATH = "/slack/events"
# Slack's interactivity payloads carry the whole message that was clicked (every block,
# JSON inside a form field, so non-ASCII text grows up to 16-fold when percent-encoded).
# Our messages are kept small (see bot.slack.blocks), but a click must never be lost to
# the web chat's 64 KB limit: the endpoint takes up to 1 MiB, still only after the
# signature check costs anything.
MAX_REQUEST_BYTES = 1024 * 1024
# Requests per minute one client address may send that fail the signature check or
# cannot be read; Slack's own requests never do.
FAILED_REQUESTS_PER_MINUTE = 60


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
    settings = runtime.settings
    if not slack_configured(settings):
        return
    assert settings.slack_signing_secret is not None and settings.slack_bot_token is not None
    # Connected in the background by the lifespan below: a Slack outage must not stop
    # the web chat from starting.
    identity = SlackIdentity(
        make_client(
            token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
        )
    )
    bot = build_slack_bot(runtime, identity=identity)
    app.state.slack = bot
    signature = SlackSignature(settings.slack_signing_secret.get_secret_value())
    failures = RateLimiter(FAILED_REQUESTS_PER_MINUTE)

    @app.post(EVENTS_PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        client = client_address(request)
        body = await request.body()
        headers = request.headers
        signed = signature.valid(
            body,
            headers.get("x-slack-request-timestamp"),
            headers.get("x-slack-signature"),
        )
        if not signed:
            return _refused(failures, client, 401, "invalid_signature", "Invalid signature.")
        if not readable(body, headers.get("content-type", "")):
            return _refused(failures, client, 400, "malformed", "The body cannot be read.")
        bolt_request = to_bolt_request(request, body)
        if not bot.identity.ready and bolt_request.body.get("type") != "url_verification":
            # Without the bot's identity its own messages cannot be told apart: Slack
            # retries this delivery later.
            return _error(503, "slack_unavailable", "Slack is not reachable yet.", retry=30)
        # Bolt is synchronous; its dispatch (signature check, parse, queue) is quick,
        # but it must not hold the event loop while it runs.
        response = await run_in_threadpool(bot.app.dispatch, bolt_request)
        return to_starlette_response(response)

    _run_with_app(app, bot)


def readable(body: bytes, content_type: str) -> bool:
    """Whether Bolt can parse ``body``: UTF-8, and a JSON object (Events API) or a form
    whose ``payload``, if any, is a JSON object (interactivity). Bolt itself assumes it
    and fails with an exception on anything else."""
    try:
        text = body.decode("utf-8")
        if content_type.split(";", 1)[0].strip().lower() == "application/json":
            return isinstance(json.loads(text), dict)
        form = parse_qs(text, keep_blank_values=True)
        payload = form.get("payload")
        return payload is None or isinstance(json.loads(payload[0]), dict)
    except ValueError:  # not UTF-8, not JSON
        return False


def _refused(
    failures: RateLimiter, client: str, status: int, code: str, message: str
) -> JSONResponse:
    try:
        failures.hit(client)
    except RateLimited as limited:
        return _error(429, "rate_limited", "Too many invalid requests.", retry=limited.retry_after)
    return _error(status, code, message)


def _error(status: int, code: str, message: str, *, retry: int | None = None) -> JSONResponse:
    headers = {"Retry-After": str(retry)} if retry is not None else None
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


def slack_health(app: FastAPI) -> dict[str, str]:
    """What `/healthz` says about Slack: nothing when it is not configured; else its state
    (connected, connecting, unavailable) and, when unavailable, why."""
    bot: SlackBot | None = getattr(app.state, "slack", None)
    if bot is None:
        return {}
    health = {"slack": bot.identity.state.value}
    if bot.identity.error:
        health["slack_error"] = bot.identity.error
    return health


def _run_with_app(app: FastAPI, bot: SlackBot) -> None:
    # Wraps whatever lifespan the app has (on_startup/on_shutdown handlers do not run
    # beside a custom lifespan): at start-up the bot learns its identity (in the
    # background if Slack does not answer at once) and re-drives work an earlier process
    # acked and left undone; at shutdown queued Slack work gets its chance to finish.
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with inner(app) as state:
            await run_in_threadpool(bot.identity.start)
            await run_in_threadpool(bot.start)
            try:
                yield state
            finally:
                await run_in_threadpool(bot.close)

    app.router.lifespan_context = lifespan
