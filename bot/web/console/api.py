"""The console's JSON API for automation (API keys; the console's own session works too).

Errors read like the interview API's: ``{"error": {"code", "message"}}``; 401 without a
valid key, 403 when the key's scopes or its owner's role do not allow the call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from bot.service.console.permissions import Action
from bot.web.console.context import ConsoleContext, console_context
from bot.web.console.guard import api_guard, rule
from bot.web.schemas import ErrorView

ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorView, "description": "No API key, or an unknown or revoked one"},
    403: {"model": ErrorView, "description": "The key's scopes or its owner's role refuse it"},
}
router = APIRouter(
    prefix="/api/v1", tags=["campaigns"], responses=ERRORS, dependencies=[Depends(api_guard)]
)
Context = Annotated[ConsoleContext, Depends(console_context)]


class InterviewCounts(BaseModel):
    total: int
    completed: int
    in_progress: int = Field(description="Awaiting consent, active or paused.")
    declined: int


class CampaignItem(BaseModel):
    slug: str
    name: str
    guide: str = Field(description="The guide's id and version, e.g. 'support_journey v3'.")
    open_link: bool
    created_at: datetime
    participants: int
    interviews: InterviewCounts
    last_activity_at: datetime | None = Field(
        description="When an interview of the campaign last moved."
    )
    status: str = Field(description="'open', 'not_started' (before its start date) or 'closed'.")
    starts_at: datetime | None = Field(description="When it opens (UTC); null: at once.")
    ends_at: datetime | None = Field(description="When it closes (UTC); null: no end date.")
    target_completes: int | None = Field(
        description="Completed interviews after which it closes; null: no target."
    )


class CampaignList(BaseModel):
    campaigns: list[CampaignItem]


@router.get(
    "/campaigns",
    response_model=CampaignList,
    openapi_extra=rule(Action.CAMPAIGNS_READ),
    summary="List campaigns with interview counts",
)
def list_campaigns(context: Context) -> CampaignList:
    """Every campaign, newest first, with its participants and interviews by state.
    Needs a key with the ``campaigns:read`` scope."""
    return CampaignList(
        campaigns=[
            CampaignItem(
                slug=c.slug,
                name=c.name,
                guide=c.guide,
                open_link=c.open_link,
                created_at=c.created_at,
                participants=c.participants,
                interviews=InterviewCounts(
                    total=c.interviews,
                    completed=c.completed,
                    in_progress=c.in_progress,
                    declined=c.declined,
                ),
                last_activity_at=c.last_activity_at,
                status=c.status,
                starts_at=c.starts_at,
                ends_at=c.ends_at,
                target_completes=c.target_completes,
            )
            for c in context.service.campaigns()
        ]
    )
