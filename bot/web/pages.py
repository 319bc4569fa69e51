"""Server-rendered pages: the chat behind a link, the open-link start page, errors."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from bot.service.errors import (
    CampaignClosed,
    CampaignNotFound,
    QuotaFull,
    StartRefused,
    StudyClosed,
    StudyNotOpenYet,
)
from bot.service.links import LinkExpired, LinkNotFound, LinkRevoked
from bot.web.context import WebContext, client_address, web_context
from bot.web.ratelimit import RateLimited
from bot.web.schemas import interview_view

router = APIRouter(include_in_schema=False)
Context = Annotated[WebContext, Depends(web_context)]
NOT_FOUND_MESSAGE = (
    "This interview link is not valid. Check that it was copied completely, or ask for a new one."
)


def error_page(
    context: WebContext, request: Request, *, status_code: int, title: str, message: str
) -> HTMLResponse:
    return context.templates.TemplateResponse(
        request,
        "error.html",
        {"status_code": status_code, "title": title, "message": message},
        status_code=status_code,
    )


def _notice(
    context: WebContext, request: Request, *, title: str, message: str, status_code: int = 410
) -> HTMLResponse:
    """A closed invitation's page (410 Gone): polite, and no advice to try again."""
    response = context.templates.TemplateResponse(
        request, "notice.html", {"title": title, "message": message}, status_code=status_code
    )
    # A 410 may be cached by browsers on their own; a study that reopens must not go on
    # looking closed.
    response.headers["Cache-Control"] = "no-store"
    return response


def _not_taking_part(context: WebContext, request: Request, refusal: CampaignClosed) -> Response:
    """Why a study turns a newcomer away, kindly: closed, not open yet, or their group
    has been heard enough (a full quota cell). None of it is the visitor's fault."""
    if isinstance(refusal, StudyNotOpenYet):
        when = refusal.starts_at.astimezone(UTC)
        return _notice(
            context,
            request,
            title="This study has not started yet",
            message="Thank you for wanting to take part. The study opens on "
            f"{when.day} {when:%B %Y at %H:%M} UTC; please come back then.",
            status_code=403,
        )
    if isinstance(refusal, QuotaFull):
        return _notice(
            context,
            request,
            title="Thank you, we have heard enough",
            message="Thank you for wanting to take part. We have already heard from as many "
            "people like you as this study needs, so we will not take up your time.",
        )
    return _notice(
        context,
        request,
        title="This study has closed",
        message="Thank you for wanting to take part. This study has closed, so there is "
        "nothing more to do here.",
    )


def _rate_limited(context: WebContext, request: Request, key: str | None = None) -> Response | None:
    try:
        context.per_client.hit(client_address(request))
        if key is not None:
            context.per_token.hit(key)
    except RateLimited as limited:
        response = error_page(
            context,
            request,
            status_code=429,
            title="Too many requests",
            message=f"Please wait {limited.retry_after} seconds and reload the page.",
        )
        response.headers["Retry-After"] = str(limited.retry_after)
        return response
    return None


@router.get("/", response_class=HTMLResponse)
def home(request: Request, context: Context) -> HTMLResponse:
    return error_page(
        context,
        request,
        status_code=200,
        title="journeyline",
        message="Open the interview link you were sent to take part.",
    )


@router.get("/i/{token}", response_class=HTMLResponse)
def chat_page(token: str, request: Request, context: Context) -> Response:
    """The interview behind a personal or open link; reloading resumes where it stopped."""
    limited = _rate_limited(context, request, token)
    if limited is not None:
        return limited
    try:
        opened = context.links.open(token)
    except LinkExpired:
        return _notice(
            context,
            request,
            title="This invitation has expired",
            message="Thank you for wanting to take part. This invitation was open for a "
            "limited time, and that time has passed; no interview was started.",
        )
    except LinkRevoked:
        return _notice(
            context,
            request,
            title="This invitation was withdrawn",
            message="Thank you for your interest. The research team has withdrawn this "
            "invitation, so there is nothing more to do here.",
        )
    except LinkNotFound:
        return error_page(
            context, request, status_code=404, title="Link not found", message=NOT_FOUND_MESSAGE
        )
    except CampaignClosed as refusal:
        return _not_taking_part(context, request, refusal)
    snapshot = context.service.snapshot(opened.turn.interview_id)
    view = interview_view(snapshot, max_chars=context.max_chars)
    campaign_name, company = _campaign_names(context, snapshot.interview_id)
    response = context.templates.TemplateResponse(
        request,
        "chat.html",
        {
            "interview": view.model_dump(mode="json"),
            "campaign_name": campaign_name,
            "company": company,
            "token": token,
            "api_base": "/api/v1",
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/c/{slug}", response_class=HTMLResponse)
def start_page(slug: str, request: Request, context: Context) -> Response:
    """An open link's landing page: what this is, the consent text, a Start button."""
    limited = _rate_limited(context, request)
    if limited is not None:
        return limited
    entry = context.service.campaigns.open_link(slug, dict(request.query_params))
    if entry is None:
        return error_page(
            context,
            request,
            status_code=404,
            title="Link not found",
            message="This interview link is not open. Check the address, or ask for a "
            "personal link.",
        )
    if entry.refusal is not None:
        return _not_taking_part(context, request, entry.refusal)
    face = entry.face
    values = {
        "campaign_name": face.name,
        "company": face.company,
        "slug": slug,
        "consent_text": face.consent_text,
        # Carried to the start: they pick the visitor's quota cell.
        "attributes": entry.attributes,
    }
    return context.templates.TemplateResponse(request, "start.html", values)


@router.post("/c/{slug}")
async def start_open_interview(slug: str, request: Request, context: Context) -> Response:
    """Start an anonymous interview and send the browser to its own resumable link."""
    # In a thread, as every step of this route: the limiter may ask Redis.
    limited = await run_in_threadpool(_rate_limited, context, request)
    if limited is not None:
        return limited
    form = await request.form()
    given = {name: str(value) for name, value in form.items() if isinstance(value, str)}
    try:
        opened = await run_in_threadpool(
            context.links.start_open, slug, client=client_address(request), attributes=given
        )
    except StartRefused as refused:
        minutes = max(1, round(refused.retry_after / 60))
        response = error_page(
            context,
            request,
            status_code=429,
            title="Too many interviews started",
            message="Too many interviews were started just now. Please try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}.",
        )
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    except (StudyClosed, StudyNotOpenYet, QuotaFull) as refusal:
        return _not_taking_part(context, request, refusal)
    except (CampaignNotFound, CampaignClosed):
        return error_page(
            context,
            request,
            status_code=404,
            title="Link not found",
            message="This interview link is not open.",
        )
    return RedirectResponse(f"/i/{opened.token}", status_code=303)


def _campaign_names(context: WebContext, interview_id: str) -> tuple[str, str]:
    face = context.service.campaigns.of_interview(interview_id)
    return face.name, face.company
