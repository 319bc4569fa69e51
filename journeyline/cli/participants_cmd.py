"""`journeyline participants ...`: a campaign's participant list and where each stands."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from bot.service.participants import ParticipantNotFound, Participants
from journeyline.cli.common import abort, console, errors, runtime

app = typer.Typer(
    help="A campaign's participants: import a list, see where each stands.", no_args_is_help=True
)


@app.command("import")
def import_list(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="CSV file with a header row."
    ),
    campaign: str = typer.Option(..., help="Campaign slug."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check the file; store nothing."),
) -> None:
    """Import participants from a CSV: email, slack_user_id or slack_email, name, language,
    time_zone, external_id; other columns become attributes. Bad rows are reported by
    line and column and left out (exit status 1)."""
    text = file.read_text(encoding="utf-8-sig")
    with runtime() as rt:
        report = Participants(rt.sessions).import_csv(
            campaign_slug=campaign, text=text, dry_run=dry_run
        )
    verb = "would add" if dry_run else "added"
    console.print(f"{verb} {report.added}, updated {report.updated} (already in the campaign)")
    for line, address in report.suppressed:
        console.print(f"line {line}: {address} is on the suppression list: left out")
    for problem in report.problems:
        errors.print(f"[bold red]bad row:[/] {problem}", markup=True)
    if report.problems:
        errors.print(f"{len(report.problems)} problem(s); those rows were left out")
        raise typer.Exit(code=1)


@app.command("list")
def list_participants(
    campaign: str = typer.Option(..., help="Campaign slug."),
    status: str | None = typer.Option(None, help="Only this status (e.g. sent, started)."),
    limit: int | None = typer.Option(None, help="At most this many."),
) -> None:
    """Participants with their status: not_invited, scheduled, pending, sent, opened,
    started, completed, declined, expired, revoked, failed, skipped, suppressed."""
    with runtime() as rt:
        rows = Participants(rt.sessions).statuses(
            campaign_slug=campaign, status=status, limit=limit
        )
    table = Table("id", "participant", "name", "address", "status", "reminders")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
        table.add_row(
            str(row.id), row.external_id or "", row.name or "",
            row.email or row.slack_user_id or "", row.status, str(row.reminders_sent),
        )  # fmt: skip
    console.print(table)
    console.print(
        ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no participants"
    )


@app.command("show")
def show(
    participant: str = typer.Argument(..., help="External id, email or Slack user id."),
    campaign: str = typer.Option(..., help="Campaign slug."),
) -> None:
    """One participant: contact details, status and history."""
    with runtime() as rt:
        try:
            detail = Participants(rt.sessions).detail(
                campaign_slug=campaign, participant=participant
            )
        except ParticipantNotFound as error:
            raise abort(str(error)) from None
    p = detail.participant
    console.print(f"{p.external_id} ({p.name or 'no name'}): {p.status}")
    console.print(
        f"  email {p.email or '-'}, Slack {p.slack_user_id or '-'}, "
        f"language {detail.language or '-'}, time zone {detail.time_zone or '-'}"
    )
    if p.attributes:
        console.print("  " + ", ".join(f"{k}={v}" for k, v in sorted(p.attributes.items())))
    for entry in detail.history:
        console.print(f"  {entry.at:%Y-%m-%d %H:%M:%S} UTC  {entry.what}")
