"""`journeyline slack ...`: interviews in Slack DMs (invitations and Socket Mode)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.invite import send_invitation
from bot.slack.users import SlackUser, SlackUserNotFound, SlackUsers
from bot.slack.web_client import make_client
from journeyline.cli.common import abort, console, fail_cleanly, runtime
from journeyline.runtime import Runtime
from journeyline.slack_mount import EVENTS_PATH, SlackNotConfigured, build_slack_bot

app = typer.Typer(help="Interviews in Slack DMs: invitations, Socket Mode.")


@contextmanager
def _slack_errors() -> Iterator[None]:
    """Slack problems a person can fix, as one red line instead of a traceback."""
    try:
        yield
    except (SlackNotConfigured, SlackUserNotFound) as error:
        raise abort(str(error)) from None
    except SlackApiError as error:
        code = error.response.get("error") or str(error)
        raise abort(f"Slack refused the call: {code}") from None


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    socket: bool = typer.Option(
        False, "--socket", help="Run the bot in Socket Mode (as `journeyline slack run`)."
    ),
) -> None:
    """Interviews in Slack DMs. `journeyline slack --socket` runs the bot in Socket Mode."""
    if ctx.invoked_subcommand is not None:
        return
    if socket:
        run(socket=True)
        return
    console.print(ctx.get_help())


@app.command("run")
def run(
    socket: bool = typer.Option(
        True,
        "--socket/--http",
        help="Socket Mode (no public URL; needs JOURNEYLINE_SLACK_APP_TOKEN), or HTTP "
        f"events at {EVENTS_PATH} on `journeyline serve`.",
    ),
) -> None:
    """Run the Slack bot until Ctrl-C: in Socket Mode, or as part of the web server."""
    if not socket:
        from journeyline.cli.serve import serve

        console.print(f"Slack events are served at JOURNEYLINE_PUBLIC_URL + {EVENTS_PATH}.")
        serve(host=None, port=None, workers=None, forwarded_allow_ips=None)
        return
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    with runtime() as rt, _slack_errors():
        app_token = rt.settings.slack_app_token
        if app_token is None:
            raise SlackNotConfigured("JOURNEYLINE_SLACK_APP_TOKEN")
        bot = build_slack_bot(rt)
        handler = SocketModeHandler(bot.app, app_token.get_secret_value())
        console.print("journeyline is connected to Slack (Socket Mode). Ctrl-C stops.")
        try:
            bot.start()  # re-drives what a previous run acked and left undone
            handler.start()  # type: ignore[no-untyped-call]
        except KeyboardInterrupt:
            pass
        finally:
            handler.close()  # type: ignore[no-untyped-call]
            bot.close()


@app.command("invite")
def invite(
    campaign: str = typer.Option(..., help="Campaign slug."),
    user: list[str] = typer.Option([], help="Slack user id, e.g. U0123ABCD (repeatable)."),
    email: list[str] = typer.Option(
        [], help="Email of a workspace member, looked up in Slack (repeatable)."
    ),
) -> None:
    """DM each person an invitation with a Start button; prints one line per person."""
    if not user and not email:
        raise abort("give at least one --user or --email")
    failures = 0
    with runtime() as rt, _slack_errors():
        client, team_id = _client(rt)
        users = SlackUsers(client)
        directory = rt.service.slack
        targets: list[tuple[str, str]] = [("user", u) for u in user] + [("email", e) for e in email]
        for kind, who in targets:
            try:
                person = users.by_email(who) if kind == "email" else _by_id(users, who)
                with fail_cleanly():
                    sent = send_invitation(
                        client=client,
                        directory=directory,
                        team_id=team_id,
                        campaign_slug=campaign,
                        user=person,
                    )
            except SlackUserNotFound as error:
                failures += 1
                console.print(f"[bold red]error:[/] {error}", markup=True)
                continue
            console.print(f"{who}\tinvited ({sent.user_id}, DM {sent.channel_id})")
    if failures:
        raise typer.Exit(code=1)


def _client(rt: Runtime) -> tuple[WebClient, str]:
    token = rt.settings.slack_bot_token
    if token is None:
        raise SlackNotConfigured("JOURNEYLINE_SLACK_BOT_TOKEN")
    client = make_client(token=token.get_secret_value(), base_url=rt.settings.slack_api_url)
    return client, str(client.auth_test()["team_id"])


def _by_id(users: SlackUsers, user_id: str) -> SlackUser:
    # users.info only adds the name and email; without the users:read scope, or for an
    # id it cannot see, the invitation still goes out (conversations.open decides).
    try:
        return users.by_id(user_id)
    except SlackUserNotFound:
        raise
    except SlackApiError:
        return SlackUser(user_id)
