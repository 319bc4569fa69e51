"""The console's home: every campaign with its participants and interviews by state."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.service.console.permissions import ROLE_SUMMARIES, Action
from bot.web.console.context import ConsoleContext, console_context
from bot.web.console.guard import page_guard, principal_of, rule
from bot.web.console.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_guard)])
Context = Annotated[ConsoleContext, Depends(console_context)]


@router.get("/app", openapi_extra=rule(Action.CAMPAIGNS_READ))
def home(request: Request, context: Context) -> Response:
    campaigns = context.service.campaigns()
    principal = principal_of(request)
    totals = {
        "campaigns": len(campaigns),
        "interviews": sum(c.interviews for c in campaigns),
        "completed": sum(c.completed for c in campaigns),
        "in_progress": sum(c.in_progress for c in campaigns),
    }
    return render(
        request,
        "console/home.html",
        {
            "campaigns": campaigns,
            "totals": totals,
            "public_url": context.public_url,
            "role_summary": ROLE_SUMMARIES[principal.user.role],
        },
    )
