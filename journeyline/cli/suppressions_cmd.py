"""`journeyline suppressions ...`: addresses nothing is ever sent to."""

from __future__ import annotations

import typer
from rich.table import Table

from bot.service.invitations import Invitations
from journeyline.cli.common import console, runtime

app = typer.Typer(
    help="The suppression list: people nothing is sent to, from any campaign.", no_args_is_help=True
)


@app.command("add")
def add(
    address: str = typer.Argument(..., help="Email address, or Slack user id with --slack."),
    slack: bool = typer.Option(False, "--slack", help="The address is a Slack user id."),
    reason: str = typer.Option("manual", help="Why (manual, bounce, complaint, ...)."),
) -> None:
    """Never send anything to this address again."""
    with runtime() as rt:
        added = Invitations(rt.sessions).suppress(
            kind="slack" if slack else "email", value=address, reason=reason
        )
    console.print("added" if added else "already on the list")


@app.command("remove")
def remove(
    address: str = typer.Argument(..., help="Email address, or Slack user id with --slack."),
    slack: bool = typer.Option(False, "--slack", help="The address is a Slack user id."),
) -> None:
    """Take an address off the list (only with the person's consent)."""
    with runtime() as rt:
        removed = Invitations(rt.sessions).unsuppress(
            kind="slack" if slack else "email", value=address
        )
    console.print("removed" if removed else "not on the list")


@app.command("list")
def list_all() -> None:
    """Every suppressed address, oldest first."""
    with runtime() as rt:
        rows = Invitations(rt.sessions).suppressions()
    table = Table("kind", "address", "reason", "since (UTC)")
    for kind, value, reason, since in rows:
        table.add_row(kind, value, reason, f"{since:%Y-%m-%d %H:%M}")
    console.print(table)
