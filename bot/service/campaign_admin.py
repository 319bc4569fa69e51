"""Researchers' campaign work: create, edit, close and reopen a campaign, and read one
with its quotas (the console's campaign pages and the CLI call these).

The guide, the company and the consent text are fixed once a campaign has interviews:
interviews under way read the campaign's guide at every turn, and every interview of a
campaign should be asked the same questions. Name, languages, the open link, dates,
target, quotas and the saturation rule may change at any time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.guide import (
    Guide,
    GuideError,
    customised_guide,
    load_guide_text,
    resolved_guide_yaml,
)
from bot.service.campaign_guides import guide_for
from bot.service.campaign_settings import (
    CampaignSettings,
    InvalidSettings,
    SettingsForm,
    local_input,
    quota_lines,
    read_settings,
)
from bot.service.campaign_states import (
    DEFAULT_CHECK_EVERY,
    Availability,
    CloseReason,
    availability,
    close_in,
    reopen_in,
    schedule_stop_check,
)
from bot.service.campaigns import SLUG, InvalidSlug
from bot.service.errors import CampaignNotFound
from bot.service.quotas import QuotaCell, quota_cells
from storage import queries
from storage.campaign_quotas import completed_count, interview_count
from storage.engines import write_session
from storage.models import Campaign
from storage.types import utcnow

# The fields that stay as they are once a campaign has interviews.
LOCKED_ONCE_STARTED = ("guide", "company", "consent_text")
# Console pages next to /app/campaigns/SLUG.
RESERVED_SLUGS = frozenset({"new", "preview", "draft"})
LOCKED_MESSAGE = (
    "Fixed once interviews have started, so that every interview asks the same "
    "questions. Create a new campaign for a different one."
)


@dataclass(frozen=True)
class CampaignDetail:
    """One campaign as its page shows it."""

    slug: str
    name: str
    guide: str
    company: str
    consent_text: str
    languages: tuple[str, ...]
    open_link: bool
    availability: Availability
    time_zone: str
    starts_at: datetime | None
    ends_at: datetime | None
    target_completes: int | None
    saturation_n: int | None
    completed: int
    interviews: int
    quotas: tuple[QuotaCell, ...]
    closed_at: datetime | None
    closed_reason: str | None
    closed_note: str | None
    created_at: datetime
    updated_at: datetime | None
    # The form's values, as the edit page starts with them.
    form: SettingsForm
    # Whether the guide, company and consent text may still change.
    guide_editable: bool


class CampaignAdmin:
    """Campaign settings over one database. ``every``: how often stop rules are checked."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        read_sessions: sessionmaker[Session] | None = None,
        clock: Callable[[], datetime] = utcnow,
        every: timedelta = DEFAULT_CHECK_EVERY,
    ) -> None:
        self._sessions = sessions
        self._read_sessions = read_sessions or sessions
        self._clock = clock
        self._every = every

    def detail(self, slug: str) -> CampaignDetail:
        """The campaign ``slug`` (or `CampaignNotFound`)."""
        with self._read_sessions() as session:
            campaign = _campaign(session, slug)
            return self._detail(session, campaign)

    def create(self, slug: str, form: SettingsForm, *, guide: Guide | None = None) -> str:
        """A new campaign from ``form``; its slug. Raises :class:`InvalidSettings` (the
        slug's problem under ``slug``, with any other field's). ``guide``: one loaded
        already (the CLI's guide file), instead of the form's text."""
        now = self._clock()
        problems: dict[str, str] = {}
        if not SLUG.match(slug):
            problems["slug"] = str(InvalidSlug(slug)).capitalize() + "."
        elif slug in RESERVED_SLUGS:
            problems["slug"] = f"{slug!r} names a console page; choose another slug."
        try:
            settings = read_settings(form, now=now, guide=guide)
        except InvalidSettings as invalid:
            raise InvalidSettings({**problems, **invalid.problems}) from None
        if problems:
            raise InvalidSettings(problems)
        with write_session(self._sessions) as session:
            try:
                campaign = queries.create_campaign(
                    session,
                    slug=slug,
                    name=settings.name,
                    guide_name=settings.guide.id,
                    guide_version=settings.guide.version,
                    guide_source=resolved_guide_yaml(settings.guide),
                    consent_text=settings.consent_text or settings.guide.texts.consent,
                    open_link=settings.open_link,
                )
            except queries.DuplicateSlug:
                raise InvalidSettings(
                    {"slug": f"A campaign with the slug {slug!r} already exists."}
                ) from None
            campaign.created_at = now
            _apply(campaign, settings, now=now, guide=True)
            if guide is not None:
                # A guide file: the form shows (and an edit reads) the resolved guide.
                campaign.guide_customisation = None
            session.flush()
            schedule_stop_check(session, campaign, now=now, every=self._every)
        return slug

    def update(self, slug: str, form: SettingsForm) -> None:
        """Store ``form`` as the campaign's settings. The guide, company and consent text
        are taken only while it has no interviews (else they must be unchanged, or
        :class:`InvalidSettings` says why). Saving again with the same form changes
        nothing but the time of the save."""
        now = self._clock()
        settings = read_settings(form, now=now)
        with write_session(self._sessions) as session:
            campaign = _campaign(session, slug)
            started = interview_count(session, campaign_id=campaign.id) > 0
            if started:
                current = _form_of(campaign)
                changed = [
                    name
                    for name in LOCKED_ONCE_STARTED
                    if _normal(getattr(form, name)) != _normal(getattr(current, name))
                ]
                if changed:
                    raise InvalidSettings(dict.fromkeys(changed, LOCKED_MESSAGE))
            _apply(campaign, settings, now=now, guide=not started)
            schedule_stop_check(session, campaign, now=now, every=self._every)

    def close(self, slug: str) -> bool:
        """Close the campaign by hand; False when it was closed already."""
        now = self._clock()
        with write_session(self._sessions) as session:
            campaign = _campaign(session, slug)
            return close_in(
                session,
                campaign,
                reason=CloseReason.MANUAL,
                note="Closed by a researcher.",
                now=now,
            )

    def reopen(self, slug: str) -> bool:
        """Reopen the campaign; False when it was open. Raises :class:`ReopenRefused`
        when a stop rule would close it again at once."""
        now = self._clock()
        with write_session(self._sessions) as session:
            campaign = _campaign(session, slug)
            completed = completed_count(session, campaign_id=campaign.id)
            return reopen_in(session, campaign, completed=completed, now=now, every=self._every)

    def _detail(self, session: Session, campaign: Campaign) -> CampaignDetail:
        guide = guide_for(campaign)
        interviews = interview_count(session, campaign_id=campaign.id)
        return CampaignDetail(
            slug=campaign.slug,
            name=campaign.name,
            guide=f"{campaign.guide_name} v{campaign.guide_version}",
            company=guide.company,
            consent_text=guide.say("consent"),
            languages=tuple(campaign.languages or ("en",)),
            open_link=campaign.open_link,
            availability=availability(campaign, self._clock()),
            time_zone=campaign.time_zone,
            starts_at=campaign.starts_at,
            ends_at=campaign.ends_at,
            target_completes=campaign.target_completes,
            saturation_n=campaign.saturation_n,
            completed=completed_count(session, campaign_id=campaign.id),
            interviews=interviews,
            quotas=tuple(quota_cells(session, campaign)),
            closed_at=campaign.closed_at,
            closed_reason=campaign.closed_reason,
            closed_note=campaign.closed_note,
            created_at=campaign.created_at,
            updated_at=campaign.updated_at,
            form=_form_of(campaign),
            guide_editable=interviews == 0,
        )


