"""The FastAPI application: composition of the web channel, static files and protections."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from fastapi.templating import Jinja2Templates
from sqlalchemy import text
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.service.console.service import ConsoleService
from bot.service.invitations import Invitations
from bot.service.links import Links
from bot.service.review.service import ReviewService
from bot.service.review.workspace import make_workspace
from bot.understanding import warm_up
from bot.web import api, helpdesk, optout, pages, share
from bot.web.console.context import ConsoleContext
from bot.web.console.people import UPLOAD_LIMITS, mount_campaign_people
from bot.web.console.rendering import make_templates
from bot.web.console.routes import mount_console
from bot.web.context import STATIC_DIR, TEMPLATES_DIR, WebContext
from bot.web.fast_turns import FastTurns
from bot.web.http_errors import ApiError, api_error_handler, validation_error_handler
from bot.web.ratelimit import RateLimiter
from journeyline.console_wiring import make_console_service, make_review_service, make_sharing
from journeyline.logs import configure_from_settings
from journeyline.people_wiring import make_people_services
from journeyline.privacy_wiring import make_personal_data
from journeyline.runtime import Runtime, open_runtime
from journeyline.scheduler_wiring import helpdesk_hooks
from journeyline.settings import Settings, load_settings
from journeyline.slack_mount import EVENTS_PATH, mount_slack, slack_health
from journeyline.slack_mount import MAX_REQUEST_BYTES as SLACK_MAX_REQUEST_BYTES
from journeyline.web.api_docs import mount_api_docs
from journeyline.web.middleware import SECURITY_HEADERS, BodySizeLimit, SecurityHeaders
from journeyline.web.slow_clients import set_process_deadlines
from storage.engines import READ_ONLY_OPTION

OPENAPI_PATH = "/openapi.json"
# gc.set_threshold for a running server: young collections every 50k allocations, full
# ones rarely (defaults: 700, 10, 10).
GC_THRESHOLDS = (50_000, 20, 100)
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


LLM_TURN_THREADS = 64


def turn_thread_count(settings: Settings) -> int:
    """Threads for message posts: ``web_threads``, or at least ``LLM_TURN_THREADS`` when a
    language model answers turns (each waits up to ``llm_timeout_seconds`` on it)."""
    if settings.llm_enabled:
        return max(settings.web_threads, LLM_TURN_THREADS)
    return settings.web_threads


class JourneylineApp(FastAPI):
    """FastAPI, with the chat's two hot endpoints (`FastTurns`) answered ahead of its
    middleware stack: each layer of it (error handling, telemetry, body limits, our
    security headers and size limit) wraps every request's calls, which a message post,
    with its own size limit and headers, does not need."""

    hot_path: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.hot_path is None:
            await super().__call__(scope, receive, send)
        else:
            await self.hot_path(scope, receive, send)

    async def framework(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The request through FastAPI and its middleware (what the hot path passes on)."""
        await super().__call__(scope, receive, send)


