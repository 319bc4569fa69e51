"""The admins' privacy API: everything stored about one customer (an access request)
and erasing it (an erasure request), by participant id, email or Slack user id, in
every campaign. Needs the ``personal-data:manage`` permission, which only admins have."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.service.console.permissions import Action
from bot.service.privacy import NobodyFound, NoOneAsked, PersonalData, Who, account_actor
from bot.web.console.context import ConsoleContext, console_context
from bot.web.console.guard import api_guard, principal_of, rule
from bot.web.http_errors import error_response
from bot.web.schemas import ErrorView

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorView, "description": "No participant id, email or Slack user id"},
    401: {"model": ErrorView, "description": "No API key, or an unknown or revoked one"},
    403: {"model": ErrorView, "description": "Only admins may export or erase a person's data"},
    404: {"model": ErrorView, "description": "No participant matches"},
}
router = APIRouter(
    prefix="/api/v1/participants",
    tags=["privacy"],
    responses=ERRORS,
    dependencies=[Depends(api_guard)],
)
Context = Annotated[ConsoleContext, Depends(console_context)]


class PersonIn(BaseModel):
    participant_id: int | None = Field(None, description="A participant id.")
    email: str | None = Field(None, max_length=320, description="An email address.")
    slack_user_id: str | None = Field(None, max_length=40, description="A Slack user id.")


class MatchOut(BaseModel):
    participant_id: int
    campaign: str
    external_id: str | None
    email: str | None
    slack_user_id: str | None
    interviews: int


class ErasureOut(BaseModel):
    erasure_id: str = Field(description="The audit record's id: a receipt, not the person.")
    erased_at: str
    matched: list[MatchOut]
    counts: dict[str, int] = Field(description="Rows deleted per table, and files deleted.")
    retired_runs: list[int] = Field(description="Stored maps that quoted them, now retired.")
    kept_suppressions: int = Field(description="Suppression entries kept for their address.")


def _sentence(error: Exception) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + "."


def _privacy(context: ConsoleContext) -> PersonalData:
    if context.privacy is None:
        raise RuntimeError("the console was mounted without the privacy service")
    return context.privacy


def _who(body: PersonIn) -> Who | JSONResponse:
    try:
        return Who(
            participant_id=body.participant_id, email=body.email, slack_user_id=body.slack_user_id
        )
    except NoOneAsked as error:
        return error_response(400, "no_one", _sentence(error))


@router.get(
    "/export",
    openapi_extra=rule(Action.PERSONAL_DATA_MANAGE),
    summary="Everything stored about one person",
)
def export(context: Context, person: Annotated[PersonIn, Query()]) -> Any:
    """One JSON document with the person's participant rows in every campaign, their
    interviews (messages, steps with provenance, model calls), consent choices,
    personal links, invitations with the messages sent, and Slack deliveries."""
    who = _who(person)
    if isinstance(who, JSONResponse):
        return who
    try:
        return _privacy(context).export(who)
    except NobodyFound as error:
        return error_response(404, "not_found", _sentence(error))


@router.post(
    "/erase",
    openapi_extra=rule(Action.PERSONAL_DATA_MANAGE),
    response_model=ErasureOut,
    summary="Erase one person everywhere",
)
def erase(body: PersonIn, request: Request, context: Context) -> Any:
    """Delete everything stored about the person (see the README's Privacy section);
    stored maps that quoted them are retired and their files deleted. Cannot be undone.
    Sending it again answers 404: there is nobody left to erase."""
    who = _who(body)
    if isinstance(who, JSONResponse):
        return who
    actor = account_actor(principal_of(request).user.id)
    try:
        report = _privacy(context).erase(who, actor=actor)
    except NobodyFound as error:
        return error_response(404, "not_found", _sentence(error))
    return ErasureOut(
        erasure_id=report.erasure_id,
        erased_at=report.erased_at.isoformat(),
        matched=[
            MatchOut(
                participant_id=m.participant_id,
                campaign=m.campaign,
                external_id=m.external_id,
                email=m.email,
                slack_user_id=m.slack_user_id,
                interviews=m.interviews,
            )
            for m in report.matches
        ],
        counts=report.counts,
        retired_runs=report.retired_runs,
        kept_suppressions=report.kept_suppressions,
    )
