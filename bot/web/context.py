"""What the web routes need, handed in by the application that mounts them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.templating import Jinja2Templates

from bot.service.interviews import InterviewService
from bot.service.invitations import Invitations
from bot.service.links import Links
from bot.web.ratelimit import RateLimiter

if TYPE_CHECKING:  # bot.web.helpdesk reads the context: import it only for the type
    from bot.web.helpdesk import HelpdeskHooks

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"


@dataclass
class WebContext:
    service: InterviewService
    links: Links
    templates: Jinja2Templates
    per_token: RateLimiter
    per_client: RateLimiter
    max_chars: int
    public_url: str
    # The opt-out page's service (bot.web.optout); None leaves the page answering 404.
    invitations: Invitations | None = None
    # The helpdesk webhook (bot.web.helpdesk); None (no shared secret set): 404.
    helpdesk: HelpdeskHooks | None = None


async def web_context(request: Request) -> WebContext:
    """FastAPI dependency: the context the application stored on `app.state.web`.

    `async` although it awaits nothing: FastAPI runs a plain `def` dependency in the
    thread pool, a thread hop per request for one attribute lookup."""
    context: WebContext = request.app.state.web
    return context


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"