def create_app(
    runtime: Runtime,
    *,
    console: ConsoleService | None = None,
    review: ReviewService | None = None,
) -> JourneylineApp:
    """The app for `runtime` (its database and service); the caller owns the runtime.

    ``console`` is the researcher console's service (default: built from the runtime's
    settings; tests pass one with a cheaper password hash or a clock they move);
    ``review`` the maps' review service (default: on the runtime's database)."""
    settings = runtime.settings
    # The message posts' own pool (see FastTurns); other routes use AnyIO's. With a
    # language model most of a turn is waiting for it (outside any transaction), so the
    # pool is as large as the model's waits need, not the database's writers.
    turn_threads = ThreadPoolExecutor(turn_thread_count(settings), thread_name_prefix="turn")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Each request's database work runs in a worker thread. More threads than the
        # database can serve only queue on its locks (SQLite has one writer), so the pool
        # of threads is sized by a setting rather than AnyIO's default of 40.
        to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        # Before the first customer: the lexicons are read on first use.
        warm_up()
        tune_garbage_collector()
        try:
            yield
        finally:
            turn_threads.shutdown(wait=True)

    app = JourneylineApp(
        lifespan=lifespan,
        title="journeyline",
        summary="Chat interviews about customers' support experiences.",
        version="1",
        # Our own page (journeyline.web.api_docs): FastAPI's loads Swagger UI from a CDN.
        docs_url=None,
        redoc_url=None,
        openapi_url=OPENAPI_PATH if settings.api_docs else None,
        # journeyline sets up no OpenTelemetry. FastAPI's native telemetry still looks up
        # the global providers (and environment variables) on every request to find out:
        # about a tenth of a chat turn's CPU, for nothing.
        telemetry=NO_TELEMETRY,
    )
    per_token, per_client = request_limiters(settings)
    app.state.web = WebContext(
        service=runtime.service,
        links=Links(runtime.sessions, runtime.service),
        templates=Jinja2Templates(directory=str(TEMPLATES_DIR)),
        per_token=per_token,
        per_client=per_client,
        max_chars=settings.max_message_chars,
        public_url=settings.link_base(),
        invitations=Invitations(runtime.sessions),
        helpdesk=helpdesk_hooks(runtime),
    )
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(optout.router)
    app.include_router(share.router)
    app.include_router(helpdesk.router)
    review = review or make_review_service(sessions=runtime.sessions, engine=runtime.engine)
    app.state.sharing = make_sharing(settings, sessions=runtime.sessions, review=review)
    maps = review
    mount_console(
        app,
        ConsoleContext(
            service=console
            or make_console_service(settings, sessions=runtime.sessions, engine=runtime.engine),
            templates=make_templates(),
            public_url=settings.link_base(),
            review=maps,
            # Mentions are emailed when an SMTP server is configured (not to the outbox).
            workspace=make_workspace(
                runtime.sessions, review=maps, email_mentions=bool(settings.smtp_host)
            ),
            secure_cookies=settings.console_secure_cookies,
            privacy=make_personal_data(runtime),
        ),
    )
    mount_campaign_people(app, make_people_services(runtime))
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    if settings.api_docs:
        mount_api_docs(app)
    mount_slack(app, runtime)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        # Read-only: a health check must not queue behind SQLite's writer.
        with runtime.engine.execution_options(**{READ_ONLY_OPTION: True}).connect() as connection:
            connection.execute(text("SELECT 1"))
        # Slack's state is reported, not judged: web chat serves whatever Slack does.
        return JSONResponse({"status": "ok", **slack_health(app)})

    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_request_bytes,
        path_limits={EVENTS_PATH: max(settings.max_request_bytes, SLACK_MAX_REQUEST_BYTES)},
        pattern_limits=[
            (pattern, max(settings.max_request_bytes, limit)) for pattern, limit in UPLOAD_LIMITS
        ],
    )
    app.add_middleware(SecurityHeaders)
    app.hot_path = FastTurns(
        app.framework,
        context=app.state.web,
        executor=turn_threads,
        max_bytes=settings.max_request_bytes,
        headers=SECURITY_HEADERS,
    )
    return app


def request_limiters(settings: Settings) -> tuple[RateLimiter, RateLimiter]:
    """The per-link and per-address request limiters: shared through Redis when
    ``JOURNEYLINE_REDIS_URL`` is set, else this process's own."""
    per_token, per_client = settings.rate_limit_per_token, settings.rate_limit_per_client
    if not settings.redis_url:
        return RateLimiter(per_token), RateLimiter(per_client)
    from bot.web.shared_ratelimit import RedisRateLimiter, redis_client

    client = redis_client(settings.redis_url)
    return (
        RedisRateLimiter(per_token, client=client, name="token"),
        RedisRateLimiter(per_client, client=client, name="client"),
    )


def tune_garbage_collector() -> None:
    """Keep the cyclic garbage collector's pauses out of the requests' latency.

    With default settings a full collection walks the whole heap (framework, ORM,
    cached interviews) every few seconds under load: long pauses, in which every request
    in flight waits. Objects that exist when the server has started
    live as long as the process, so they are frozen out of the collector's sight; and
    collections run less often (most garbage is freed by reference counting anyway; the
    collector only finds cycles).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def app_from_environment() -> FastAPI:
    """Factory for `uvicorn --factory` and worker processes: settings from the environment.

    Each worker process sets up its logging (see `journeyline.logs`) and opens its own
    runtime; schema migrations are the parent's job (`journeyline serve` migrates before
    it starts workers).
    """
    settings = load_settings()
    configure_from_settings(settings)
    set_process_deadlines(
        header_timeout=settings.header_timeout_seconds, body_timeout=settings.body_timeout_seconds
    )
    return create_app(open_runtime(settings, migrate=False))
