"""`journeyline campaigns ...`: create and list interview campaigns."""

from __future__ import annotations

import typer
from rich.table import Table

from bot.service.campaign_guides import guide_for
from bot.service.campaigns import InvalidSlug, create_campaign
from bot.service.retention import Retention
from journeyline.cli.common import abort, console, errors, runtime
from storage import queries

app = typer.Typer(help="Interview campaigns.", no_args_is_help=True)
# The built-in guides' stand-in when a campaign names no company.
DEFAULT_COMPANY = "the company"


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
) -> None:
    """Create a campaign with a validated guide."""
    with runtime() as rt:
        try:
            with rt.sessions.begin() as session:
                campaign = create_campaign(
                    session,
                    slug=slug,
                    name=name,
                    guide=guide or rt.settings.default_guide,
                    consent_text=consent_text or None,
                    open_link=open_link,
                    company=company or None,
                )
                summary = (
                    f"Created campaign [bold]{campaign.slug}[/] ({campaign.name}) with guide "
                    f"{campaign.guide_name} v{campaign.guide_version}"
                    f"{', open link allowed' if campaign.open_link else ''}."
                )
                named = guide_for(campaign).company
        except (InvalidSlug, queries.DuplicateSlug) as error:
            raise abort(str(error)) from None
    console.print(summary)
    if named == DEFAULT_COMPANY:
        errors.print(
            f'[yellow]Note:[/] no company name, so the bot will say "{DEFAULT_COMPANY}" '
            '("what did you need from the company?"). Create the campaign with '
            "--company NAME, or use a guide that sets company:."
        )


@app.command("list")
def list_campaigns() -> None:
    """List campaigns with their interview counts."""
    with runtime() as rt, rt.sessions.begin() as session:
        rows = queries.list_campaigns(session)
        table = Table("slug", "name", "guide", "open link", "interviews", "completed")
        for campaign in rows:
            done = sum(1 for i in campaign.interviews if i.status == "completed")
            table.add_row(
                campaign.slug,
                campaign.name,
                f"{campaign.guide_name} v{campaign.guide_version}",
                "yes" if campaign.open_link else "no",
                str(len(campaign.interviews)),
                str(done),
            )
    if not rows:
        console.print("No campaigns yet. Create one with `journeyline campaigns create`.")
        return
    console.print(table)


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
