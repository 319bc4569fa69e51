"""A campaign's participants in the console: upload a list (CSV) with its report of bad
rows by line and column, every participant with their status page by page, one
participant's history, and revoking one person's invitation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from bot.service.console.permissions import Action
from bot.service.errors import CampaignNotFound
from bot.service.participants import ImportReport, ParticipantNotFound
from bot.service.review.masking import mask_text
from bot.web.console.guard import ConsoleRefusal, page_guard, rule
from bot.web.console.people import (
    PeopleServices,
    campaign_base,
    may_write,
    not_found,
    notice,
    people_services,
    personal_data_shown,
    shown,
)
from bot.web.console.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_guard)])
Services = Annotated[PeopleServices, Depends(people_services)]
PAGE = "/app/campaigns/{slug}/participants"
PAGE_SIZE = 100
# A list larger than this is for the CLI (`journeyline participants import`), which
# streams from a file; the form keeps a request's memory bounded.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
STATUS_LABELS = {
    "not_invited": "Not invited",
    "scheduled": "In a coming wave",
    "pending": "Being sent",
    "sent": "Delivered",
    "opened": "Opened the link",
    "started": "Consented",
    "completed": "Completed",
    "declined": "Declined",
    "expired": "Link expired",
    "revoked": "Revoked",
    "failed": "Failed",
    "skipped": "Skipped",
    "suppressed": "Opted out or suppressed",
}
# A badge's look per status; the word is always shown too (never colour alone).
STATUS_TONES = {
    "completed": "ok",
    "started": "ok",
    "opened": "info",
    "sent": "info",
    "declined": "warn",
    "expired": "warn",
    "failed": "off",
    "suppressed": "off",
    "revoked": "off",
}


def _page(
    request: Request,
    services: PeopleServices,
    slug: str,
    *,
    status_code: int = 200,
    report: ImportReport | None = None,
    error: str | None = None,
) -> Response:
    status = request.query_params.get("status") or None
    if status not in STATUS_LABELS:
        status = None
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    try:
        found = services.participants.page(
            campaign_slug=slug, status=status, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
    except CampaignNotFound:
        raise not_found(slug) from None
    personal = personal_data_shown(request)
    people = [
        {
            "id": line.id,
            "name": shown(line.name, personal=personal, kind="name"),
            "email": shown(line.email, personal=personal),
            "slack": shown(line.slack_user_id, personal=personal),
            "attributes": line.attributes,
            "status": line.status,
            "wave_id": line.wave_id,
            "channel": line.channel,
            "reminders": line.reminders_sent,
            "last_sent_at": line.last_sent_at,
        }
        for line in found.lines
    ]
    pages = max(1, -(-found.matching // PAGE_SIZE))
    values: dict[str, Any] = {
        "slug": slug,
        "base": campaign_base(slug),
        "tab": "participants",
        "people": people,
        "page": found,
        "status": status,
        "number": min(number, pages),
        "pages": pages,
        "labels": STATUS_LABELS,
        "tones": STATUS_TONES,
        "may_write": may_write(request),
        "personal": personal,
        "report": report,
        "error": error,
        **notice(request),
    }
    return render(request, "console/participants.html", values, status_code=status_code)


@router.get(PAGE, openapi_extra=rule(Action.CAMPAIGNS_READ))
def participants(slug: str, request: Request, services: Services) -> Response:
    return _page(request, services, slug)


@router.post(PAGE, openapi_extra=rule(Action.CAMPAIGNS_WRITE))
async def upload(
    slug: str,
    request: Request,
    services: Services,
    file: Annotated[UploadFile | None, File()] = None,
    text: Annotated[str, Form()] = "",
) -> Response:
    """Import the uploaded CSV (or the pasted text): good rows stored, bad ones
    reported. Sending the same list again updates the same people."""
    content = text
    if file is not None and file.filename:
        raw = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            return _page(
                request, services, slug, status_code=413,
                error="The file is larger than 5 MB: import it with "
                "`journeyline participants import` on the server.",
            )  # fmt: skip
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _page(
                request, services, slug, status_code=400,
                error="The file is not UTF-8 text: save it as CSV UTF-8 and upload it again.",
            )  # fmt: skip
    if not content.strip():
        return _page(
            request, services, slug, status_code=400, error="Choose a CSV file or paste a list."
        )
    try:
        report = services.participants.import_csv(campaign_slug=slug, text=content)
    except CampaignNotFound:
        raise not_found(slug) from None
    return _page(request, services, slug, report=report, status_code=200)


@router.get(PAGE + "/{participant_id}", openapi_extra=rule(Action.CAMPAIGNS_READ))
def participant(slug: str, participant_id: int, request: Request, services: Services) -> Response:
    try:
        detail = services.participants.detail(campaign_slug=slug, participant=participant_id)
    except CampaignNotFound:
        raise not_found(slug) from None
    except ParticipantNotFound:
        raise ConsoleRefusal(
            404, "not_found", "There is no such participant in this campaign.", api=False
        ) from None
    personal = personal_data_shown(request)
    person = detail.participant
    return render(
        request,
        "console/participant.html",
        {
            "slug": slug,
            "base": campaign_base(slug),
            "tab": "participants",
            "person": person,
            "name": shown(person.name, personal=personal, kind="name"),
            "email": shown(person.email, personal=personal),
            "slack": shown(person.slack_user_id, personal=personal),
            "detail": detail,
            # History lines can quote a mail server's reply, which may name the address.
            "history": [
                (entry.at, entry.what if personal else mask_text(entry.what))
                for entry in detail.history
            ],
            "labels": STATUS_LABELS,
            "tones": STATUS_TONES,
            "may_write": may_write(request),
            "personal": personal,
            **notice(request),
        },
    )


@router.post(PAGE + "/{participant_id}/revoke", openapi_extra=rule(Action.CAMPAIGNS_WRITE))
def revoke_participant(slug: str, participant_id: int, services: Services) -> Response:
    """Revoke the person's invitations (nothing more is sent; a link not opened yet no
    longer opens). Revoking twice changes nothing the second time."""
    try:
        services.participants.detail(campaign_slug=slug, participant=participant_id)
        services.invitations.revoke(campaign_slug=slug, participant_ids=[participant_id])
    except CampaignNotFound:
        raise not_found(slug) from None
    except ParticipantNotFound:
        raise ConsoleRefusal(
            404, "not_found", "There is no such participant in this campaign.", api=False
        ) from None
    return RedirectResponse(
        f"{campaign_base(slug)}/participants/{participant_id}?done=link-revoked", status_code=303
    )
