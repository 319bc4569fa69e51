"""The `journeyline` command: one Typer group whose commands load when used (see
`journeyline.cli.commands`)."""

from __future__ import annotations

import os

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from journeyline.cli.commands import LazyCommands
from journeyline.logs import configure_from_settings
from journeyline.settings import load_settings

app = typer.Typer(
    name="journeyline",
    cls=LazyCommands,
    help="Interview customers about their support experience; store every answer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def journeyline() -> None:
    """Interview customers about their support experience; store every answer."""


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
            errors = Console(stderr=True, highlight=False, soft_wrap=True)
            errors.print(f"[bold red]error:[/] {escape(name)}: {escape(problem['msg'])}")
        raise SystemExit(1) from None
    configure_from_settings(settings)
    app()
