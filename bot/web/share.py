"""A shared map, for anyone with the link: ``/share/TOKEN`` (the map page) and
``/share/TOKEN/map.pdf`` (its PDF), no sign-in.

What is shown is the run's curated map with customers' personal data redacted, whoever
made the link. The page is the self-contained map page (:mod:`synthesis.render_html`:
no script, its one inline stylesheet allowed by hash) under a Content-Security-Policy
header allowing nothing else, kept out of search engines (``X-Robots-Tag`` and a robots
meta tag) and out of caches (a revoked link stops working at once). An unknown, revoked
or expired link gets one and the same 404 page. Both routes count against the request
limits of the chat's links (per link and per client address).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot.service.review.cache import Lru
from bot.service.review.errors import ReviewError
from bot.service.review.exports import MapExports
from bot.service.review.sharing import SHARE_PATH, ShareLinks, ShareLinkView
from bot.web.context import WebContext, web_context
from bot.web.pages import _rate_limited, error_page
from synthesis.published import published_map
from synthesis.render_html import SharedBanner, content_security_policy, render_html

router = APIRouter(include_in_schema=False)
Context = Annotated[WebContext, Depends(web_context)]
ROBOTS = "noindex, nofollow, noarchive"
NOT_FOUND_TITLE = "This link does not work"
NOT_FOUND_MESSAGE = (
    "This shared map link is not valid: it may have expired or been withdrawn, or it was "
    "not copied completely. Ask whoever sent it for a new one."
)
# Pages kept: a link's page changes only with its map's edits.
CACHED_PAGES = 32


@dataclass
class Sharing:
    """What the share routes and the console's share pages need (``app.state.sharing``)."""

    links: ShareLinks
    exports: MapExports
    # Where people reach this server: the links shown to their makers start with it.
    public_url: str

    def __post_init__(self) -> None:
        self._pages: Lru[tuple[int, int], tuple[str, str]] = Lru(CACHED_PAGES)

    def url_of(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}{SHARE_PATH}{token}"

    def page(self, link: ShareLinkView, token: str) -> tuple[str, str]:
        """(HTML, Content-Security-Policy) of the link's page (ReviewError when its run
        cannot be read)."""
        review = self.exports.review
        reviewed = review.reviewed(link.run_id, personal=True)

        def make() -> tuple[str, str]:
            shown = published_map(reviewed.curated.journey_map, include_personal_data=False)
            banner = SharedBanner(
                shared_by=link.created_by,
                until=f"{link.expires_at:%d %b %Y}",
                note=link.note,
                pdf_href=f"{SHARE_PATH}{token}/map.pdf",
            )
            policy = content_security_policy(len(shown.stages)) + "; frame-ancestors 'none'"
            return render_html(shown, shared=banner), policy

        return self._pages.get((link.id, reviewed.layer.version), make)


def sharing_of(request: Request) -> Sharing:
    sharing: Sharing = request.app.state.sharing
    return sharing


def _not_found(context: WebContext, request: Request) -> Response:
    response = error_page(
        context, request, status_code=404, title=NOT_FOUND_TITLE, message=NOT_FOUND_MESSAGE
    )
    response.headers["X-Robots-Tag"] = ROBOTS
    response.headers["Cache-Control"] = "no-store"
    return response


def _opened(context: WebContext, request: Request, token: str) -> Response | ShareLinkView:
    limited = _rate_limited(context, request, f"share:{token}")
    if limited is not None:
        return limited
    link = sharing_of(request).links.open(token)
    return _not_found(context, request) if link is None else link


@router.get(SHARE_PATH + "{token}", response_class=HTMLResponse)
def shared_map(token: str, request: Request, context: Context) -> Response:
    opened = _opened(context, request, token)
    if isinstance(opened, Response):
        return opened
    try:
        html, policy = sharing_of(request).page(opened, token)
    except ReviewError:
        return _not_found(context, request)
    headers = {
        "Content-Security-Policy": policy,
        "X-Robots-Tag": ROBOTS,
        "Cache-Control": "no-store",
    }
    return HTMLResponse(html, headers=headers)


@router.get(SHARE_PATH + "{token}/map.pdf")
def shared_pdf(token: str, request: Request, context: Context) -> Response:
    opened = _opened(context, request, token)
    if isinstance(opened, Response):
        return opened
    try:
        found = sharing_of(request).exports.download(
            opened.run_id, "pdf", include_personal_data=False, shared_by=opened.created_by
        )
    except ReviewError:
        return _not_found(context, request)
    headers = {
        "Content-Disposition": f'attachment; filename="{found.filename}"',
        "X-Robots-Tag": ROBOTS,
        "Cache-Control": "no-store",
    }
    return Response(found.body, media_type=found.media_type, headers=headers)
