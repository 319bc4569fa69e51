"""The console's participants, invitations and progress services, built from the
runtime (its database and settings)."""

from __future__ import annotations

from functools import cache

from bot.service.invitations import Invitations
from bot.service.link_tokens import LinkTokens
from bot.service.participant_intake import ParticipantIntake
from bot.service.participants import Participants
from bot.service.progress import Progress
from bot.web.console.people import PeopleServices
from journeyline.runtime import Runtime
from journeyline.scheduler_wiring import link_tokens


def make_people_services(runtime: Runtime) -> PeopleServices:
    settings = runtime.settings

    @cache
    def tokens() -> LinkTokens:
        return link_tokens(settings)

    return PeopleServices(
        participants=Participants(runtime.sessions),
        invitations=Invitations(runtime.sessions),
        progress=Progress(runtime.sessions),
        intake=ParticipantIntake(runtime.sessions, tokens=tokens),
        invitations_with_links=lambda: Invitations(runtime.sessions, tokens=tokens()),
    )
