"""The `journeyline` command: one Typer app with a sub-app per area."""

from __future__ import annotations

import typer

from journeyline.cli import (
    campaigns_cmd,
    chat,
    db_cmd,
    demo,
    import_cmd,
    interviews,
    invites,
    llm_cmd,
    maps,
    serve,
    slack,
    synthesize,
    understand,
)

app = typer.Typer(
    name="journeyline",
    help="Interview customers about their support experience; store every answer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(campaigns_cmd.app, name="campaigns")
app.add_typer(interviews.app, name="interviews")
app.add_typer(db_cmd.app, name="db")
app.add_typer(invites.app, name="invites")
app.add_typer(slack.app, name="slack")
app.add_typer(maps.app, name="maps")
app.add_typer(llm_cmd.app, name="llm")
app.command("chat")(chat.chat)
app.command("demo")(demo.demo)
app.command("understand")(understand.understand_command)
app.command("serve")(serve.serve)
app.command("synthesize")(synthesize.synthesize_command)
app.command("import")(import_cmd.import_command)


def main() -> None:
    app()
