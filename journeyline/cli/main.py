"""The `journeyline` command: one Typer app with a sub-app per area."""

from __future__ import annotations

import os

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
    serve,
    slack_cmd,
    synthesize,
    understand,
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
app.command("chat")(chat.chat)
app.command("demo")(demo.demo)
app.command("understand")(understand.understand_command)
app.command("serve")(serve.serve)
app.command("synthesize")(synthesize.synthesize_command)
app.command("import")(import_cmd.import_command)


# Files and folders the commands create hold customer words: owner-only (0600/0700),
# whatever the shell's umask. (storage.files sets these modes explicitly as well; this
# also covers what libraries create: SQLite's WAL, the embedding cache.)
PRIVATE_UMASK = 0o077


def main() -> None:
    """The console script: logging set up from the settings, then the command."""
    os.umask(PRIVATE_UMASK)
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
