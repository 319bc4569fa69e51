"""`journeyline import FILE`: bring in interviews done elsewhere (JSON lines)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from bot.importer import import_lines, read_lines
from journeyline.cli.common import abort, console, count, errors, runtime

SHOWN_PROBLEMS = 20


def import_command(
    file: Path = typer.Argument(
        ..., help="JSON lines, one interview per line (docs/import-format.md)."
    ),
    campaign: str | None = typer.Option(
        None, "--campaign", help="Campaign slug for records that name none."
    ),
) -> None:
    """Import interviews done elsewhere; bad lines are reported and skipped.

    Exits with status 1 when any line was rejected (the good lines are still imported).
    """
    if not file.is_file():
        raise abort(f"no such file: {file}")
    size = file.stat().st_size
    with (
        runtime() as rt,
        Progress(
            TextColumn("Importing"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("import", total=size or 1)
        report = import_lines(
            rt.sessions,
            read_lines(str(file)),
            campaign_slug=campaign,
            source=file.name,
            on_line=lambda _lines, done: progress.update(task, completed=done),
        )
    console.print(
        f"Imported {count(len(report.imported), 'interview')} from {escape(str(file))} "
        f"({count(report.lines, 'line')}): {report.unchanged} already imported and unchanged, "
        f"{len(report.problems)} rejected."
    )
    for problem in report.problems[:SHOWN_PROBLEMS]:
        who = f" ({escape(problem.external_id)})" if problem.external_id else ""
        errors.print(f"[yellow]line {problem.line}{who}:[/] {escape(problem.message)}")
    if len(report.problems) > SHOWN_PROBLEMS:
        errors.print(f"... and {len(report.problems) - SHOWN_PROBLEMS} more rejected lines.")
    if report.problems:
        raise typer.Exit(code=1)
