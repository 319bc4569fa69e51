"""The FastAPI application: composition of the web channel, static files and protections."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import text

from bot.links import Links
from bot.web import api, pages
from bot.web.context import STATIC_DIR, TEMPLATES_DIR, WebContext
from bot.web.errors import ApiError, api_error_handler, validation_error_handler
from bot.web.ratelimit import RateLimiter
from journeyline.runtime import Runtime, open_runtime
from journeyline.settings import load_settings
from journeyline.web.middleware import BodySizeLimit, SecurityHeaders

DOCS_PATHS = ("/docs", "/redoc", "/openapi.json")


def create_app(runtime: Runtime) -> FastAPI:
    """The app for `runtime` (its database and service); the caller owns the runtime."""
    settings = runtime.settings
    app = FastAPI(
        title="journeyline",
        summary="Chat interviews about customers' support experiences.",
        version="1",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.web = WebContext(
        service=runtime.service,
        links=Links(runtime.sessions, runtime.service),
        templates=Jinja2Templates(directory=str(TEMPLATES_DIR)),
        per_token=RateLimiter(settings.rate_limit_per_token),
        per_client=RateLimiter(settings.rate_limit_per_client),
        max_chars=settings.max_message_chars,
        public_url=settings.public_url.rstrip("/"),
    )
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok"})

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders, relaxed_paths=DOCS_PATHS)
    return app


def app_from_environment() -> FastAPI:
    """Factory for `uvicorn --factory` and worker processes: settings from the environment.

    Each worker process opens its own runtime; schema migrations are the parent's job
    (`journeyline serve` migrates before it starts workers).
    """
    return create_app(open_runtime(load_settings(), migrate=False))
