"""Actions and closing the loop in the console: the actions of a map series (filtered
by status, owner or pain point), creating one on a pain point or an opportunity,
changing it, and for a done action of an approved map, the "here is what we changed"
message: drafted, edited, and sent (sending reaches customers through the campaign's
channels, so it needs ``campaigns:write``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.service.console.permissions import Action
from bot.service.review.actions import STATUSES, ActionFilters
from bot.service.review.discussion import new_request_key
from bot.service.review.errors import ChangedMeanwhile, ReviewError
from bot.web.console.context import ConsoleContext, console_context
from bot.web.console.guard import page_guard, principal_of, rule
from bot.web.console.maps_pages import MAPS, personal, refused
from bot.web.console.rendering import render
from bot.web.console.review_pages import editor_of, with_done

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_guard)])
Context = Annotated[ConsoleContext, Depends(console_context)]
READ = rule(Action.MAPS_READ)
REVIEW = rule(Action.MAPS_REVIEW)


def _pains_of(context: ConsoleContext, run_id: int) -> list[tuple[str, str]]:
    journey_map = context.review.journey_map(run_id, personal=True)
    return [(p.id, p.label) for p in journey_map.pain_points]


def _problem(request: Request, run_id: int, error: ReviewError, back: str) -> Response:
    status = 409 if isinstance(error, ChangedMeanwhile) else 400
    values = {"title": "Not saved", "message": str(error), "back": (back, "Back")}
    return render(request, "console/message.html", values, status_code=status)


@router.get(MAPS + "/{run_id}/actions", openapi_extra=READ)
def actions(
    run_id: int,
    request: Request,
    context: Context,
    status: str | None = None,
    owner: str | None = None,
    pain: str | None = None,
) -> Response:
    owner_id = int(owner) if owner and owner.isdigit() else None
    filters = ActionFilters(
        status=status if status in STATUSES else None, owner_id=owner_id, pain=pain or None
    )
    try:
        found = context.workspace.actions.list(run_id, filters)
        info = context.review.library.run(run_id).info
        pains = _pains_of(context, run_id)
    except ReviewError as error:
        return refused(request, error)
    values: dict[str, Any] = {
        "info": info,
        "actions": found,
        "filters": filters,
        "statuses": STATUSES,
        "owners": context.workspace.actions.owners(),
        "pains": pains,
        "pain_names": dict(pains),
        "today": date.today(),
        "can_review": principal_of(request).may(Action.MAPS_REVIEW),
    }
    return render(request, "console/actions.html", values)


@router.post(MAPS + "/{run_id}/actions", openapi_extra=REVIEW)
async def create_action(run_id: int, request: Request, context: Context) -> Response:
    form = await request.form()
    field = {k: v for k, v in form.items() if isinstance(v, str)}
    owner = field.get("owner", "")
    back = f"{MAPS}/{run_id}/cells/{field.get('source_kind', '')}/{field.get('source_id', '')}"
    try:
        action = context.workspace.actions.create(
            run_id,
            editor=editor_of(request),
            source_kind=field.get("source_kind", ""),
            source_id=field.get("source_id", ""),
            title=field.get("title", ""),
            owner_id=int(owner) if owner.isdigit() else None,
            due_on=field.get("due_on", ""),
            pains=[p for p in form.getlist("pains") if isinstance(p, str)],
            request_key=field.get("request_key") or new_request_key(),
        )
    except ReviewError as error:
        return _problem(request, run_id, error, back)
    return RedirectResponse(
        with_done(f"{MAPS}/{run_id}/actions/{action.id}", "action-saved"), status_code=303
    )


@router.get(MAPS + "/{run_id}/actions/{action_id}", openapi_extra=READ)
def action_page(run_id: int, action_id: int, request: Request, context: Context) -> Response:
    principal = principal_of(request)
    try:
        loop = context.workspace.loop.page(run_id, action_id)
        info = context.review.library.run(run_id).info
        pains = _pains_of(context, run_id)
    except ReviewError as error:
        return refused(request, error)
    values: dict[str, Any] = {
        "info": info,
        "lp": loop,
        "a": loop.action,
        "statuses": STATUSES,
        "owners": context.workspace.actions.owners(),
        "pains": pains,
        "pain_names": dict(pains),
        "masked": not personal(request),
        "can_review": principal.may(Action.MAPS_REVIEW),
        "can_send": principal.may(Action.CAMPAIGNS_WRITE),
        "sent_to": {s.participant_id: s for s in loop.sends},
    }
    return render(request, "console/action.html", values)


@router.post(MAPS + "/{run_id}/actions/{action_id}", openapi_extra=REVIEW)
async def change_action(
    run_id: int, action_id: int, request: Request, context: Context
) -> Response:
    form = await request.form()
    field = {k: v for k, v in form.items() if isinstance(v, str)}
    owner = field.get("owner", "")
    here = f"{MAPS}/{run_id}/actions/{action_id}"
    try:
        context.workspace.actions.change(
            run_id,
            action_id,
            expected=int(field.get("version", "0") or 0),
            title=field.get("title", ""),
            owner_id=int(owner) if owner.isdigit() else None,
            status=field.get("status", ""),
            due_on=field.get("due_on", ""),
            pains=[p for p in form.getlist("pains") if isinstance(p, str)],
        )
    except (ReviewError, ValueError) as error:
        problem = error if isinstance(error, ReviewError) else ReviewError("A field is not valid.")
        return _problem(request, run_id, problem, here)
    return RedirectResponse(with_done(here, "action-saved"), status_code=303)


@router.post(MAPS + "/{run_id}/actions/{action_id}/loop", openapi_extra=REVIEW)
def save_loop_message(
    run_id: int,
    action_id: int,
    request: Request,
    context: Context,
    subject: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    draft: Annotated[str, Form()] = "",
) -> Response:
    here = f"{MAPS}/{run_id}/actions/{action_id}"
    loop = context.workspace.loop
    try:
        if draft:
            loop.draft(run_id, action_id, editor=editor_of(request))
        else:
            loop.save(run_id, action_id, editor=editor_of(request), subject=subject, body=body)
    except ReviewError as error:
        return _problem(request, run_id, error, here)
    return RedirectResponse(with_done(here + "#loop", "loop-saved"), status_code=303)


@router.post(
    MAPS + "/{run_id}/actions/{action_id}/loop/send", openapi_extra=rule(Action.CAMPAIGNS_WRITE)
)
def send_loop_message(run_id: int, action_id: int, request: Request, context: Context) -> Response:
    here = f"{MAPS}/{run_id}/actions/{action_id}"
    try:
        context.workspace.loop.send(run_id, action_id, editor=editor_of(request))
    except ReviewError as error:
        return _problem(request, run_id, error, here)
    return RedirectResponse(with_done(here + "#loop", "loop-queued"), status_code=303)
