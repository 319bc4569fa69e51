"""The `journeyline` command: one Typer app with a sub-app per area."""

from __future__ import annotations

import typer
from pydantic import ValidationError
from rich.markup import escape

from journeyline.cli import (
    campaigns_cmd,
    chat,
    db_cmd,
    demo,
    import_cmd,
    interviews_cmd,
    invites,
    llm_cmd,
    maps,
    participants_cmd,
    serve,
    slack_cmd,
    suppressions_cmd,
    synthesize,
    understand,
    worker_cmd,
)
from journeyline.cli.common import errors
from journeyline.logs import configure_from_settings
from journeyline.settings import load_settings

app = typer.Typer(
    name="journeyline",
    help="Interview customers about their support experience; store every answer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(campaigns_cmd.app, name="campaigns")
app.add_typer(interviews_cmd.app, name="interviews")
app.add_typer(db_cmd.app, name="db")
app.add_typer(invites.app, name="invites")
app.add_typer(slack_cmd.app, name="slack")
app.add_typer(maps.app, name="maps")
app.add_typer(llm_cmd.app, name="llm")
app.add_typer(participants_cmd.app, name="participants")
app.add_typer(suppressions_cmd.app, name="suppressions")
app.command("worker")(worker_cmd.worker)
app.command("chat")(chat.chat)
app.command("demo")(demo.demo)
app.command("understand")(understand.understand_command)
app.command("serve")(serve.serve)
app.command("synthesize")(synthesize.synthesize_command)
app.command("import")(import_cmd.import_command)


def main() -> None:
    """The console script: logging set up from the settings, then the command."""
    try:
        settings = load_settings()
    except ValidationError as error:
        # Read once here, before any command: a mistyped setting is one line per setting.
        for problem in error.errors():
            name = f"JOURNEYLINE_{'.'.join(str(part) for part in problem['loc']).upper()}"
            errors.print(f"[bold red]error:[/] {escape(name)}: {escape(problem['msg'])}")
        raise SystemExit(1) from None
    configure_from_settings(settings)
    app()
