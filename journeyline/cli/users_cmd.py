"""`journeyline users ...`: console accounts from the server's shell (the first admin,
and a way back in when every admin is locked out)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.table import Column, Table

from bot.service.console.errors import ConsoleError
from bot.service.console.permissions import Role
from bot.service.console.service import ConsoleService
from journeyline.cli.common import abort, console, runtime
from journeyline.console_wiring import make_console_service

app = typer.Typer(
    help="Console users: create, list, disable, reset passwords.", no_args_is_help=True
)
ROLES = ", ".join(role.value for role in Role)


@contextmanager
def console_service() -> Iterator[tuple[ConsoleService, str]]:
    """The console service of the configured database, and the public URL."""
    with runtime() as rt:
        service = make_console_service(rt.settings, sessions=rt.sessions, engine=rt.engine)
        try:
            yield service, rt.settings.link_base()
        except ConsoleError as error:
            raise abort(str(error)) from None


def _read_password(*, ask: bool, stdin: bool) -> str | None:
    if stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise abort("no password on standard input")
        return line
    if ask:
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    return None


@app.command("create")
def create(
    email: str = typer.Option(..., help="The user's email; they sign in with it."),
    role: str = typer.Option("researcher", help=f"One of: {ROLES}."),
    name: str = typer.Option("", help="A display name."),
    ask: bool = typer.Option(
        False, "--ask", help="Type the password (hidden, twice) instead of getting one made up."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
) -> None:
    """Create a console user. Without --ask or --password-stdin a temporary password is
    printed, which they replace at their first sign-in."""
    password = _read_password(ask=ask, stdin=password_stdin)
    with console_service() as (service, public_url):
        user, generated = service.accounts.create(
            email=email,
            role=role,
            display_name=name or None,
            password=password,
            # Whoever types a password here is taken to be its owner.
            must_change_password=password is None,
        )
    console.print(f"Created {user.email} ({user.role.value}).")
    if generated is not None:
        console.print(f"Temporary password (shown once): {generated}")
        console.print("They choose their own at their first sign-in.")
    console.print(f"Sign in at {public_url}/app")


@app.command("list")
def list_users() -> None:
    """List console users: role, status, last sign-in."""
    with console_service() as (service, _):
        users = service.accounts.list_users()
    if not users:
        console.print(
            "No console users yet. Create the first admin with "
            "`journeyline users create --email you@example.com --role admin`."
        )
        return
    table = Table("name", "role", Column("status", no_wrap=True), "last sign-in", "created")
    # Emails are what the other commands take: never cut.
    table.columns.insert(0, Column("email", no_wrap=True, min_width=10))
    for user in users:
        status = "disabled" if user.disabled else "active"
        if not user.disabled and user.must_change_password:
            status = "temporary password"
        table.add_row(
            user.email,
            user.display_name or "",
            user.role.value,
            status,
            user.last_sign_in_at.strftime("%Y-%m-%d %H:%M UTC")
            if user.last_sign_in_at
            else "never",
            user.created_at.strftime("%Y-%m-%d"),
        )
    console.print(table)


@app.command("disable")
def disable(email: str = typer.Argument(..., help="The user's email.")) -> None:
    """Disable a user: they cannot sign in, their sessions end and their API keys stop."""
    with console_service() as (service, _):
        user = service.accounts.disable(service.accounts.find(email).id)
    console.print(f"Disabled {user.email}; their sessions are ended.")


@app.command("enable")
def enable(email: str = typer.Argument(..., help="The user's email.")) -> None:
    """Enable a disabled user again."""
    with console_service() as (service, _):
        user = service.accounts.enable(service.accounts.find(email).id)
    console.print(f"Enabled {user.email}.")


@app.command("set-role")
def set_role(
    email: str = typer.Argument(..., help="The user's email."),
    role: str = typer.Argument(..., help=f"One of: {ROLES}."),
) -> None:
    """Change a user's role."""
    with console_service() as (service, _):
        user = service.accounts.set_role(service.accounts.find(email).id, role)
    console.print(f"{user.email} is now {user.role.value}.")


@app.command("reset-password")
def reset_password(
    email: str = typer.Argument(..., help="The user's email."),
    link: bool = typer.Option(
        False, "--link", help="Print a one-time reset link instead of a temporary password."
    ),
    ask: bool = typer.Option(False, "--ask", help="Type the new password (hidden, twice)."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new password from the first line of stdin."
    ),
) -> None:
    """Reset a user's password: a temporary one (printed, to be replaced at the next
    sign-in), one you type, or a one-time link. Their sessions end."""
    password = _read_password(ask=ask, stdin=password_stdin)
    with console_service() as (service, public_url):
        user = service.accounts.find(email)
        if link:
            token = service.accounts.make_reset_link(user.id, created_by=None)
            hours = int(service.config.reset_link_lifetime.total_seconds() // 3600)
            console.print(f"One-time reset link for {user.email} (valid {hours} h):")
            console.print(f"{public_url}/app/reset/{token}")
            return
        chosen = service.accounts.set_temporary_password(
            user.id, password, must_change=password is None
        )
    if password is None:
        console.print(f"Temporary password for {user.email} (shown once): {chosen}")
        console.print("They choose their own at their next sign-in.")
    else:
        console.print(f"Password of {user.email} changed; their sessions are ended.")
