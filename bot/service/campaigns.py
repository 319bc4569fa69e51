"""Creating campaigns: a guide resolved and stored with the campaign, plus its settings."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.orm import Session

from bot.conversation.guide import DEFAULT_GUIDE, load_guide, resolved_guide_yaml
from storage import queries
from storage.models import Campaign

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,78}[a-z0-9]$")


class InvalidSlug(ValueError):
    def __init__(self, slug: str) -> None:
        super().__init__(
            f"invalid slug {slug!r}: use 2-80 lower-case letters, digits and dashes, "
            "e.g. 'support-q3'"
        )


def create_campaign(
    session: Session,
    *,
    slug: str,
    name: str,
    guide: str | Path = DEFAULT_GUIDE,
    consent_text: str | None = None,
    open_link: bool = False,
    company: str | None = None,
) -> Campaign:
    """Validate `guide` (a built-in name or a YAML path) and store a campaign with it.

    The resolved guide is stored with the campaign, so later edits to guide files never
    change an interview that is under way. `company` overrides the guide's company name;
    `consent_text` overrides its consent question. Raises `GuideError`, `InvalidSlug` or
    `storage.queries.DuplicateSlug`.
    """
    if not SLUG.match(slug):
        raise InvalidSlug(slug)
    loaded = load_guide(guide)
    if company:
        loaded = loaded.model_copy(update={"company": company})
    return queries.create_campaign(
        session,
        slug=slug,
        name=name,
        guide_name=loaded.id,
        guide_version=loaded.version,
        guide_source=resolved_guide_yaml(loaded),
        consent_text=consent_text or loaded.texts.consent,
        open_link=open_link,
    )
