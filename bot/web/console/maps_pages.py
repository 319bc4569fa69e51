"""Journey maps in the console: the series of stored maps, a map page (stages as
columns, lanes as rows), the evidence behind every cell, and transcripts at the quoted
message. Customers' personal data is masked unless the role may see it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from bot.service.console.permissions import Action
from bot.service.review.approval import STATUS_LABELS, moves_from
from bot.service.review.errors import MapUnreadable, ReviewError
from bot.service.review.evidence import CELL_KINDS, Filters
from bot.web.console.context import ConsoleContext, console_context
from bot.web.console.guard import page_guard, principal_of, rule
from bot.web.console.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_guard)])
Context = Annotated[ConsoleContext, Depends(console_context)]
MAPS = "/app/maps"
READ = rule(Action.MAPS_READ)


def personal(request: Request) -> bool:
    """Whether the one asking may see customers' personal data (else it is masked)."""
    return principal_of(request).may(Action.PERSONAL_DATA_READ)


def refused(request: Request, error: ReviewError) -> Response:
    status = 500 if isinstance(error, MapUnreadable) else 404
    title = "Map cannot be read" if status == 500 else "Not found"
    return render(
        request,
        "console/message.html",
        {"title": title, "message": str(error), "back": (MAPS, "Back to maps")},
        status_code=status,
    )


@router.get(MAPS, openapi_extra=READ)
def maps(request: Request, context: Context) -> Response:
    return render(request, "console/maps.html", {"series": context.review.series()})


@router.get(MAPS + "/diff", openapi_extra=READ)
def diff(
    request: Request,
    context: Context,
    before: int | None = None,
    after: int | None = None,
    waves: bool | None = None,
) -> Response:
    """Two versions or two waves side by side (declared before ``/maps/{run_id}``, which
    would otherwise take ``diff`` for a run id)."""
    if before is None or after is None:
        return render(request, "console/diff_choose.html", {"series": context.review.series()})
    try:
        page = context.review.diff(before, after, waves=waves, personal=personal(request))
    except ReviewError as error:
        return refused(request, error)
    return render(request, "console/diff.html", {"d": page})


@router.get(MAPS + "/{run_id}", openapi_extra=READ)
def map_page(run_id: int, request: Request, context: Context) -> Response:
    try:
        page = context.review.map_page(run_id, personal=personal(request))
    except ReviewError as error:
        return refused(request, error)
    principal = principal_of(request)
    workspace = context.workspace
    approval = workspace.approvals.status(run_id)
    threads = workspace.discussion.threads(run_id, open_only=True)
    talk: dict[tuple[str, str], int] = {}
    for thread in threads:
        if thread.open:
            key = (thread.cell_kind, thread.cell_id)
            talk[key] = talk.get(key, 0) + 1
    values = {
        "p": page,
        "m": page.journey_map,
        "can_review": principal.may(Action.MAPS_REVIEW),
        "approval": approval,
        "moves": moves_from(approval.status, principal.may) if page.is_latest else [],
        "status_labels": STATUS_LABELS,
        "talk": talk,
        "open_threads": [t for t in threads if t.open],
        "actions": workspace.actions.list(run_id),
    }
    return render(request, "console/map.html", values)


@router.get(MAPS + "/{run_id}/evidence/{kind}/{item_id}", openapi_extra=READ)
def evidence(
    run_id: int,
    kind: str,
    item_id: str,
    request: Request,
    context: Context,
    page: Annotated[int, Query(ge=1)] = 1,
    theme: Annotated[int | None, Query(ge=0)] = None,
    channel: str | None = None,
    feeling: Annotated[int | None, Query(ge=1, le=5)] = None,
    pain: str | None = None,
    person: str | None = None,
    tool: str | None = None,
    moment: bool = False,
    provenance: str | None = None,
    new: bool = False,
    transfer: bool = False,
    contact: bool = False,
    rated: bool = False,
    resolved: str | None = None,
    effort: str | None = None,
    path: str | None = None,
) -> Response:
    if kind not in CELL_KINDS:
        return refused(request, ReviewError(f"There is no kind of cell called {kind[:40]!r}."))
    filters = Filters(
        channel=channel,
        feeling=feeling,
        pain=pain,
        person=person,
        tool=tool,
        moment=moment,
        provenance=provenance,
        new=new,
        transfer=transfer,
        contact=contact,
        rated=rated,
        resolved=resolved,
        effort=effort,
        path=path,
    )
    try:
        found = context.review.evidence(
            run_id,
            kind=kind,
            item_id=item_id,
            filters=filters,
            page=page,
            personal=personal(request),
            theme=theme,
        )
        info = context.review.library.run(run_id).info
        controls = context.review.controls(run_id)
    except ReviewError as error:
        return refused(request, error)
    values: dict[str, Any] = {
        "e": found,
        "info": info,
        "masked": not personal(request),
        "controls": controls,
        "can_review": principal_of(request).may(Action.MAPS_REVIEW),
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    }
    return render(request, "console/evidence.html", values)


@router.get(MAPS + "/{run_id}/interviews/{interview_id}", openapi_extra=READ)
def transcript(run_id: int, interview_id: str, request: Request, context: Context) -> Response:
    try:
        view = context.review.transcript(run_id, interview_id, personal=personal(request))
        info = context.review.library.run(run_id).info
    except ReviewError as error:
        return refused(request, error)
    return render(request, "console/transcript.html", {"t": view, "info": info})