def _campaign(session: Session, slug: str) -> Campaign:
    campaign = queries.get_campaign_by_slug(session, slug)
    if campaign is None:
        raise CampaignNotFound(slug)
    return campaign


def _apply(campaign: Campaign, settings: CampaignSettings, *, now: datetime, guide: bool) -> None:
    campaign.name = settings.name
    if guide:
        campaign.guide_name = settings.guide.id
        campaign.guide_version = settings.guide.version
        campaign.guide_source = resolved_guide_yaml(settings.guide)
        campaign.guide_customisation = settings.guide_customisation
        campaign.consent_text = settings.consent_text or settings.guide.texts.consent
    campaign.languages = list(settings.languages)
    campaign.open_link = settings.open_link
    campaign.time_zone = settings.time_zone
    campaign.starts_at = settings.starts_at
    campaign.ends_at = settings.ends_at
    campaign.target_completes = settings.target_completes
    campaign.quotas = settings.quotas or None
    campaign.saturation_n = settings.saturation_n
    campaign.updated_at = now


def _form_of(campaign: Campaign) -> SettingsForm:
    """The form a campaign's stored settings fill in: the guide as typed, and the
    company and consent text only where they override the guide's own."""
    source = campaign.guide_customisation or campaign.guide_source
    stored = load_guide_text(campaign.guide_source)
    try:
        base_company = customised_guide(source).company
    except GuideError:
        base_company = stored.company
    return SettingsForm(
        name=campaign.name,
        company="" if stored.company == base_company else stored.company,
        guide=source,
        consent_text="" if campaign.consent_text == stored.texts.consent else campaign.consent_text,
        languages=", ".join(campaign.languages or ["en"]),
        open_link=campaign.open_link,
        time_zone=campaign.time_zone,
        starts_at=local_input(campaign.starts_at, campaign.time_zone),
        ends_at=local_input(campaign.ends_at, campaign.time_zone),
        target_completes=_text(campaign.target_completes),
        quotas=quota_lines(campaign.quotas),
        saturation_n=_text(campaign.saturation_n),
    )


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def _normal(value: object) -> str:
    return " ".join(str(value).split())
