"""`journeyline interviews ...`: list, read and export stored interviews."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Column, Table

from bot.conversation.fact_words import describe_minutes
from bot.conversation.vocabulary import FEELING_LABELS, InterviewStatus
from journeyline.cli.common import abort, console, count, runtime
from journeyline.interview_export import interview_document, write_csv_tables
from storage import queries
from storage.files import OutputError, prepare_file, prepare_folder, write_private

app = typer.Typer(help="Stored interviews.", no_args_is_help=True)


class ExportFormat(StrEnum):
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


@app.command("list")
def list_command(
    campaign: str = typer.Option("", help="Only this campaign (slug)."),
    status: InterviewStatus | None = typer.Option(
        None, help="Only interviews with this status.", case_sensitive=False
    ),
    limit: int = typer.Option(50, min=1, help="At most this many, newest first."),
) -> None:
    """List interviews, newest first."""
    with runtime() as rt, rt.sessions.begin() as session:
        rows = queries.list_interviews(
            session,
            campaign_slug=campaign or None,
            status=status.value if status else None,
            limit=limit,
        )
        table = Table("campaign", "participant", "channel", "status", "steps", "started")
        # The id is what people copy into other commands: never shorten it.
        table.columns.insert(0, Column("id", no_wrap=True, min_width=36))
        for interview in rows:
            table.add_row(
                interview.public_id,
                interview.campaign.slug,
                escape(interview.participant.external_id or "") if interview.participant else "",
                interview.channel,
                interview.status,
                str(len(interview.steps)),
                interview.started_at.strftime("%Y-%m-%d %H:%M"),
            )
    if not rows:
        console.print("No interviews match.")
        return
    console.print(table)


@app.command("show")
def show_command(interview_id: str = typer.Argument(..., help="The interview id.")) -> None:
    """Print an interview's transcript and the journey steps understood from it."""
    with runtime() as rt, rt.sessions.begin() as session:
        interview = queries.get_interview(session, interview_id)
        if interview is None:
            raise abort(
                f"no interview with id {interview_id!r} (see `journeyline interviews list`)"
            )
        console.rule(
            f"Interview {interview.public_id} · {interview.campaign.slug} · {interview.status}"
        )
        for message in interview.messages:
            who = "[cyan]bot[/]" if message.direction == "out" else "[green]customer[/]"
            text = "(redacted)" if message.redacted else escape(message.text)
            choice = f" [dim]\\[{escape(message.choice)}][/]" if message.choice else ""
            console.print(f"{who} [dim]#{message.id}[/]{choice} {text}")
        console.rule("Journey steps")
        table = Table("#", "doing", "channel", "feeling", "time", "people / tools", "pains")
        for step in interview.steps:
            table.add_row(
                str(step.ordinal),
                escape(step.doing),
                step.channel or "",
                FEELING_LABELS[step.feeling] if step.feeling else "",
                describe_minutes(step.duration_minutes)
                if step.duration_minutes is not None
                else escape(step.duration_text or ""),
                escape(", ".join([*step.people, *step.tools])),
                ", ".join(step.pains),
            )
        console.print(table)
        at_step = interview.moment_of_truth_step
        console.print(
            f"Moment of truth: {escape(interview.moment_of_truth or '-')}"
            f"{f' (step {at_step})' if at_step else ''}\n"
            f"Resolved: {interview.resolved or '-'} · effort: {interview.effort or '-'}/7\n"
            f"Improvement: {escape(interview.improvement or '-')}"
        )


@app.command("export")
def export_command(
    out: Path = typer.Option(
        ..., help="File for json/jsonl; folder for csv (interviews, steps, messages)."
    ),
    fmt: ExportFormat = typer.Option(ExportFormat.JSON, "--format", help="json, jsonl or csv."),
    campaign: str = typer.Option("", help="Only this campaign (slug)."),
    interview_id: str = typer.Option("", "--id", help="Only this interview."),
    include_personal_data: bool = typer.Option(
        False,
        "--include-personal-data",
        help="Export customers' emails, phone numbers, card numbers, IBANs and names as "
        "they gave them. Default: replaced by [email], [phone], [card], [iban], [name].",
    ),
) -> None:
    """Export transcripts and step records (personal data redacted by default)."""
    try:
        if fmt == ExportFormat.CSV:
            prepare_folder(out)
        else:
            prepare_file(out)
    except OutputError as error:
        raise abort(f"--out: {error}") from None
    with runtime() as rt, rt.sessions.begin() as session:
        if interview_id:
            one = queries.get_interview(session, interview_id)
            if one is None:
                raise abort(f"no interview with id {interview_id!r}")
            rows = [one]
        else:
            rows = queries.list_interviews(session, campaign_slug=campaign or None)
        if fmt == ExportFormat.CSV:
            paths = write_csv_tables(rows, out, include_personal_data=include_personal_data)
            wrote = ", ".join(str(p) for p in paths)
            console.print(f"Wrote {count(len(rows), 'interview')} to {wrote}")
            return
        documents = [
            interview_document(i, include_personal_data=include_personal_data) for i in rows
        ]
        if fmt == ExportFormat.JSONL:
            text = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents)
        else:
            text = json.dumps(documents, ensure_ascii=False, indent=2)
        write_private(out, text.encode("utf-8"))
    console.print(f"Wrote {count(len(documents), 'interview')} to {out}")
