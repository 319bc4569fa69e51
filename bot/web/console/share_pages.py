"""A map's downloads and share links in the console: the PDF, PNG and whiteboard CSV of
the curated map (``maps:read``; with personal data only for ``personal-data:read``, and
only when asked for), and making, listing and revoking read-only share links
(``maps:share``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.service.console.permissions import Action
from bot.service.review.errors import ReviewError
from bot.service.review.exports import UnknownExport
from bot.service.review.sharing import ShareRefused, fresh_token
from bot.web.console.context import ConsoleContext, console_context
from bot.web.console.guard import ConsoleRefusal, page_guard, principal_of, rule
from bot.web.console.maps_pages import MAPS, refused
from bot.web.console.rendering import render
from bot.web.console.review_pages import editor_of
from bot.web.share import sharing_of

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_guard)])
Context = Annotated[ConsoleContext, Depends(console_context)]
SHARE = rule(Action.MAPS_SHARE)


@router.get(MAPS + "/{run_id}/export/{name}", openapi_extra=rule(Action.MAPS_READ))
def export(run_id: int, name: str, request: Request, personal: bool = False) -> Response:
    """The curated map as a file; ``personal`` (asked for explicitly) keeps customers'
    personal data, for roles that may see it."""
    if personal and not principal_of(request).may(Action.PERSONAL_DATA_READ):
        raise ConsoleRefusal(
            403,
            "forbidden",
            "Your role may not see customers' personal data: download the map without it.",
            api=False,
        )
    try:
        found = sharing_of(request).exports.download(run_id, name, include_personal_data=personal)
    except UnknownExport as error:
        return refused(request, ReviewError(str(error)))
    except ReviewError as error:
        return refused(request, error)
    return Response(
        found.body,
        media_type=found.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{found.filename}"',
            "Cache-Control": "no-store",
        },
    )


def _shares_page(
    request: Request, context: ConsoleContext, run_id: int, *, status: int = 200, **extra: Any
) -> Response:
    sharing = sharing_of(request)
    try:
        info = context.review.library.run(run_id).info
    except ReviewError as error:
        return refused(request, error)
    values: dict[str, Any] = {
        "info": info,
        "links": sharing.links.links(run_id),
        "now": sharing.links.now(),
        "token": fresh_token(),
        "default_days": sharing.links.config.default_days,
        "max_days": sharing.links.config.max_days,
        "note": "",
        "days": sharing.links.config.default_days,
        "made": None,
        "made_url": "",
        "error": "",
        **extra,
    }
    return render(request, "console/shares.html", values, status_code=status)


@router.get(MAPS + "/{run_id}/shares", openapi_extra=SHARE)
def shares(run_id: int, request: Request, context: Context) -> Response:
    return _shares_page(request, context, run_id)


@router.post(MAPS + "/{run_id}/shares", openapi_extra=SHARE)
def create_share(
    run_id: int,
    request: Request,
    context: Context,
    token: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Make a link; the answer shows it (once: only its hash is kept). The same form sent
    again answers with the same link."""
    sharing = sharing_of(request)
    try:
        lifetime = int(days) if days.strip() else None
    except ValueError:
        lifetime = -1
    try:
        made = sharing.links.create(
            run_id, token=token, editor=editor_of(request), note=note, days=lifetime
        )
    except ShareRefused as error:
        return _shares_page(
            request, context, run_id, status=400, error=str(error), note=note, days=days
        )
    except ReviewError as error:
        return refused(request, error)
    return _shares_page(request, context, run_id, made=made, made_url=sharing.url_of(made.token))


@router.post(MAPS + "/{run_id}/shares/{share_id}/revoke", openapi_extra=SHARE)
def revoke_share(run_id: int, share_id: int, request: Request) -> Response:
    try:
        sharing_of(request).links.revoke(run_id, share_id, editor=editor_of(request))
    except ShareRefused as error:
        return refused(request, ReviewError(str(error)))
    return RedirectResponse(f"{MAPS}/{run_id}/shares?done=share-revoked", status_code=303)
