"""The maps' JSON API for scripts: the series, a curated map with its review state, and
edits. An edit sends the layer ``version`` it was made on; when the map changed since,
the answer is 409 with the current version and the changes since, and nothing is
stored."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.service.console.permissions import Action
from bot.service.review.errors import EditConflict, MapNotFound, MapUnreadable, ReviewError
from bot.service.review.layer import Editor, EditView
from bot.web.console.context import ConsoleContext, console_context
from bot.web.console.guard import api_guard, principal_of, rule
from bot.web.http_errors import error_response
from bot.web.schemas import ErrorView

ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorView, "description": "No API key, or an unknown or revoked one"},
    403: {"model": ErrorView, "description": "The key's scopes or its owner's role refuse it"},
    404: {"model": ErrorView, "description": "No such stored map"},
}
router = APIRouter(
    prefix="/api/v1/maps", tags=["maps"], responses=ERRORS, dependencies=[Depends(api_guard)]
)
Context = Annotated[ConsoleContext, Depends(console_context)]


class EditIn(BaseModel):
    version: int = Field(description="The layer version the edit was made on.")
    kind: str = Field(description="rename, merge, split, move, decide or pin.")
    target_kind: str = Field(description="stage, pain, emerging, opportunity or step.")
    target_id: str = Field(description="The target's id; a step as 'INTERVIEW_ID#ORDINAL'.")
    payload: dict[str, Any] = Field(default_factory=dict)
    reason: str = Field(description="Why: the map's history keeps it.")


def _edit_json(view: EditView) -> dict[str, Any]:
    edit = view.edit
    return {
        "id": edit.id,
        "kind": edit.kind,
        "target_kind": edit.target_kind,
        "target_id": edit.target_id,
        "payload": dict(edit.payload),
        "reason": edit.reason,
        "author": edit.author,
        "created_at": edit.created_at.isoformat() if edit.created_at else None,
        "version": view.version,
        "undone_at": view.undone_at.isoformat() if view.undone_at else None,
        "undone_by": view.undone_by,
    }


def _refusal(error: ReviewError) -> JSONResponse:
    if isinstance(error, EditConflict):
        return JSONResponse(
            {
                "error": {
                    "code": "conflict",
                    "message": str(error),
                    "current_version": error.current,
                    "changes_since": [_edit_json(e) for e in error.since],
                }
            },
            status_code=409,
        )
    if isinstance(error, MapNotFound):
        return error_response(404, "not_found", str(error))
    if isinstance(error, MapUnreadable):
        return error_response(500, "unreadable", str(error))
    return error_response(400, "edit_refused", str(error))


@router.get("", openapi_extra=rule(Action.MAPS_READ), summary="List map series")
def list_series(context: Context) -> dict[str, Any]:
    """Every stored map series (campaign and segment) with its runs, newest first."""
    return {
        "series": [
            {
                "campaign": s.campaign,
                "segment": s.segment,
                "latest_run_id": s.latest.id,
                "run_ids": [r.id for r in s.runs],
            }
            for s in context.review.series()
        ]
    }


@router.get("/{run_id}", openapi_extra=rule(Action.MAPS_READ), summary="A curated map")
def get_map(run_id: int, request: Request, context: Context) -> Any:
    """The run's map with its series' edits applied (customers' personal data masked
    without the ``personal-data:read`` scope), the layer version to edit it on, the
    decisions and each edit's outcome in this run."""
    personal = principal_of(request).may(Action.PERSONAL_DATA_READ)
    try:
        reviewed = context.review.reviewed(run_id, personal=personal)
    except ReviewError as error:
        return _refusal(error)
    curated = reviewed.curated
    return {
        "run_id": run_id,
        "version": reviewed.layer.version,
        "masked": reviewed.masked,
        "map": curated.journey_map.model_dump(mode="json"),
        "review": {
            "decisions": [
                {"kind": kind, "id": item, "decision": decision}
                for (kind, item), decision in sorted(curated.decisions.items())
            ],
            "rejected_pain_points": [p.id for p in curated.rejected_pains],
            "rejected_opportunities": [o.id for o in curated.rejected_opportunities],
            "rejected_emerging_stages": [e.id for e in curated.rejected_emerging],
            "edits": [
                {
                    **_edit_json(e),
                    "outcome": curated.outcomes[e.id].status if e.id in curated.outcomes else None,
                    "detail": curated.outcomes[e.id].detail if e.id in curated.outcomes else None,
                }
                for e in reviewed.layer.edits
            ],
        },
    }


@router.post(
    "/{run_id}/edits",
    openapi_extra=rule(Action.MAPS_REVIEW),
    status_code=201,
    summary="Edit a map",
    responses={409: {"description": "The map changed since `version`: nothing stored"}},
)
def add_edit(run_id: int, body: EditIn, request: Request, context: Context) -> Any:
    """Add an edit to the map's curation layer (it applies to every run of the series)."""
    user = principal_of(request).user
    try:
        made = context.review.edit(
            run_id,
            editor=Editor(user_id=user.id, name=user.name),
            expected=body.version,
            kind=body.kind,
            target_kind=body.target_kind,
            target_id=body.target_id,
            payload=body.payload,
            reason=body.reason,
        )
    except ReviewError as error:
        return _refusal(error)
    return JSONResponse({"edit": _edit_json(made), "version": made.version}, status_code=201)
