"""`journeyline demo`: the README's main job, end to end on the embedded default."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.conversation.vocabulary import CHANNEL_LABELS, PAIN_LABELS, Channel
from journeyline.cli.common import command_name, console, runtime
from journeyline.cli.serve import run_server
from journeyline.runtime import Runtime
from storage.engines import masked_url

# The demo's console login. Its password is made up anew at every `journeyline demo`:
# a fixed, published one would open any demo server someone left running on a network.
DEMO_ADMIN_EMAIL = "demo@journeyline.test"

if TYPE_CHECKING:
    from journeyline.demo.runner import DemoSummary


def demo(
    seed: int = typer.Option(7, help="Seed for the simulated customers' small variations."),
    keep: bool = typer.Option(
        False, "--keep", help="Keep earlier demo interviews instead of replacing them."
    ),
    serve: bool | None = typer.Option(
        None,
        "--serve/--no-serve",
        help="Serve the web chat afterwards (default: when run in a terminal).",
    ),
) -> None:
    """Run 38 simulated customers through the real interview engine and storage, then
    serve the web chat with a fresh interview to try."""
    # The personas are a large data module; only this command needs them.
    from journeyline.demo.personas import PERSONAS
    from journeyline.demo.runner import run_demo

    with runtime() as rt:
        console.print(
            f"[bold]journeyline demo[/]: {len(PERSONAS)} simulated customers are interviewed "
            f"about their last support experience.\nDatabase: {masked_url(rt.engine.url)}\n"
        )
        started = time.perf_counter()
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("Interviewing", total=len(PERSONAS))
            summary = run_demo(
                rt.service,
                rt.sessions,
                guide=rt.settings.default_guide,
                seed=seed,
                fresh=not keep,
                on_interview=lambda persona, _: progress.update(
                    task, advance=1, description=f"Interviewing {persona.name:<10}"
                ),
            )
        print_summary(summary, seconds=time.perf_counter() - started)
        _synthesize_demo(rt, summary)
        _invite_demo(rt)
        if serve is None:
            # Serving blocks until Ctrl-C: only do it for a person at a terminal, never
            # in scripts, CI or pipes.
            serve = sys.stdin.isatty() and sys.stdout.isatty()
        _print_links(rt, summary, base=rt.settings.link_base(), serving=serve)
    if serve:
        with runtime() as served:
            run_server(served)


def _invite_demo(rt: Runtime) -> None:
    from journeyline.demo.invitations import CAMPAIGN, invite_demo_people

    invited = invite_demo_people(rt)
    if invited is not None:
        count, outbox = invited
        console.print(
            f"\n[bold]Invitations[/]: {count} demo people invited by email (campaign "
            f"{CAMPAIGN}); with no SMTP server set, the emails are in {outbox}/ "
            f"(open them with any mail program; `journeyline participants list --campaign "
            f"{CAMPAIGN}` shows where each stands)."
        )


def _synthesize_demo(rt: Runtime, summary: DemoSummary) -> None:
    from journeyline.cli.synthesize import print_written, synthesize_to

    console.print("\n[bold]Journey map of the demo interviews[/]")
    out = rt.settings.data_dir / "demo-map"
    written = synthesize_to(rt.sessions, campaign=summary.campaign, out=out, segment_by="segment")
    print_written(written)
    console.print(f"Open {out / 'map.html'} in a browser for the whole map.")


def _print_links(rt: Runtime, summary: DemoSummary, *, base: str, serving: bool) -> None:
    from bot.service.links import Links

    links = Links(rt.sessions, rt.service)
    fresh = links.create_invite(
        campaign_slug=summary.campaign,
        participant_external_id="you",
        attributes={"segment": "demo"},
    )
    console.print(f"\n[bold]Try the web chat yourself:[/] {base}/i/{fresh}")
    console.print("Completed demo interviews, as their customers see them:")
    for interview_id in summary.interview_ids[:3]:
        console.print(f"  {base}/i/{links.grant(interview_id)}")
    email, password = demo_login(rt)
    console.print(f"\n[bold]The researcher console:[/] {base}/app")
    console.print(f"  sign in as {email} with the password {password}")
    if not serving:
        console.print(f"(Start the server with `{command_name()} serve` to open these links.)")


def demo_login(rt: Runtime) -> tuple[str, str]:
    """The demo admin's email and a fresh password (the account is made on first use)."""
    from bot.service.console.errors import UserNotFound
    from journeyline.console_wiring import make_console_service

    accounts = make_console_service(rt.settings, sessions=rt.sessions, engine=rt.engine).accounts
    try:
        user = accounts.find(DEMO_ADMIN_EMAIL)
    except UserNotFound:
        user, _ = accounts.create(
            email=DEMO_ADMIN_EMAIL, role="admin", display_name="Demo admin", password=None
        )
    accounts.enable(user.id)
    accounts.set_role(user.id, "admin")
    password = accounts.set_temporary_password(user.id, must_change=False)
    return DEMO_ADMIN_EMAIL, password


def print_summary(summary: DemoSummary, *, seconds: float) -> None:
    total = len(summary.interview_ids)
    if summary.removed_previous:
        console.print(f"(Replaced {summary.removed_previous} interviews from an earlier demo.)")
    console.print(
        f"[bold green]{summary.completed} of {total} interviews completed[/] in {seconds:.1f} s: "
        f"{summary.messages_sent} customer messages, {summary.steps} journey steps "
        f"({summary.complete_steps} with channel and feeling); "
        f"{summary.interviews_with_two_full_steps} interviews have 2+ such steps."
    )
    others = {k: v for k, v in summary.statuses.items() if k != "completed"}
    if others:
        console.print("Other outcomes: " + ", ".join(f"{v} {k}" for k, v in others.items()))
    mix = Table("channel", "steps", title="Channel mix")
    for channel, count in summary.channels.most_common():
        mix.add_row(CHANNEL_LABELS.get(Channel(channel), channel), str(count))
    pains = Table("pain", "steps", title="Most common pains")
    for pain, count in summary.pains.most_common(8):
        pains.add_row(PAIN_LABELS.get(pain, pain), str(count))
    console.print(mix, pains)
    resolved = ", ".join(f"{summary.resolved[k]} {k}" for k in ("yes", "partly", "no"))
    feeling = f"{summary.mean_feeling:.2f}/5" if summary.mean_feeling is not None else "-"
    effort = f"{summary.mean_effort:.1f}/7" if summary.mean_effort is not None else "-"
    console.print(
        f"Resolved: {resolved}. Mean feeling across steps: {feeling}. Mean effort: {effort}."
    )
    jl = command_name()
    console.print(
        "\nLook around:\n"
        f"  {jl} interviews list --campaign {summary.campaign}\n"
        f"  {jl} interviews show {summary.interview_ids[0]}\n"
        f"  {jl} interviews export --campaign {summary.campaign} --format csv "
        "--out demo-export\n"
        # The demo campaign names its company; the terminal's default campaign does not.
        f"  {jl} chat --campaign {summary.campaign}   # take the interview yourself"
    )
