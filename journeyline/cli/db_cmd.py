"""`journeyline db ...`: schema management."""

from __future__ import annotations

import typer

from journeyline.cli.common import console, fail_cleanly
from journeyline.settings import load_settings
from storage.engines import make_engine, masked_url
from storage.migrate import current_revision, head_revision, upgrade

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command() -> None:
    """Migrate the configured database to the newest schema (safe to run repeatedly)."""
    url = load_settings().resolved_database_url()
    with fail_cleanly():
        engine = make_engine(url)
    try:
        before = current_revision(engine)
        upgrade(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        console.print(f"{masked_url(url)} is up to date (revision {after}).")
    else:
        console.print(f"{masked_url(url)} upgraded from {before or 'empty'} to {after}.")


@app.command("status")
def status_command() -> None:
    """Show the database's schema revision and the one this version needs."""
    url = load_settings().resolved_database_url()
    with fail_cleanly():
        engine = make_engine(url)
    try:
        current = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    state = "up to date" if current == head else "needs `journeyline db upgrade`"
    console.print(f"{masked_url(url)}: revision {current or 'none'} (newest {head}): {state}")
