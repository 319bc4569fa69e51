"""Reviewing a map: a cell's review page (rename, describe, merge, accept or reject, its
edits with undo), and the forms every edit and undo posts to.

Every form carries the layer version its page showed; when someone else changed the map
meanwhile the answer is 409 with their changes and the reviewer's own edit, ready to
save again: nothing is stored over anyone, nothing typed is lost.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.service.console.permissions import Action
from bot.service.review.discussion import LANES, new_request_key
from bot.service.review.errors import EditConflict, EditRefused, ReviewError
from bot.service.review.layer import Editor
from bot.web.console.context import ConsoleContext, console_context
from bot.web.console.guard import page_guard, principal_of, rule
from bot.web.console.maps_pages import MAPS, personal, refused
from bot.web.console.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_guard)])
Context = Annotated[ConsoleContext, Depends(console_context)]
REVIEW = rule(Action.MAPS_REVIEW)
# The form fields an edit's payload is made of (see synthesis.curation.edits).
PAYLOAD_FIELDS = ("name", "description", "into", "to", "decision", "message_id", "interview_id")


def editor_of(request: Request) -> Editor:
    user = principal_of(request).user
    return Editor(user_id=user.id, name=user.name)


def safe_back(run_id: int, back: str | None, fallback: str) -> str:
    """Where to go after a form: a page of this map, never anywhere else."""
    prefix = f"{MAPS}/{run_id}"
    if (
        back
        and (back == prefix or back.startswith((prefix + "/", prefix + "#", prefix + "?")))
        and "\\" not in back
        and not any(ord(c) < 32 for c in back)
    ):
        return back
    return fallback


def with_done(target: str, code: str) -> str:
    """``target`` with ``?done=code`` added before its fragment."""
    path, hash_sign, fragment = target.partition("#")
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}done={code}{hash_sign}{fragment}"


@router.get(MAPS + "/{run_id}/cells/{kind}/{item_id}", openapi_extra=rule(Action.MAPS_READ))
def cell_page(run_id: int, kind: str, item_id: str, request: Request, context: Context) -> Response:
    try:
        page = context.review.cell_page(
            run_id, kind=kind, item_id=item_id, personal=personal(request)
        )
        info = context.review.library.run(run_id).info
    except EditRefused as error:
        return refused(request, ReviewError(str(error)))
    except ReviewError as error:
        return refused(request, error)
    workspace = context.workspace
    threads = workspace.discussion.threads(run_id, cell=(kind, item_id))
    actions = [
        a
        for a in workspace.actions.list(run_id)
        if (a.source_kind, a.source_id) == (kind, item_id)
        or (kind == "pain" and item_id in a.pains)
    ]
    values = {
        "c": page,
        "info": info,
        "can_review": principal_of(request).may(Action.MAPS_REVIEW),
        "here": request.url.path,
        "threads": threads,
        "lanes": LANES,
        "request_key": new_request_key(),
        "actions": actions,
        "owners": workspace.actions.owners() if kind in ("pain", "opportunity") else [],
        "approval": workspace.approvals.status(run_id),
    }
    return render(request, "console/cell.html", values)


@router.get(MAPS + "/{run_id}/history", openapi_extra=rule(Action.MAPS_READ))
def history(run_id: int, request: Request, context: Context) -> Response:
    try:
        page = context.review.history(run_id)
    except ReviewError as error:
        return refused(request, error)
    run_ids = [r.id for r in page.series.runs]
    values = {
        "h": page,
        "can_review": principal_of(request).may(Action.MAPS_REVIEW),
        "here": request.url.path,
        "statuses": context.workspace.approvals.statuses(run_ids),
        "status_events": context.workspace.approvals.events(run_ids),
    }
    return render(request, "console/history.html", values)


@router.post(MAPS + "/{run_id}/edits", openapi_extra=REVIEW)
async def add_edit(run_id: int, request: Request, context: Context) -> Response:
    form = await request.form()
    fields: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    steps = [s for s in form.getlist("steps") if isinstance(s, str)]
    payload: dict[str, Any] = {k: fields[k] for k in PAYLOAD_FIELDS if fields.get(k, "") != ""}
    for name in ("name", "description"):
        # The rename form sends what its page showed: a field left as it was is not part
        # of the edit (it would overwrite whatever another reviewer set meanwhile).
        was = fields.get(f"was_{name}")
        if was is not None and " ".join(was.split()) == " ".join(fields.get(name, "").split()):
            payload.pop(name, None)
    if fields.get("step", "") != "":
        payload["step"] = fields["step"]
    if steps:
        payload["steps"] = steps
    fallback = f"{MAPS}/{run_id}"
    back = safe_back(run_id, fields.get("back"), fallback)
    try:
        expected = int(fields.get("version", ""))
    except ValueError:
        expected = -1
    try:
        context.review.edit(
            run_id,
            editor=editor_of(request),
            expected=expected,
            kind=fields.get("kind", ""),
            target_kind=fields.get("target_kind", ""),
            target_id=fields.get("target_id", ""),
            payload=payload,
            reason=fields.get("reason", ""),
        )
    except EditConflict as conflict:
        return _conflict(request, context, run_id, conflict, fields=fields, steps=steps, back=back)
    except ReviewError as error:
        values = {"error": str(error), "back": back, "run_id": run_id, "conflict": None}
        return render(request, "console/edit_result.html", values, status_code=400)
    return RedirectResponse(with_done(back, "edit-saved"), status_code=303)


@router.post(MAPS + "/{run_id}/edits/{edit_id}/undo", openapi_extra=REVIEW)
def undo_edit(
    run_id: int,
    edit_id: int,
    request: Request,
    context: Context,
    version: Annotated[int, Form()] = -1,
    back: Annotated[str, Form()] = "",
) -> Response:
    target = safe_back(run_id, back, f"{MAPS}/{run_id}/history")
    try:
        context.review.undo(run_id, edit_id, editor=editor_of(request), expected=version)
    except EditConflict as conflict:
        return _conflict(
            request,
            context,
            run_id,
            conflict,
            fields={"back": target},
            steps=[],
            back=target,
            undo=edit_id,
        )
    except ReviewError as error:
        values = {"error": str(error), "back": target, "run_id": run_id, "conflict": None}
        return render(request, "console/edit_result.html", values, status_code=400)
    return RedirectResponse(with_done(target, "edit-undone"), status_code=303)


def _conflict(
    request: Request,
    context: ConsoleContext,
    run_id: int,
    conflict: EditConflict,
    *,
    fields: dict[str, Any],
    steps: list[str],
    back: str,
    undo: int | None = None,
) -> Response:
    """409: who changed what since the reviewer's page, and their own edit in a form
    to save again on the version that is current now."""
    kept = {k: v for k, v in fields.items() if k not in {"csrf_token", "version", "steps"}}
    since = list(conflict.since)
    values = {
        "error": str(conflict),
        "conflict": conflict,
        "changes": list(zip(since, context.review.words(run_id, since), strict=True)),
        "fields": kept,
        "steps": steps,
        "back": back,
        "run_id": run_id,
        "undo": undo,
    }
    return render(request, "console/edit_result.html", values, status_code=409)
