"""What the console's participants, invitations and progress pages share: their
services, how they are mounted, the campaign they are about, fixed notices, and masking
for people who may not see customers' personal data (viewers)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request

from bot.service.console.permissions import Action
from bot.service.invitations import Invitations, masked_address
from bot.service.participant_intake import ParticipantIntake
from bot.service.participants import Participants
from bot.service.progress import Progress
from bot.web.console.guard import ConsoleRefusal, principal_of


@dataclass
class PeopleServices:
    participants: Participants
    invitations: Invitations
    progress: Progress
    intake: ParticipantIntake
    # The invitations service able to write personal links out, made on first use: the
    # link secret may be a file the server makes in its data folder, which a console
    # that never exports links should not create.
    invitations_with_links: Callable[[], Invitations]


# Request bodies larger than the server's default limit (64 KiB): a participant list
# uploaded in the console, participants sent to the API.
UPLOAD_LIMITS = (
    (re.compile(r"/app/campaigns/[^/]+/participants"), 5 * 1024 * 1024 + 64 * 1024),
    (re.compile(r"/api/v1/campaigns/[^/]+/participants"), 1024 * 1024),
)


def mount_campaign_people(app: FastAPI, services: PeopleServices) -> None:
    """Add the participants, invitations and progress pages (``/app/campaigns/{slug}/
    ...``) and the participants API (``/api/v1/campaigns/{slug}/participants``)."""
    # Imported here: the page modules import this one for the helpers below.
    from bot.web.console import (
        invitation_pages,
        participant_pages,
        participants_api,
        progress_pages,
    )

    app.state.people = services
    for router in (
        participant_pages.router,
        invitation_pages.router,
        progress_pages.router,
        participants_api.router,
    ):
        app.include_router(router)


def people_services(request: Request) -> PeopleServices:
    """FastAPI dependency: the services stored on ``app.state.people``."""
    services: PeopleServices = request.app.state.people
    return services


def campaign_base(slug: str) -> str:
    return f"/app/campaigns/{slug}"


def not_found(slug: str) -> ConsoleRefusal:
    return ConsoleRefusal(404, "not_found", f"There is no campaign {slug!r}.", api=False)


# Notices after a form's redirect (?done=CODE): only these fixed words reach the page.
NOTICES: dict[str, str] = {
    "wave-scheduled": "The wave is scheduled. It picks its participants when it starts.",
    "wave-exists": "That wave was scheduled already (the same channel, time and settings): "
    "nothing new was added.",
    "wave-revoked": "The wave is revoked: nothing more is sent, and links not opened yet "
    "show a polite 'withdrawn' page.",
    "link-revoked": "The person's invitation is revoked: nothing more is sent to them and "
    "their link, if not opened yet, no longer starts an interview.",
}


def notice(request: Request) -> dict[str, Any]:
    """The page values that show a fixed notice for ``?done=``."""
    text = NOTICES.get(request.query_params.get("done", ""))
    return {"done": text, "done_kind": "ok"} if text else {}


def may_write(request: Request) -> bool:
    return principal_of(request).may(Action.CAMPAIGNS_WRITE)


def personal_data_shown(request: Request) -> bool:
    return principal_of(request).may(Action.PERSONAL_DATA_READ)


def masked_name(name: str | None) -> str | None:
    """``Ana Souza`` -> ``A***``: viewers see that someone is there, not who."""
    return None if not name else name[:1] + "***"


def shown(value: str | None, *, personal: bool, kind: str = "address") -> str | None:
    """A participant's address or name as this reader may see it."""
    if personal or value is None:
        return value
    return masked_name(value) if kind == "name" else masked_address(value)
