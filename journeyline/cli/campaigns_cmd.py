"""`journeyline campaigns ...`: create, list, close and reopen interview campaigns."""

from __future__ import annotations

from datetime import timedelta

import typer
from rich.table import Table

from bot.conversation.guide import GuideError, load_guide
from bot.service.campaign_admin import CampaignAdmin
from bot.service.campaign_settings import InvalidSettings, SettingsForm
from bot.service.campaign_states import ReopenRefused
from bot.service.console.overview import campaign_summaries
from bot.service.errors import CampaignNotFound
from bot.service.retention import Retention
from journeyline.cli.common import abort, console, errors, runtime
from journeyline.runtime import Runtime
from storage.types import utcnow

app = typer.Typer(help="Interview campaigns.", no_args_is_help=True)
# The built-in guides' stand-in when a campaign names no company.
DEFAULT_COMPANY = "the company"
# The form's fields as this command's flags, for its error messages.
FLAGS = {
    "slug": "--slug",
    "name": "--name",
    "company": "--company",
    "guide": "--guide",
    "consent_text": "--consent-text",
    "languages": "--languages",
    "time_zone": "--tz",
    "starts_at": "--starts",
    "ends_at": "--ends",
    "target_completes": "--target",
    "quotas": "--quota",
    "saturation_n": "--saturation",
}


def _admin(rt: Runtime) -> CampaignAdmin:
    return CampaignAdmin(rt.sessions, every=timedelta(minutes=rt.settings.stop_rules_check_minutes))


@app.command("create")
def create(
    slug: str = typer.Option(..., help="Short id used in links and commands, e.g. 'support-q3'."),
    name: str = typer.Option(..., help="A human-readable name."),
    guide: str = typer.Option(
        "", help="Built-in guide name or path to a guide YAML (default: JOURNEYLINE_DEFAULT_GUIDE)."
    ),
    company: str = typer.Option("", help="Company or product name the bot talks about."),
    consent_text: str = typer.Option("", help="Your own consent question (default: the guide's)."),
    open_link: bool = typer.Option(
        False, "--open-link/--invite-only", help="May an open link start anonymous interviews?"
    ),
    languages: str = typer.Option("en", help="Language tags, comma-separated: 'en, pt-BR'."),
    starts: str = typer.Option(
        "", "--starts", help="When it opens, '2026-12-10 09:00' in --tz (default: at once)."
    ),
    ends: str = typer.Option(
        "", "--ends", help="When it closes, '2026-12-24 18:00' in --tz (default: never)."
    ),
    tz: str = typer.Option("UTC", "--tz", help="IANA time zone of --starts and --ends."),
    target: str = typer.Option(
        "", "--target", help="Close at this many completed interviews (default: no target)."
    ),
    quota: list[str] = typer.Option(
        [],
        "--quota",
        help="A quota cell, 'plan=basic:20' (attribute=value:completed interviews); repeatable.",
    ),
    saturation: str = typer.Option(
        "",
        "--saturation",
        help="Close when this many completed interviews in a row added no new pain point.",
    ),
) -> None:
    """Create a campaign with a validated guide."""
    form = SettingsForm(
        name=name,
        company=company,
        consent_text=consent_text,
        languages=languages,
        open_link=open_link,
        time_zone=tz,
        starts_at=starts,
        ends_at=ends,
        target_completes=target,
        quotas="\n".join(quota),
        saturation_n=saturation,
    )
    with runtime() as rt:
        try:
            loaded = load_guide(guide or rt.settings.default_guide)
        except GuideError as error:
            raise abort(str(error)) from None
        try:
            _admin(rt).create(slug, form, guide=loaded)
        except InvalidSettings as invalid:
            raise abort(_problems(invalid)) from None
        made = _admin(rt).detail(slug)
    console.print(
        f"Created campaign [bold]{made.slug}[/] ({made.name}) with guide {made.guide}"
        f"{', open link allowed' if made.open_link else ''}."
    )
    if made.company == DEFAULT_COMPANY:
        errors.print(
            f'[yellow]Note:[/] no company name, so the bot will say "{DEFAULT_COMPANY}" '
            '("what did you need from the company?"). Create the campaign with '
            "--company NAME, or use a guide that sets company:."
        )


@app.command("list")
def list_campaigns() -> None:
    """List campaigns with their status and interview counts."""
    with runtime() as rt:
        rows = campaign_summaries(rt.sessions, now=utcnow())
    if not rows:
        console.print("No campaigns yet. Create one with `journeyline campaigns create`.")
        return
    table = Table("slug", "name", "guide", "status", "interviews", "completed")
    for campaign in reversed(rows):  # oldest first, as before
        target = f" of {campaign.target_completes}" if campaign.target_completes else ""
        status = campaign.status.replace("_", " ")
        table.add_row(
            campaign.slug,
            campaign.name,
            campaign.guide,
            f"{status}, open link" if campaign.open_link else status,
            str(campaign.interviews),
            f"{campaign.completed}{target}",
        )
    console.print(table)


@app.command("close")
def close(slug: str = typer.Argument(..., help="The campaign's slug.")) -> None:
    """Close a campaign: its links say the study has closed; nothing more is sent."""
    with runtime() as rt:
        try:
            changed = _admin(rt).close(slug)
        except CampaignNotFound as error:
            raise abort(str(error)) from None
    console.print(f"Closed {slug}." if changed else f"{slug} was closed already.")


@app.command("reopen")
def reopen(slug: str = typer.Argument(..., help="The campaign's slug.")) -> None:
    """Reopen a closed campaign (refused while a stop rule would close it again)."""
    with runtime() as rt:
        try:
            changed = _admin(rt).reopen(slug)
        except (CampaignNotFound, ReopenRefused) as error:
            raise abort(str(error)) from None
    console.print(f"Reopened {slug}." if changed else f"{slug} was open already.")


def _problems(invalid: InvalidSettings) -> str:
    return "; ".join(
        f"{FLAGS.get(name, name)}: {problem}" for name, problem in invalid.problems.items()
    )


@app.command("retention")
def retention(
    slug: str = typer.Argument(..., help="Campaign slug."),
    days: int | None = typer.Option(
        None, "--days", min=1, help="Delete transcripts this many days after an interview ended."
    ),
    keep: bool = typer.Option(False, "--keep", help="Keep transcripts (no retention)."),
) -> None:
    """Set how long a campaign keeps transcripts: messages, the free text of steps and
    answers, and the engine state go DAYS after an interview ended (`journeyline retention
    run`, and daily in the scheduler); anonymous step facts stay for the maps."""
    if (days is None) == (not keep):
        raise abort("give --days N or --keep")
    with runtime() as rt:
        try:
            Retention(rt.sessions).set_days(slug, None if keep else days)
        except ValueError as error:
            raise abort(str(error)) from None
    if keep:
        console.print(f"Campaign {slug} keeps its transcripts.")
    else:
        console.print(f"Campaign {slug} deletes transcripts {days} days after an interview ended.")
