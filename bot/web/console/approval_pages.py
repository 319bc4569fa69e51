"""A map version's review status in the console: put it in review, approve it, send it
back to draft or reopen it (with a reason). The permission table says who may make
which move (``bot.service.review.approval.MOVES``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.service.console.permissions import Action
from bot.service.review.errors import ChangedMeanwhile, NotPermitted, ReviewError
from bot.web.console.context import ConsoleContext, console_context
from bot.web.console.guard import page_guard, principal_of, rule
from bot.web.console.maps_pages import MAPS
from bot.web.console.rendering import render
from bot.web.console.review_pages import editor_of, safe_back, with_done

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_guard)])
Context = Annotated[ConsoleContext, Depends(console_context)]


@router.post(MAPS + "/{run_id}/status", openapi_extra=rule(Action.MAPS_REVIEW))
def change_status(
    run_id: int,
    request: Request,
    context: Context,
    expected: Annotated[str, Form()],
    to: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    target = safe_back(run_id, back, f"{MAPS}/{run_id}")
    principal = principal_of(request)
    try:
        context.workspace.approvals.move(
            run_id,
            editor=editor_of(request),
            expected=expected,
            to=to,
            reason=reason,
            may=principal.may,
        )
    except ReviewError as error:
        status = (
            403
            if isinstance(error, NotPermitted)
            else 409
            if isinstance(error, ChangedMeanwhile)
            else 400
        )
        values = {
            "title": "Status not changed",
            "message": str(error),
            "back": (target, "Back to the map"),
        }
        return render(request, "console/message.html", values, status_code=status)
    return RedirectResponse(with_done(target, "status-changed"), status_code=303)
