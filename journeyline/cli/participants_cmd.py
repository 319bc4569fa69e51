"""`journeyline participants ...`: a campaign's participant list and where each stands."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from bot.service.participants import ParticipantNotFound, Participants
from bot.service.privacy import CLI_ACTOR, ErasureReport, NobodyFound
from journeyline.cli.common import abort, console, count, errors, runtime
from storage.files import OutputError, prepare_file, write_private
from storage.people import Match, NoOneAsked, Who

app = typer.Typer(
    help="A campaign's participants: import a list, see where each stands, export or erase "
    "a person's data.",
    no_args_is_help=True,
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


def _who(participant_id: int | None, email: str | None, slack_user_id: str | None) -> Who:
    try:
        return Who(participant_id=participant_id, email=email, slack_user_id=slack_user_id)
    except NoOneAsked as error:
        raise abort(f"{error} (--id, --email or --slack-user)") from None


PARTICIPANT_ID = typer.Option(None, "--id", help="A participant id (see `participants list`).")
EMAIL = typer.Option(None, "--email", help="Their email address (any campaign).")
SLACK_USER = typer.Option(None, "--slack-user", help="Their Slack user id, e.g. U012AB3CD.")


def _print_matches(matches: tuple[Match, ...]) -> None:
    table = Table("id", "campaign", "participant", "name", "address", "interviews")
    for m in matches:
        table.add_row(
            str(m.participant_id), m.campaign, m.external_id or "", m.display_name or "",
            m.email or m.slack_user_id or "", str(m.interviews),
        )  # fmt: skip
    console.print(table)


@app.command("export")
def export(
    participant_id: int | None = PARTICIPANT_ID,
    email: str | None = EMAIL,
    slack_user: str | None = SLACK_USER,
    out: Path | None = typer.Option(
        None, "--out", help="Write the JSON to this file (owner-only); default: standard output."
    ),
) -> None:
    """Everything stored about one person, in every campaign, as one JSON document
    (an access request): participant rows, interviews with messages, steps and model
    calls, consent, personal links, invitations and the messages sent, Slack deliveries."""
    who = _who(participant_id, email, slack_user)
    if out is not None:
        try:
            prepare_file(out)
        except OutputError as error:
            raise abort(f"--out: {error}") from None
    from journeyline.privacy_wiring import make_personal_data

    with runtime() as rt:
        try:
            document = make_personal_data(rt).export(who)
        except NobodyFound as error:
            raise abort(str(error)) from None
    text = json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"
    if out is None:
        # Plain print: customer words are data, never console markup.
        console.out(text, highlight=False, end="")
        return
    write_private(out, text.encode("utf-8"))
    errors.print(
        f"Wrote {escape(str(out))}: {count(len(document['participants']), 'participant row')}, "
        f"{count(len(document['interviews']), 'interview')}."
    )


@app.command("erase")
def erase(
    participant_id: int | None = PARTICIPANT_ID,
    email: str | None = EMAIL,
    slack_user: str | None = SLACK_USER,
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Erase one person everywhere: their participant rows in every campaign, interviews,
    messages, steps, invitations and their emails in the outbox, Slack deliveries, model
    calls, review pins of their words; stored maps that quoted them are retired and
    their files deleted. An audit record keeps the date, who acted and the counts, never
    who was erased."""
    who = _who(participant_id, email, slack_user)
    from journeyline.privacy_wiring import make_personal_data

    with runtime() as rt:
        privacy = make_personal_data(rt)
        person = privacy.find(who)
        if not person.found:
            raise abort(f"no participant matches {who.describe()}")
        console.print(f"{count(len(person.matches), 'participant row')} match {who.describe()}:")
        _print_matches(person.matches)
        if not yes and not typer.confirm(
            "Erase all of this for good (it cannot be undone)?", default=False
        ):
            raise abort("nothing erased")
        try:
            report = privacy.erase(who, actor=CLI_ACTOR)
        except NobodyFound as error:  # erased by someone else meanwhile
            raise abort(str(error)) from None
    _print_erasure(report)


def _print_erasure(report: ErasureReport) -> None:
    rows = ", ".join(
        f"{table} {n}" for table, n in report.counts.items() if table != "files_deleted"
    )
    console.print(f"[bold green]Erased[/] (erasure id {report.erasure_id}): {rows}.")
    if report.retired_runs:
        runs = ", ".join(map(str, report.retired_runs))
        console.print(
            f"  retired map runs {runs} (they quoted this person); run `journeyline "
            "synthesize` again for maps without them"
        )
    if report.files_deleted:
        console.print(f"  deleted {count(len(report.files_deleted), 'file')}:")
        for path in report.files_deleted:
            console.print(f"    {escape(path)}")
    if report.kept_suppressions:
        entries = count(report.kept_suppressions, "entry", "entries")
        console.print(
            f"  kept {entries} of the suppression list for their address, so they are never "
            "contacted again (`journeyline suppressions remove` takes it off)"
        )
    if report.log_emptied is False:
        errors.print(
            "[yellow]Note:[/] a reader kept the database's write-ahead log from being "
            "emptied; later writes overwrite it."
        )
