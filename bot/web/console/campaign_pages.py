"""The campaign pages of the console: the list, a campaign, creating and editing one,
closing and reopening it, and trying its interview.

Researchers and admins change campaigns (``campaigns:write``); everyone who may read
campaigns sees the list and each campaign. A form with a problem comes back with what
was typed and each problem next to its field (400).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from bot.service.campaign_settings import InvalidSettings, SettingsForm, preview_guide
from bot.service.campaign_states import ReopenRefused
from bot.service.console.permissions import Action
from bot.service.errors import CampaignNotFound
from bot.service.interview_preview import said_choice, said_text, try_interview
from bot.web.console.context import ConsoleContext, console_context
from bot.web.console.guard import ConsoleRefusal, page_guard, principal_of, rule
from bot.web.console.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_guard)])
Context = Annotated[ConsoleContext, Depends(console_context)]
CAMPAIGNS = "/app/campaigns"
READ = rule(Action.CAMPAIGNS_READ)
WRITE = rule(Action.CAMPAIGNS_WRITE)
# The form's text fields, by name (the open link is a checkbox).
TEXT_FIELDS = (
    "name",
    "company",
    "guide",
    "consent_text",
    "languages",
    "time_zone",
    "starts_at",
    "ends_at",
    "target_completes",
    "quotas",
    "saturation_n",
)


async def _posted(request: Request) -> tuple[SettingsForm, dict[str, Any]]:
    """The settings form as posted, and every other field (slug, said, message)."""
    data = await request.form()
    values = {name: str(data.get(name) or "") for name in TEXT_FIELDS}
    form = SettingsForm(**values, open_link=data.get("open_link") == "on")
    extra = {
        "slug": str(data.get("slug") or "").strip(),
        "said": [str(v) for v in data.getlist("said")],
        "message": str(data.get("message") or ""),
        "choice": str(data.get("choice") or ""),
        "campaign": str(data.get("campaign") or ""),
    }
    return form, extra


def _not_found(slug: str) -> ConsoleRefusal:
    return ConsoleRefusal(404, "not_found", f"There is no campaign {slug!r}.", api=False)


@router.get(CAMPAIGNS, openapi_extra=READ)
def campaigns(request: Request, context: Context) -> Response:
    return render(
        request,
        "console/campaigns.html",
        {
            "campaigns": context.service.campaigns(),
            "may_write": principal_of(request).may(Action.CAMPAIGNS_WRITE),
        },
    )


@router.get(CAMPAIGNS + "/new", openapi_extra=WRITE)
def new_campaign(request: Request) -> Response:
    return _form_page(request, form=SettingsForm(), slug="", editing=None)


@router.post(CAMPAIGNS, openapi_extra=WRITE)
async def create_campaign(request: Request, context: Context) -> Response:
    form, extra = await _posted(request)
    try:
        slug = await run_in_threadpool(context.service.campaign_admin.create, extra["slug"], form)
    except InvalidSettings as invalid:
        return _form_page(
            request,
            form=form,
            slug=extra["slug"],
            editing=None,
            problems=invalid.problems,
            status_code=400,
        )
    return RedirectResponse(f"{CAMPAIGNS}/{slug}?done=campaign-created", status_code=303)


@router.get(CAMPAIGNS + "/{slug}", openapi_extra=READ)
def campaign(slug: str, request: Request, context: Context) -> Response:
    try:
        detail = context.service.campaign_admin.detail(slug)
    except CampaignNotFound:
        raise _not_found(slug) from None
    return render(
        request,
        "console/campaign.html",
        {
            "c": detail,
            "may_write": principal_of(request).may(Action.CAMPAIGNS_WRITE),
            "open_link_url": f"{context.public_url}/c/{detail.slug}",
            "error": None,
        },
    )


@router.get(CAMPAIGNS + "/{slug}/edit", openapi_extra=WRITE)
def edit_campaign(slug: str, request: Request, context: Context) -> Response:
    try:
        detail = context.service.campaign_admin.detail(slug)
    except CampaignNotFound:
        raise _not_found(slug) from None
    return _form_page(request, form=detail.form, slug=slug, editing=detail)


@router.post(CAMPAIGNS + "/{slug}/edit", openapi_extra=WRITE)
async def save_campaign(slug: str, request: Request, context: Context) -> Response:
    form, _ = await _posted(request)
    admin = context.service.campaign_admin
    try:
        await run_in_threadpool(admin.update, slug, form)
    except CampaignNotFound:
        raise _not_found(slug) from None
    except InvalidSettings as invalid:
        detail = await run_in_threadpool(admin.detail, slug)
        return _form_page(
            request,
            form=form,
            slug=slug,
            editing=detail,
            problems=invalid.problems,
            status_code=400,
        )
    return RedirectResponse(f"{CAMPAIGNS}/{slug}?done=campaign-saved", status_code=303)


@router.post(CAMPAIGNS + "/{slug}/close", openapi_extra=WRITE)
def close_campaign(slug: str, context: Context) -> Response:
    try:
        context.service.campaign_admin.close(slug)
    except CampaignNotFound:
        raise _not_found(slug) from None
    return RedirectResponse(f"{CAMPAIGNS}/{slug}?done=campaign-closed", status_code=303)


@router.post(CAMPAIGNS + "/{slug}/reopen", openapi_extra=WRITE)
def reopen_campaign(slug: str, request: Request, context: Context) -> Response:
    admin = context.service.campaign_admin
    try:
        admin.reopen(slug)
    except CampaignNotFound:
        raise _not_found(slug) from None
    except ReopenRefused as refused:
        return render(
            request,
            "console/campaign.html",
            {
                "c": admin.detail(slug),
                "may_write": True,
                "open_link_url": f"{context.public_url}/c/{slug}",
                "error": f"The campaign stays closed. {refused}",
            },
            status_code=409,
        )
    return RedirectResponse(f"{CAMPAIGNS}/{slug}?done=campaign-reopened", status_code=303)


@router.post(CAMPAIGNS + "/preview", openapi_extra=WRITE)
async def preview(request: Request, context: Context) -> Response:
    """Try the interview the form describes: the real engine, nothing stored. The
    answers so far come back with each post (``said``) and are replayed."""
    form, extra = await _posted(request)
    said = list(extra["said"])
    if extra["choice"]:
        said.append(said_choice(extra["choice"]))
    elif extra["message"].strip():
        said.append(said_text(extra["message"]))
    try:
        guide = await run_in_threadpool(preview_guide, form)
    except InvalidSettings as invalid:
        return await _draft_page(
            request, context, form, extra, problems=invalid.problems, status_code=400
        )
    conversation = try_interview(guide, said)
    return render(
        request,
        "console/campaign_preview.html",
        {
            "form": form,
            "slug": extra["slug"],
            "campaign": extra["campaign"],
            "preview": conversation,
            "company": guide.company,
        },
    )


@router.post(CAMPAIGNS + "/draft", openapi_extra=WRITE)
async def back_to_form(request: Request, context: Context) -> Response:
    """The form again with what the preview was tried with (nothing is saved yet)."""
    form, extra = await _posted(request)
    return await _draft_page(request, context, form, extra)


async def _draft_page(
    request: Request,
    context: ConsoleContext,
    form: SettingsForm,
    extra: dict[str, Any],
    *,
    problems: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The new-campaign form, or the edit form of the campaign the draft came from."""
    editing = None
    if extra["campaign"]:
        try:
            editing = await run_in_threadpool(
                context.service.campaign_admin.detail, extra["campaign"]
            )
        except CampaignNotFound:
            raise _not_found(extra["campaign"]) from None
    return _form_page(
        request,
        form=form,
        slug=editing.slug if editing else extra["slug"],
        editing=editing,
        problems=problems,
        status_code=status_code,
    )


def _form_page(
    request: Request,
    *,
    form: SettingsForm,
    slug: str,
    editing: Any,
    problems: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "console/campaign_form.html",
        {
            "form": form,
            "slug": slug,
            "editing": editing,
            "problems": problems or {},
        },
        status_code=status_code,
    )
