"""The `journeyline` commands, loaded when run: `journeyline --help` imports none of them.

Each command's module brings in what it needs (SQLAlchemy, FastAPI, Slack, scikit-learn);
importing them all made every `--help` take about two seconds. The top-level group lists
the commands from this table (name, where it lives, its one-line help: a test keeps the
line equal to the command's own) and imports a command only when it is run or asked
for its own help.

Help is Click's plain layout: Typer's Rich panels showed ``<bool>`` beside every flag,
``--help`` included, as if it took a value.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer import _click as click
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Entry:
    """A command: ``target`` is "module:attribute", a Typer app (a group of commands)
    or a command function; ``help`` its line in `journeyline --help`."""

    target: str
    help: str


COMMANDS: dict[str, Entry] = {
    "chat": Entry(
        "journeyline.cli.chat:chat",
        "Take a support-journey interview right here. Ctrl-D leaves; --resume continues.",
    ),
    "demo": Entry(
        "journeyline.cli.demo:demo",
        "Run 38 simulated customers through the real interview engine and storage, then "
        "serve the web chat with a fresh interview to try.",
    ),
    "understand": Entry(
        "journeyline.cli.understand:understand_command",
        "Read one answer per line on stdin; print one JSON object per line.",
    ),
    "serve": Entry(
        "journeyline.cli.serve:serve",
        "Serve the web chat (/i/TOKEN, /c/SLUG), the JSON API (/api/v1) and its docs (/docs).",
    ),
    "synthesize": Entry(
        "journeyline.cli.synthesize:synthesize_command",
        "Draft a journey map and ranked pain points from a campaign's interviews.",
    ),
    "import": Entry(
        "journeyline.cli.import_cmd:import_command",
        "Import interviews done elsewhere; bad lines are reported and skipped.",
    ),
    "campaigns": Entry("journeyline.cli.campaigns_cmd:app", "Interview campaigns."),
    "interviews": Entry("journeyline.cli.interviews_cmd:app", "Stored interviews."),
    "db": Entry("journeyline.cli.db_cmd:app", "Database schema."),
    "invites": Entry(
        "journeyline.cli.invites:app", "Personal interview links and invitation waves."
    ),
    "slack": Entry(
        "journeyline.cli.slack_cmd:app", "Interviews in Slack DMs: invitations, Socket Mode."
    ),
    "maps": Entry(
        "journeyline.cli.maps:app", "Stored journey maps (one per `journeyline synthesize`)."
    ),
    "llm": Entry("journeyline.cli.llm_cmd:app", "The optional language model: usage and spend."),
    "participants": Entry(
        "journeyline.cli.participants_cmd:app",
        "A campaign's participants: import a list, see where each stands, export or erase "
        "a person's data.",
    ),
    "retention": Entry(
        "journeyline.cli.retention_cmd:app",
        "Transcript retention: delete transcripts once their campaign's retention ends.",
    ),
    "suppressions": Entry(
        "journeyline.cli.suppressions_cmd:app",
        "The suppression list: people nothing is sent to, from any campaign.",
    ),
    "worker": Entry(
        "journeyline.cli.worker_cmd:worker",
        "Send scheduled invitations and reminders until stopped (SIGTERM or Ctrl-C finish "
        "the message at hand). Any number of workers, here and in `journeyline serve`, share "
        "the work; each message goes out once.",
    ),
    "users": Entry(
        "journeyline.cli.users_cmd:app", "Console users: create, list, disable, reset passwords."
    ),
}


def load(name: str) -> click.Command:
    """The command ``name`` as Typer builds it (importing its module)."""
    module, _, attribute = COMMANDS[name].target.partition(":")
    found: Any = getattr(importlib.import_module(module), attribute)
    if isinstance(found, typer.Typer):
        # As when nested with add_typer: the top level's help layout, and no
        # shell-completion options of its own.
        found.rich_markup_mode = None
        found._add_completion = False
        command: click.Command = typer.main.get_group(found)
    else:
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        single.command(name)(found)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyCommands(TyperGroup):
    """The top-level group: commands from `COMMANDS`, imported when used."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        if self._listing:
            # Listing the commands needs their names and lines, not their modules.
            return TyperCommand(name=cmd_name, help=entry.help)
        return load(cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # Typer suggests close matches from `self.commands`, which this group leaves empty.
        self.commands = {name: TyperCommand(name=name) for name in COMMANDS}
        return super().resolve_command(ctx, args)
