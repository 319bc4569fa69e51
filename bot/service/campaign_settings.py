"""A campaign's settings as researchers type them (the console's form, the CLI's flags),
read and checked in one place.

Everything arrives as text; :func:`read_settings` turns it into :class:`CampaignSettings`
or raises :class:`InvalidSettings` with one message per field, so a form can show each
next to its field and the CLI can print them all at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.conversation.guide import (
    DEFAULT_GUIDE,
    Guide,
    GuideError,
    customised_guide,
    resolved_guide_yaml,
)
from bot.service.campaign_guides import guide_from_source
from bot.service.participant_rows import LANGUAGE_TAG
from bot.service.schedule_terms import local_time, time_zone

MAX_NAME = 200
MAX_COMPANY = 120
MAX_CONSENT = 2000
# A whole resolved guide (a campaign made from a file) is about 16,000 characters; the
# request body limit (64 KB by default) bounds what a form can post anyway.
MAX_GUIDE_CHARS = 50_000
# One quota cell per line: ``plan=basic: 20`` (attribute, value, completed interviews).
_QUOTA = re.compile(r"^\s*([A-Za-z0-9_. -]{1,60}?)\s*=\s*(.{1,200}?)\s*:\s*(\d{1,6})\s*$")
MAX_QUOTA_CELLS = 100
MAX_SATURATION = 1000


class InvalidSettings(ValueError):
    """Fields that could not be read: field name -> what is wrong, in words."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in problems.items()))


@dataclass
class SettingsForm:
    """A campaign's settings as typed (every value text; empty: not set)."""

    name: str = ""
    company: str = ""
    guide: str = f"extends: {DEFAULT_GUIDE}\n"
    consent_text: str = ""
    languages: str = "en"
    open_link: bool = False
    time_zone: str = "UTC"
    starts_at: str = ""
    ends_at: str = ""
    target_completes: str = ""
    quotas: str = ""
    saturation_n: str = ""


@dataclass(frozen=True)
class CampaignSettings:
    """Checked settings, ready to store."""

    name: str
    company: str | None
    guide: Guide
    # The customisation as typed (``extends: ...`` and what it changes).
    guide_customisation: str
    consent_text: str | None
    languages: tuple[str, ...]
    open_link: bool
    time_zone: str
    starts_at: datetime | None
    ends_at: datetime | None
    target_completes: int | None
    quotas: dict[str, dict[str, int]] = field(default_factory=dict)
    saturation_n: int | None = None


def read_settings(
    form: SettingsForm, *, now: datetime, guide: Guide | None = None
) -> CampaignSettings:
    """``form`` checked: every problem found, by field, in :class:`InvalidSettings`.
    ``guide``: a guide loaded already (the CLI's ``--guide FILE``), taken instead of the
    form's guide text (the company still overrides its own)."""
    problems: dict[str, str] = {}
    name = " ".join(form.name.split())
    if not name:
        problems["name"] = "Give the campaign a name."
    elif len(name) > MAX_NAME:
        problems["name"] = f"At most {MAX_NAME} characters."
    company = " ".join(form.company.split()) or None
    if company is not None and len(company) > MAX_COMPANY:
        problems["company"] = f"At most {MAX_COMPANY} characters."
    if guide is None:
        guide = _guide(form.guide, company, problems)
    elif company:
        guide = guide.model_copy(update={"company": company})
    consent = form.consent_text.strip() or None
    if consent is not None and len(consent) > MAX_CONSENT:
        problems["consent_text"] = f"At most {MAX_CONSENT} characters."
    languages = _languages(form.languages, problems)
    zone = form.time_zone.strip() or "UTC"
    try:
        time_zone(zone)
    except ValueError as error:
        problems["time_zone"] = _sentence(str(error))
        zone = "UTC"
    starts_at = _moment(form.starts_at, zone, now, "starts_at", problems)
    ends_at = _moment(form.ends_at, zone, now, "ends_at", problems)
    if starts_at and ends_at and ends_at <= starts_at:
        problems["ends_at"] = "The end must come after the start."
    target = _count(form.target_completes, "target_completes", problems, low=1, high=1_000_000)
    quotas = _quotas(form.quotas, problems)
    saturation_n = _count(form.saturation_n, "saturation_n", problems, low=2, high=MAX_SATURATION)
    if problems or guide is None:
        raise InvalidSettings(problems)
    return CampaignSettings(
        name=name,
        company=company,
        guide=guide,
        guide_customisation=form.guide.strip() + "\n",
        consent_text=consent,
        languages=languages,
        open_link=form.open_link,
        time_zone=zone,
        starts_at=starts_at,
        ends_at=ends_at,
        target_completes=target,
        quotas=quotas,
        saturation_n=saturation_n,
    )


