"""Discussion on maps in the console: start a thread on a cell (or a stage's lane),
reply, resolve and reopen, and "mentions for you". Comment text is shown escaped, as
typed; a mention of nobody is refused with the comment kept in the form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.service.console.permissions import Action
from bot.service.review.discussion import LANES, new_request_key
from bot.service.review.errors import ReviewError
from bot.web.console.context import ConsoleContext, console_context
from bot.web.console.guard import page_guard, principal_of, rule
from bot.web.console.maps_pages import MAPS, refused
from bot.web.console.rendering import render
from bot.web.console.review_pages import editor_of, safe_back, with_done

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_guard)])
Context = Annotated[ConsoleContext, Depends(console_context)]
DISCUSS = rule(Action.MAPS_REVIEW)


def _thread_anchor(target: str, thread_id: int) -> str:
    return f"{target.partition('#')[0]}#thread-{thread_id}"


def _not_posted(
    request: Request, run_id: int, error: ReviewError, *, back: str, body: str
) -> Response:
    values = {
        "title": "Comment not posted",
        "error": str(error),
        "body": body,
        "back": back,
        "run_id": run_id,
    }
    return render(request, "console/comment_refused.html", values, status_code=400)


@router.post(MAPS + "/{run_id}/threads", openapi_extra=DISCUSS)
def start_thread(
    run_id: int,
    request: Request,
    context: Context,
    cell_kind: Annotated[str, Form()],
    cell_id: Annotated[str, Form()],
    body: Annotated[str, Form()] = "",
    lane: Annotated[str, Form()] = "",
    request_key: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    target = safe_back(run_id, back, f"{MAPS}/{run_id}/cells/{cell_kind}/{cell_id}")
    try:
        thread = context.workspace.discussion.start(
            run_id,
            editor=editor_of(request),
            cell_kind=cell_kind,
            cell_id=cell_id,
            lane=lane,
            body=body,
            request_key=request_key or new_request_key(),
        )
    except ReviewError as error:
        return _not_posted(request, run_id, error, back=target, body=body)
    return RedirectResponse(_thread_anchor(with_done(target, "comment-posted"), thread.id), 303)


@router.post(MAPS + "/{run_id}/threads/{thread_id}/comments", openapi_extra=DISCUSS)
def reply(
    run_id: int,
    thread_id: int,
    request: Request,
    context: Context,
    body: Annotated[str, Form()] = "",
    request_key: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    target = safe_back(run_id, back, f"{MAPS}/{run_id}")
    try:
        context.workspace.discussion.reply(
            thread_id,
            editor=editor_of(request),
            body=body,
            request_key=request_key or new_request_key(),
        )
    except ReviewError as error:
        return _not_posted(request, run_id, error, back=target, body=body)
    return RedirectResponse(_thread_anchor(with_done(target, "comment-posted"), thread_id), 303)


@router.post(MAPS + "/{run_id}/threads/{thread_id}/status", openapi_extra=DISCUSS)
def resolve_or_reopen(
    run_id: int,
    thread_id: int,
    request: Request,
    context: Context,
    status: Annotated[str, Form()],
    back: Annotated[str, Form()] = "",
) -> Response:
    target = safe_back(run_id, back, f"{MAPS}/{run_id}")
    try:
        context.workspace.discussion.set_open(
            thread_id, editor=editor_of(request), open_=status == "open"
        )
    except ReviewError as error:
        return refused(request, error)
    done = "thread-reopened" if status == "open" else "thread-resolved"
    return RedirectResponse(_thread_anchor(with_done(target, done), thread_id), 303)


@router.get("/app/mentions", openapi_extra=rule(Action.MAPS_READ))
def mentions(request: Request, context: Context) -> Response:
    user = principal_of(request).user
    found = context.workspace.discussion.mentions_for(user.id, mark_seen=True)
    return render(request, "console/mentions.html", {"mentions": found, "lanes": LANES})
