"""`journeyline chat`: take an interview in the terminal."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator

import typer

from bot.service.campaigns import create_campaign
from bot.terminal import PROMPT, run_chat, show
from journeyline.cli.common import abort, command_name, console, runtime
from storage import queries

TERMINAL_CAMPAIGN = "terminal"


def _typed_lines() -> Iterator[str]:
    # A terminal or pipe in another encoding must not crash the chat; the service keeps
    # whatever arrives, with undecodable bytes shown as replacement characters.
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = input(PROMPT) if interactive else sys.stdin.readline()
        except (EOFError, KeyboardInterrupt):
            return
        if not interactive:
            if not line:
                return
            line = line.rstrip("\n")
        yield line


def chat(
    campaign: str = typer.Option(
        TERMINAL_CAMPAIGN, help="Campaign slug (created on first use when it is the default)."
    ),
    resume: str = typer.Option("", help="Continue this interview id instead of starting one."),
    participant: str = typer.Option("", help="Participant id to record with a new interview."),
) -> None:
    """Take a support-journey interview right here. Ctrl-D leaves; --resume continues."""
    with runtime() as rt:
        if resume:
            result = rt.service.pending(resume)
            if result.finished:
                raise abort(
                    f"interview {result.interview_id} is {result.status}: there is nothing "
                    f"left to answer (see `{command_name()} interviews show "
                    f"{result.interview_id}`)"
                )
            console.print(f"Resuming interview {result.interview_id}.")
        else:
            if campaign == TERMINAL_CAMPAIGN:
                with rt.sessions.begin() as session:
                    if queries.get_campaign_by_slug(session, campaign) is None:
                        create_campaign(
                            session,
                            slug=campaign,
                            name="Terminal interviews",
                            guide=rt.settings.default_guide,
                        )
            result = rt.service.start_interview(
                campaign_slug=campaign,
                channel="terminal",
                participant_external_id=participant or None,
            )
            console.print(f'Interview {result.interview_id} (type "help" for commands).')
        show(result, print)
        final = run_chat(rt.service, result.interview_id, lines=_typed_lines(), write=print)
        if not final.finished:
            console.print(
                f"\nSaved. Continue with: {command_name()} chat --resume {final.interview_id}"
            )