def preview_guide(form: SettingsForm) -> Guide:
    """The guide ``form`` describes (its guide, company and consent text), to try before
    saving; :class:`InvalidSettings` names what stops it."""
    problems: dict[str, str] = {}
    company = " ".join(form.company.split()) or None
    guide = _guide(form.guide, company, problems)
    if guide is None:
        raise InvalidSettings(problems)
    # The same wording override interviews get (``guide_for``).
    return guide_from_source(resolved_guide_yaml(guide), form.consent_text.strip())


def local_input(moment: datetime | None, zone: str) -> str:
    """``moment`` as a ``datetime-local`` input shows it in ``zone`` (empty for none)."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def quota_lines(quotas: dict[str, dict[str, int]] | None) -> str:
    """Stored quotas as the form's text, one cell per line."""
    return "\n".join(
        f"{attribute}={value}: {target}"
        for attribute, cells in (quotas or {}).items()
        for value, target in cells.items()
    )


def _guide(text: str, company: str | None, problems: dict[str, str]) -> Guide | None:
    if len(text) > MAX_GUIDE_CHARS:
        problems["guide"] = f"At most {MAX_GUIDE_CHARS} characters."
        return None
    try:
        guide = customised_guide(text, source="the guide")
    except GuideError as error:
        problems["guide"] = "; ".join(error.problems)
        return None
    if company:
        guide = guide.model_copy(update={"company": company})
    return guide


def _languages(text: str, problems: dict[str, str]) -> tuple[str, ...]:
    tags = tuple(dict.fromkeys(t.strip() for t in re.split(r"[,\s]+", text) if t.strip()))
    wrong = [tag for tag in tags if not LANGUAGE_TAG.match(tag)]
    if wrong:
        problems["languages"] = f"Not a language tag (like en or pt-BR): {', '.join(wrong)}."
    elif not tags:
        problems["languages"] = "Name at least one language, e.g. en."
    return tags


def _moment(
    text: str, zone: str, now: datetime, name: str, problems: dict[str, str]
) -> datetime | None:
    if not text.strip():
        return None
    try:
        return local_time(text, zone, now=now)
    except ValueError as error:
        problems[name] = _sentence(str(error))
        return None


def _count(text: str, name: str, problems: dict[str, str], *, low: int, high: int) -> int | None:
    if not text.strip():
        return None
    try:
        value = int(text.strip())
    except ValueError:
        problems[name] = f"Write a whole number from {low} to {high}, or leave it empty."
        return None
    if not low <= value <= high:
        problems[name] = f"Write a whole number from {low} to {high}, or leave it empty."
        return None
    return value


def _quotas(text: str, problems: dict[str, str]) -> dict[str, dict[str, int]]:
    quotas: dict[str, dict[str, int]] = {}
    cells = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _QUOTA.match(line)
        if match is None:
            problems["quotas"] = (
                f"Line {number}: write one cell per line as attribute=value: number, "
                "e.g. plan=basic: 20."
            )
            return {}
        attribute, value, target = match.group(1), match.group(2), int(match.group(3))
        if value in quotas.get(attribute, {}):
            problems["quotas"] = f"Line {number}: {attribute}={value} is given twice."
            return {}
        if target < 1:
            problems["quotas"] = f"Line {number}: a quota needs at least 1 interview."
            return {}
        quotas.setdefault(attribute, {})[value] = target
        cells += 1
    if cells > MAX_QUOTA_CELLS:
        problems["quotas"] = f"At most {MAX_QUOTA_CELLS} cells."
        return {}
    return quotas


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
