"""``POST /api/v1/campaigns/{slug}/participants``: add one or many participants from a
script (an API key with the ``campaigns:write`` scope), optionally invited at once or
after a delay. Idempotent: sending the same people again updates them and invites
nobody twice. Each item gets its own result; a bad item does not stop the others."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from bot.service.console.permissions import Action
from bot.service.errors import CampaignNotFound
from bot.service.invitations import InvalidSchedule
from bot.service.participant_intake import InvitationRequest
from bot.web.console.api import ERRORS
from bot.web.console.guard import ConsoleRefusal, api_guard, rule
from bot.web.console.people import PeopleServices, people_services
from bot.web.schemas import ErrorView

router = APIRouter(
    prefix="/api/v1", tags=["participants"], responses=ERRORS, dependencies=[Depends(api_guard)]
)
Services = Annotated[PeopleServices, Depends(people_services)]
MAX_ITEMS = 1000


class ParticipantIn(BaseModel):
    """One person. At least one of ``email``, ``slack_user_id``, ``slack_email``."""

    model_config = ConfigDict(extra="forbid")

    external_id: str | None = Field(
        None, max_length=200, description="Your id for the person; matched on a resend."
    )
    email: str | None = Field(None, max_length=320)
    slack_user_id: str | None = Field(None, max_length=40, examples=["U0123ABCD"])
    slack_email: str | None = Field(None, max_length=320)
    name: str | None = Field(None, max_length=200)
    language: str | None = Field(None, max_length=35, examples=["en", "pt-BR"])
    time_zone: str | None = Field(None, max_length=64, examples=["Europe/Berlin"])
    attributes: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Segment attributes (plan, region, ...)."
    )


class InvitationIn(BaseModel):
    """Invite the people added (and those updated who were not invited on the channel
    yet)."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal["email", "slack", "link"]
    delay_minutes: float = Field(0, ge=0, le=525_600, description="Wait before sending.")
    remind_after_hours: float | None = Field(None, gt=0, le=8760)
    max_reminders: int = Field(0, ge=0, le=10)
    expire_after_hours: float | None = Field(
        None, gt=0, le=8760, description="Close each link this long after it is sent."
    )


class AddParticipants(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participants: list[ParticipantIn] = Field(min_length=1, max_length=MAX_ITEMS)
    invitation: InvitationIn | None = None


class ItemProblem(BaseModel):
    field: str
    message: str


class ItemResultView(BaseModel):
    index: int = Field(description="The item's position in the request, from 0.")
    outcome: Literal["added", "updated", "suppressed", "invalid"]
    participant_id: int | None = None
    external_id: str | None = None
    invitation: Literal["scheduled", "sent", "already_invited"] | None = None
    send_at: datetime | None = None
    link: str | None = Field(None, description="The personal link (channel link only).")
    errors: list[ItemProblem] = Field(default_factory=list)


class AddParticipantsResult(BaseModel):
    added: int
    updated: int
    suppressed: int
    invalid: int
    wave_id: int | None = Field(None, description="The wave holding this call's invitations.")
    items: list[ItemResultView]


def _hours(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(hours=value)


@router.post(
    "/campaigns/{slug}/participants",
    response_model=AddParticipantsResult,
    openapi_extra=rule(Action.CAMPAIGNS_WRITE),
    summary="Add participants, optionally inviting them",
    responses={
        404: {"model": ErrorView, "description": "No such campaign"},
        422: {"model": ErrorView, "description": "The request is malformed"},
    },
)
def add_participants(slug: str, body: AddParticipants, services: Services) -> AddParticipantsResult:
    """Add one or many participants to the campaign (at most 1,000 a call). Someone
    already in it (same ``external_id``, email, Slack user id or Slack email) is
    updated, not added again; someone on the suppression list is left out. Each item is
    checked like a row of a participant list: the ``errors`` of an ``invalid`` item say
    which field is wrong, and the other items are stored all the same.

    With ``invitation``, everyone stored who has no invitation on that channel yet is
    invited after ``delay_minutes`` (the scheduler sends it); a link invitation returns
    the personal ``link`` at once. Sending the same request again invites nobody twice.
    Needs a key with the ``campaigns:write`` scope."""
    request = None
    if body.invitation is not None:
        wanted = body.invitation
        request = InvitationRequest(
            channel=wanted.channel,
            delay=timedelta(minutes=wanted.delay_minutes),
            remind_after=_hours(wanted.remind_after_hours),
            max_reminders=wanted.max_reminders,
            expire_after=_hours(wanted.expire_after_hours),
        )
    items: list[dict[str, Any]] = [p.model_dump(exclude_none=True) for p in body.participants]
    try:
        report = services.intake.add(campaign_slug=slug, items=items, invitation=request)
    except CampaignNotFound:
        raise ConsoleRefusal(
            404, "not_found", f"There is no campaign {slug!r}.", api=True
        ) from None
    except InvalidSchedule as problem:
        raise ConsoleRefusal(422, "invalid_invitation", str(problem), api=True) from None
    return AddParticipantsResult(
        added=report.count("added"),
        updated=report.count("updated"),
        suppressed=report.count("suppressed"),
        invalid=report.count("invalid"),
        wave_id=report.wave_id,
        items=[
            ItemResultView(
                index=item.index,
                outcome=item.outcome,
                participant_id=item.participant_id,
                external_id=item.external_id,
                invitation=item.invitation,
                send_at=item.send_at,
                link=item.link,
                errors=[ItemProblem(field=p.column, message=p.message) for p in item.problems],
            )
            for item in report.items
        ],
    )
