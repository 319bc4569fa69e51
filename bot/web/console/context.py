"""What the console's routes need, handed in by the application that mounts them."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.templating import Jinja2Templates

from bot.service.console.service import ConsoleService
from bot.service.privacy import PersonalData
from bot.service.review.service import ReviewService
from bot.service.review.workspace import Workspace


@dataclass
class ConsoleContext:
    service: ConsoleService
    templates: Jinja2Templates
    # Where people reach this server (links in pages: reset links, the chat's links).
    public_url: str
    # Stored journey maps and their review.
    review: ReviewService
    # Discussion, review status, actions and closing the loop around the maps.
    workspace: Workspace
    # Secure cookies even over plain HTTP: behind a proxy that terminates TLS, the app
    # sees http but browsers see https. Requests that arrive over https always get them.
    secure_cookies: bool = False
    # Export and erasure of one customer's data (the admins' privacy API).
    privacy: PersonalData | None = None


async def console_context(request: Request) -> ConsoleContext:
    """FastAPI dependency: the context stored on ``app.state.console``."""
    context: ConsoleContext = request.app.state.console
    return context
