"""The opt-out link every invitation carries: ``/o/{token}``.

Opening it shows whose address it is for and a button; pressing the button (a POST,
also what a mail program's one-click ``List-Unsubscribe-Post`` sends) puts the address
on the suppression list. A GET changes nothing because mail security scanners open every
link in a message: they must not unsubscribe people.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot.service.links import LinkNotFound
from bot.web.context import WebContext, web_context
from bot.web.pages import _rate_limited, error_page

router = APIRouter(include_in_schema=False)
Context = Annotated[WebContext, Depends(web_context)]
UNKNOWN = "This link is not valid. Check that it was copied completely from the message."


def _page(context: WebContext, request: Request, **values: object) -> HTMLResponse:
    response = context.templates.TemplateResponse(request, "optout.html", dict(values))
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/o/{token}", response_class=HTMLResponse)
def opt_out_page(token: str, request: Request, context: Context) -> Response:
    limited = _rate_limited(context, request, token)
    if limited is not None or context.invitations is None:
        return limited or error_page(
            context, request, status_code=404, title="Link not found", message=UNKNOWN
        )
    try:
        address = context.invitations.opt_out_address(token)
    except LinkNotFound:
        return error_page(
            context, request, status_code=404, title="Link not found", message=UNKNOWN
        )
    return _page(
        context,
        request,
        title="Stop these messages?",
        message=f"Press the button and we will not send anything more to {address}, "
        "about this or any other study.",
        confirm=True,
        token=token,
    )


@router.post("/o/{token}", response_class=HTMLResponse)
def opt_out(token: str, request: Request, context: Context) -> Response:
    limited = _rate_limited(context, request, token)
    if limited is not None or context.invitations is None:
        return limited or error_page(
            context, request, status_code=404, title="Link not found", message=UNKNOWN
        )
    try:
        result = context.invitations.opt_out(token)
    except LinkNotFound:
        return error_page(
            context, request, status_code=404, title="Link not found", message=UNKNOWN
        )
    already = " (it was already on our list)" if result.already else ""
    return _page(
        context,
        request,
        title="You will not hear from us again",
        message=f"Done: {result.address} is on our do-not-contact list{already}. We are "
        "sorry for the bother, and thank you for letting us know.",
        confirm=False,
        token=token,
    )
