"""A campaign's invitation waves in the console: schedule one (a local time in a time
zone, a channel, a sending rate, reminders, link expiry), see each wave's state and
counts, revoke a wave, and download the personal links (CSV) for a link wave."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.service import schedule_terms
from bot.service.campaign_csv import links_csv
from bot.service.console.permissions import Action
from bot.service.errors import CampaignNotFound
from bot.service.invitations import InvalidSchedule, WaveNotFound
from bot.web.console.guard import ConsoleRefusal, page_guard, rule
from bot.web.console.people import (
    PeopleServices,
    campaign_base,
    may_write,
    not_found,
    notice,
    people_services,
)
from bot.web.console.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_guard)])
Services = Annotated[PeopleServices, Depends(people_services)]
PAGE = "/app/campaigns/{slug}/invitations"
CHANNEL_LABELS = {"email": "Email", "slack": "Slack DM", "link": "Links you hand out (CSV)"}
WAVE_STATES = {"scheduled": "Scheduled", "started": "Started", "revoked": "Revoked"}
DEFAULT_FORM = {
    "channel": "email",
    "at": "",
    "time_zone": "UTC",
    "rate": "10/s",
    "remind_after_days": "3",
    "max_reminders": "1",
    "expire_after_days": "14",
    "participant_time": "",
}


def local_start_text(at: datetime, zone: str) -> str:
    """``10 Dec 2026, 09:00`` in ``zone`` (the wall-clock time the researcher chose)."""
    try:
        local = at.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        local = at.astimezone(UTC)
    return f"{local.day} {local:%b %Y, %H:%M}"


@cache
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


def _page(
    request: Request,
    services: PeopleServices,
    slug: str,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    try:
        waves = services.invitations.waves(campaign_slug=slug)
    except CampaignNotFound:
        raise not_found(slug) from None
    values: dict[str, Any] = {
        "slug": slug,
        "base": campaign_base(slug),
        "tab": "invitations",
        "waves": list(reversed(waves)),
        "local_starts": {w.id: local_start_text(w.scheduled_at, w.time_zone) for w in waves},
        "channels": CHANNEL_LABELS,
        "states": WAVE_STATES,
        "form": form or DEFAULT_FORM,
        "zones": time_zones(),
        "error": error,
        "may_write": may_write(request),
        "now": datetime.now(UTC),
        **notice(request),
    }
    return render(request, "console/invitations.html", values, status_code=status_code)


@router.get(PAGE, openapi_extra=rule(Action.CAMPAIGNS_READ))
def invitations(slug: str, request: Request, services: Services) -> Response:
    return _page(request, services, slug)


def _days(text: str, what: str) -> timedelta | None:
    if not text.strip():
        return None
    try:
        days = float(text)
    except ValueError:
        raise InvalidSchedule(f"{what}: write a number of days, like 3") from None
    if not 0 < days <= 365:
        raise InvalidSchedule(f"{what}: between 0 and 365 days")
    return timedelta(days=days)


@router.post(PAGE, openapi_extra=rule(Action.CAMPAIGNS_WRITE))
def schedule(
    slug: str,
    request: Request,
    services: Services,
    channel: Annotated[str, Form()] = "email",
    at: Annotated[str, Form()] = "",
    time_zone: Annotated[str, Form()] = "UTC",
    rate: Annotated[str, Form()] = "10/s",
    remind_after_days: Annotated[str, Form()] = "",
    max_reminders: Annotated[str, Form()] = "",
    expire_after_days: Annotated[str, Form()] = "",
    participant_time: Annotated[str, Form()] = "",
) -> Response:
    """Schedule a wave; the same form sent twice schedules it once."""
    form = {
        "channel": channel,
        "at": at,
        "time_zone": time_zone,
        "rate": rate,
        "remind_after_days": remind_after_days,
        "max_reminders": max_reminders,
        "expire_after_days": expire_after_days,
        "participant_time": participant_time,
    }
    try:
        if not at.strip():
            raise InvalidSchedule("Choose the date and time the wave starts.")
        start = schedule_terms.local_time(at, time_zone, now=datetime.now(UTC))
        per_second = schedule_terms.rate(rate)
        remind_after = _days(remind_after_days, "Remind after") if channel != "link" else None
        try:
            reminders = int(max_reminders) if max_reminders.strip() and remind_after else 0
        except ValueError:
            raise InvalidSchedule("At most how many reminders: write a whole number") from None
        summary = services.invitations.schedule_wave(
            campaign_slug=slug,
            channel=channel,
            at=start,
            time_zone=time_zone.strip(),
            rate_per_second=per_second,
            remind_after=remind_after if reminders else None,
            max_reminders=reminders,
            expire_after=_days(expire_after_days, "Links expire after"),
            participant_time=bool(participant_time),
        )
    except CampaignNotFound:
        raise not_found(slug) from None
    except ValueError as problem:  # InvalidSchedule and the schedule terms' own errors
        return _page(request, services, slug, form=form, error=str(problem), status_code=400)
    done = "wave-exists" if summary.already else "wave-scheduled"
    return RedirectResponse(f"{campaign_base(slug)}/invitations?done={done}", status_code=303)


@router.post(PAGE + "/{wave_id}/revoke", openapi_extra=rule(Action.CAMPAIGNS_WRITE))
def revoke_wave(slug: str, wave_id: int, services: Services) -> Response:
    try:
        services.invitations.revoke(campaign_slug=slug, wave_id=wave_id)
    except CampaignNotFound:
        raise not_found(slug) from None
    except WaveNotFound:
        raise ConsoleRefusal(
            404, "not_found", "There is no such wave in this campaign.", api=False
        ) from None
    return RedirectResponse(f"{campaign_base(slug)}/invitations?done=wave-revoked", status_code=303)


# The links open interviews in the participants' names: only people who may run the
# campaign download them.
@router.get(PAGE + "/links.csv", openapi_extra=rule(Action.CAMPAIGNS_WRITE))
def links(slug: str, request: Request, services: Services) -> Response:
    wave = request.query_params.get("wave")
    try:
        rows = services.invitations_with_links().export_links(
            campaign_slug=slug, wave_id=int(wave) if wave and wave.isdigit() else None
        )
    except CampaignNotFound:
        raise not_found(slug) from None
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", slug)
    name = f"{safe}-links" + (f"-wave-{wave}" if wave and wave.isdigit() else "") + ".csv"
    return Response(
        links_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
