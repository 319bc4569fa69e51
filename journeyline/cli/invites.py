"""`journeyline invites ...`: personal interview links."""

from __future__ import annotations

import typer

from bot.service.links import Links
from journeyline.cli.common import abort, console, runtime

app = typer.Typer(help="Personal interview links.", no_args_is_help=True)


@app.command("create")
def create(
    campaign: str = typer.Option(..., help="Campaign slug."),
    participant: list[str] = typer.Option(
        [], help="Participant id (repeat for several; none: one anonymous link)."
    ),
    attr: list[str] = typer.Option([], help="Participant attribute KEY=VALUE (repeatable)."),
) -> None:
    """Print one personal link per participant. Each link opens exactly one interview."""
    attributes: dict[str, str] = {}
    for pair in attr:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise abort(f"--attr takes KEY=VALUE, not {pair!r}")
        attributes[key.strip()] = value.strip()
    with runtime() as rt:
        links = Links(rt.sessions, rt.service)
        base = rt.settings.link_base()
        targets: list[str | None] = list(participant) or [None]
        for external_id in targets:
            token = links.create_invite(
                campaign_slug=campaign,
                participant_external_id=external_id,
                attributes=attributes,
            )
            label = f"{external_id}\t" if external_id else ""
            console.print(f"{label}{base}/i/{token}")
