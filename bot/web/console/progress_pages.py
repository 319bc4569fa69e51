"""A campaign's live progress in the console: the funnel per campaign, wave, channel and
participant-attribute value, drop-off per question, median time to complete and the
saturation curve. The page polls ``progress.json`` from a static script
(``/static/console-progress.js``; the CSP allows no inline script) and redraws its
tables; without JavaScript it is the same page, current when loaded. ``progress.csv``
downloads the funnel tables."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from bot.service.campaign_csv import progress_csv
from bot.service.console.permissions import Action
from bot.service.errors import CampaignNotFound
from bot.service.participants import FUNNEL
from bot.service.progress import FUNNEL_LABELS, CampaignProgress, FunnelCell
from bot.web.console.guard import page_guard, rule
from bot.web.console.people import PeopleServices, campaign_base, not_found, people_services
from bot.web.console.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_guard)])
Services = Annotated[PeopleServices, Depends(people_services)]
PAGE = "/app/campaigns/{slug}/progress"
# How often the page asks for fresh counts (the script reads it from the page).
POLL_SECONDS = 5


def _progress(request: Request, services: PeopleServices, slug: str) -> CampaignProgress:
    try:
        return services.progress.progress(
            campaign_slug=slug, attribute=request.query_params.get("by") or None
        )
    except CampaignNotFound:
        raise not_found(slug) from None


def _cell(cell: FunnelCell) -> dict[str, Any]:
    return {
        "key": cell.key,
        "label": cell.label,
        "participants": cell.participants,
        "steps": {step: cell.steps[step] for step in FUNNEL},
        "shares": {
            step: None if (share := cell.share(step)) is None else round(share, 4)
            for step in FUNNEL
        },
    }


def duration_text(seconds: float | None) -> str:
    """``45 s``, ``12 min``, ``1 h 05 min`` (an en dash for none)."""
    if seconds is None:
        return "–"
    if seconds < 90:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def progress_view(progress: CampaignProgress) -> dict[str, Any]:
    """The progress as the page's tables need it (the JSON the script polls)."""
    tables = [
        {"id": "waves", "rows": [_cell(c) for c in progress.waves]},
        {"id": "channels", "rows": [_cell(c) for c in progress.channels]},
    ]
    if progress.attribute:
        tables.append({"id": "values", "rows": [_cell(c) for c in progress.values]})
    median = progress.median_completion_seconds
    return {
        "at": progress.at.isoformat(),
        "attribute": progress.attribute,
        "total": _cell(progress.total),
        "tables": tables,
        "stopped_at": [
            {"slot": s.slot, "label": s.label, "interviews": s.interviews}
            for s in progress.stopped_at
        ],
        "median_completion_seconds": None if median is None else round(median, 1),
        "median_completion": duration_text(median),
    }


@router.get(PAGE, openapi_extra=rule(Action.CAMPAIGNS_READ))
def progress_page(slug: str, request: Request, services: Services) -> Response:
    progress = _progress(request, services, slug)
    return render(
        request,
        "console/progress.html",
        {
            "slug": slug,
            "base": campaign_base(slug),
            "tab": "progress",
            "progress": progress,
            "view": progress_view(progress),
            "steps": FUNNEL,
            "step_labels": FUNNEL_LABELS,
            "saturation": services.progress.saturation(campaign_slug=slug),
            "poll_seconds": POLL_SECONDS,
        },
    )


@router.get(PAGE + ".json", openapi_extra=rule(Action.CAMPAIGNS_READ))
def progress_json(slug: str, request: Request, services: Services) -> Response:
    return JSONResponse(
        progress_view(_progress(request, services, slug)), headers={"Cache-Control": "no-store"}
    )


@router.get(PAGE + ".csv", openapi_extra=rule(Action.CAMPAIGNS_READ))
def progress_download(slug: str, request: Request, services: Services) -> Response:
    progress = _progress(request, services, slug)
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", slug)
    return Response(
        progress_csv(progress),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{safe}-progress.csv"',
            "Cache-Control": "no-store",
        },
    )
