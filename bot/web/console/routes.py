"""Mounting the console: its routers and the handler that renders refusals."""

from __future__ import annotations

from fastapi import FastAPI

from bot.web.console import (
    account_pages,
    action_pages,
    api,
    approval_pages,
    auth_pages,
    campaign_pages,
    discussion_pages,
    home,
    maps_api,
    maps_pages,
    privacy_api,
    review_pages,
    share_pages,
    users_pages,
)
from bot.web.console.context import ConsoleContext
from bot.web.console.guard import ConsoleRefusal
from bot.web.console.rendering import refusal_handler

ROUTERS = (
    auth_pages.router,
    home.router,
    campaign_pages.router,
    maps_pages.router,
    review_pages.router,
    share_pages.router,
    discussion_pages.router,
    approval_pages.router,
    action_pages.router,
    account_pages.router,
    users_pages.router,
    api.router,
    maps_api.router,
    privacy_api.router,
)


def mount_console(app: FastAPI, context: ConsoleContext) -> None:
    """Add the console's pages (``/app``) and API (``/api/v1/campaigns``) to ``app``."""
    app.state.console = context
    app.add_exception_handler(ConsoleRefusal, refusal_handler)
    for router in ROUTERS:
        app.include_router(router)
