"""Rendering console pages: the shared page context (who is signed in, the form's CSRF
token, the navigation), date formats, and refusals as pages, redirects or JSON."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from bot.service.console.permissions import ROLE_LABELS, Action, Role, allowed
from bot.service.review import formatting
from bot.web.console import cookies
from bot.web.console.context import ConsoleContext
from bot.web.console.guard import ConsoleRefusal, asked
from bot.web.context import TEMPLATES_DIR
from bot.web.http_errors import error_response

HOME = "/app"
CAMPAIGN_PAGES = "/app/campaigns"
# Messages shown after a form's redirect (?done=CODE). Only these fixed words are ever
# shown: nothing from the address bar reaches the page.
DONE_MESSAGES: dict[str, str] = {
    "password-changed": "Your password is changed. Other sessions were signed out.",
    "key-revoked": "The API key is revoked: it no longer works.",
    "change-required": "Choose your own password before you go on: the one you have was "
    "set by an admin.",
    "signed-out": "You are signed out.",
    "signed-out-everywhere": "You are signed out everywhere, on every device.",
    "role-changed": "The role is changed. It applies from the user's next click.",
    "disabled": "The user is disabled and signed out everywhere; their API keys stop working.",
    "enabled": "The user is enabled again and can sign in.",
    "user-signed-out": "The user is signed out everywhere.",
    "edit-saved": "Your edit is saved and applied to the map. It applies to every later run "
    "of this map too; undo it from the cell's review page or the map's history.",
    "edit-undone": "The edit is undone. It stays in the map's history.",
    "campaign-created": "The campaign is created. Share its open link or invite participants.",
    "campaign-saved": "The campaign's settings are saved.",
    "campaign-closed": "The campaign is closed: its links show that the study has closed, and "
    "no invitation is sent.",
    "campaign-reopened": "The campaign is open again.",
    "share-revoked": "The share link is revoked: it no longer opens the map.",
    "comment-posted": "Your comment is posted. Anyone you mentioned finds it under Mentions.",
    "thread-resolved": "The discussion is resolved. Reopen it any time.",
    "thread-reopened": "The discussion is open again.",
    "status-changed": "The map's review status is changed; the history keeps who and why.",
    "action-saved": "The action is saved.",
    "loop-saved": "The message is saved. Nothing is sent until you press Send.",
    "loop-queued": "The message is queued: each person gets it once, as the scheduler runs.",
}

# Of those, the ones that ask something of the person rather than confirm.
WARNINGS = frozenset({"change-required"})


# Bidirectional embedding, override and isolate controls (LRE, RLE, PDF, LRO, RLO, LRI,
# RLI, FSI, PDI). Invisible, they reorder the text around them ("evil" shows as "live");
# customers' words are shown with them made visible instead.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def show_controls(value: Any) -> Any:
    """Every value a console template prints, with bidi controls in text made visible
    (``⟦U+202E⟧``); escaping still follows (autoescape)."""
    if isinstance(value, str) and _BIDI_CONTROLS.search(value):
        return _BIDI_CONTROLS.sub(lambda m: f"⟦U+{ord(m.group(0)):04X}⟧", value)
    return value


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    # Set before any template is compiled: Jinja2 bakes finalize into the compiled code.
    templates.env.finalize = show_controls
    templates.env.filters["when"] = format_when
    templates.env.filters["ago"] = format_ago
    templates.env.filters["in_zone"] = format_in_zone
    templates.env.filters["browser"] = describe_browser
    templates.env.filters.update(formatting.FILTERS)
    templates.env.tests.update(formatting.TESTS)
    return templates


def format_when(value: datetime | None) -> str:
    """``8 Dec 2026, 14:03 UTC`` (or an en dash for never)."""
    if value is None:
        return "–"
    moment = value.astimezone(UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def format_in_zone(value: datetime | None, zone: str) -> str:
    """``10 Dec 2026, 09:00 Europe/Berlin``: a campaign's date in the zone it was set in
    (an en dash for none)."""
    if value is None:
        return "–"
    moment = value.astimezone(ZoneInfo(zone))
    return f"{moment.day} {moment:%b %Y, %H:%M} {zone}"


def format_ago(value: datetime | None, now: datetime | None = None) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, ``2 days ago``, else the date."""
    if value is None:
        return "never"
    seconds = ((now or datetime.now(UTC)) - value).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 14 * 86400:
        days = int(seconds // 86400)
        return f"{days} day{'s' if days > 1 else ''} ago"
    return format_when(value)


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("HeadlessChrome/", "Headless Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_browser(user_agent: str | None) -> str:
    """``Chrome on Linux`` from a User-Agent header (the first that fits; order matters:
    Edge and Chrome also say Safari, Android also says Linux)."""
    agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or (agent[:40] if agent else "Unknown browser")


def render(
    request: Request,
    name: str,
    values: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """A console page with the shared context; never cached (pages show personal data
    and one-time secrets)."""
    context: ConsoleContext = request.app.state.console
    found = asked(request)
    principal = found.principal
    code = request.query_params.get("done", "")
    done = DONE_MESSAGES.get(code)
    page: dict[str, Any] = {
        "principal": principal,
        "user": principal.user if principal else None,
        "role_label": ROLE_LABELS[principal.user.role] if principal else "",
        "csrf": found.csrf,
        "done": done,
        "done_kind": "warn" if code in WARNINGS else "ok",
        "nav": _nav(
            request,
            principal.user.role if principal else None,
            unseen=_unseen_mentions(context, principal.user.id) if principal else 0,
        ),
        "sso_label": context.service.sso.sso.label if context.service.sso else None,
        **(values or {}),
    }
    response = context.templates.TemplateResponse(request, name, page, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    if found.new_pre_session:
        response.set_cookie(
            cookies.PRE_SESSION,
            found.csrf,
            max_age=cookies.PRE_SESSION_SECONDS,
            path="/app",
            httponly=True,
            samesite="lax",
            secure=cookies.is_secure(request, always=context.secure_cookies),
        )
    return response


def _unseen_mentions(context: ConsoleContext, user_id: int) -> int:
    """Mentions of the user not yet seen on the Mentions page (one COUNT per page)."""
    return context.workspace.discussion.unseen(user_id)


def _nav(request: Request, role: Role | None, *, unseen: int = 0) -> list[dict[str, Any]]:
    if role is None:
        return []
    items = [("Campaigns", "/app", Action.CAMPAIGNS_READ), ("Maps", "/app/maps", Action.MAPS_READ)]
    items.append(
        (f"Mentions ({unseen})" if unseen else "Mentions", "/app/mentions", Action.MAPS_READ)
    )
    items.append(("Users", "/app/users", Action.USERS_MANAGE))
    items.append(("Account", "/app/account", Action.OWN_ACCOUNT))
    path = request.url.path.rstrip("/") or "/"
    return [
        {
            "label": label,
            "href": href,
            # The home is /app itself (its campaigns live under /app/campaigns); the
            # others own their sub-pages (/app/account/...).
            "current": path == href
            or path.startswith((CAMPAIGN_PAGES if href == HOME else href) + "/")
            or (href == HOME and path == CAMPAIGN_PAGES),
        }
        for label, href, action in items
        if allowed(role, action)
    ]


async def refusal_handler(request: Request, error: Exception) -> Response:
    """Render a :class:`ConsoleRefusal`: JSON for the API, a redirect, or a page."""
    assert isinstance(error, ConsoleRefusal)
    if error.api:
        return error_response(error.status, error.code, error.message, dict(error.headers))
    if error.location is not None:
        return RedirectResponse(error.location, status_code=error.status, headers=error.headers)
    titles = {403: "Not allowed", 404: "Not found", 500: "Something is wrong"}
    if getattr(request.state, "console", None) is None:
        # The guard itself refused before it could say who is asking.
        return _bare_page(error)
    return render(
        request,
        "console/message.html",
        {"title": titles.get(error.status, "Refused"), "message": error.message},
        status_code=error.status,
    )


def _bare_page(error: ConsoleRefusal) -> Response:
    return JSONResponse(
        {"error": {"code": error.code, "message": error.message}}, status_code=error.status
    )
