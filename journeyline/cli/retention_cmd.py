"""`journeyline retention ...`: delete transcripts whose campaign's retention has run out."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from bot.service.retention import Retention
from journeyline.cli.common import console, count, runtime

app = typer.Typer(
    help="Transcript retention: delete transcripts once their campaign's retention ends.",
    no_args_is_help=True,
)


@app.command("run")
def run(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Only report what would be deleted; delete nothing."
    ),
) -> None:
    """Delete the transcripts (messages, free text of steps and answers, engine state)
    of interviews that ended more than their campaign's retention days ago; the
    anonymous step facts stay, so maps still count them. The scheduler does this daily;
    set a campaign's retention with `journeyline campaigns retention`."""
    with runtime() as rt:
        report = Retention(rt.sessions).run(dry_run=dry_run)
    if not report.campaigns:
        console.print("Nothing is due: no transcript is past its campaign's retention.")
        return
    table = Table("campaign", "retention", "interviews", "messages", "steps", "Slack deliveries")
    for c in report.campaigns:
        table.add_row(
            escape(c.slug), f"{c.days} days", str(c.interviews), str(c.messages), str(c.steps),
            str(c.slack_events),
        )  # fmt: skip
    console.print(table)
    verb = "Would delete" if dry_run else "Deleted"
    console.print(
        f"{verb} the transcripts of {count(report.interviews, 'interview')} "
        f"({count(report.messages, 'message')}); their step facts are kept."
    )
