"""Helpers shared by the CLI commands: the runtime, and errors a person can read."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from bot.conversation.guide import GuideError
from bot.service.errors import CampaignNotFound, InterviewNotFound
from journeyline.console_wiring import ConsoleMisconfigured
from journeyline.runtime import Runtime, SchemaOutdated, open_runtime
from journeyline.settings import load_settings
from storage.engines import DatabaseUnavailable

console = Console(highlight=False, soft_wrap=True)  # ids and paths stay on one line
errors = Console(stderr=True, highlight=False, soft_wrap=True)  # paths stay copyable

# Errors a user can fix; shown as one clear message instead of a traceback.
USER_ERRORS: tuple[type[Exception], ...] = (
    DatabaseUnavailable,
    SchemaOutdated,
    GuideError,
    CampaignNotFound,
    InterviewNotFound,
    ConsoleMisconfigured,
)


@contextmanager
def fail_cleanly() -> Iterator[None]:
    """Turn errors a user can fix into one red line and exit code 1."""
    try:
        yield
    except USER_ERRORS as error:
        errors.print(f"[bold red]error:[/] {escape(str(error))}", markup=True)
        raise typer.Exit(code=1) from None


@contextmanager
def runtime(*, migrate: bool | None = None) -> Iterator[Runtime]:
    """The configured runtime for one command; closed when the command ends."""
    with fail_cleanly():
        opened = open_runtime(load_settings(), migrate=migrate)
        try:
            yield opened
        finally:
            opened.close()


def abort(message: str) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {escape(message)}", markup=True)
    return typer.Exit(code=1)


def count(number: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun: "1 interview", "3 interviews" (``plural`` if irregular)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def command_name() -> str:
    """How to run journeyline again, for the hints commands print: ``journeyline`` when
    that is this program on the PATH, else the path it was run by (``.venv/bin/journeyline``
    after `make demo`, which a new shell does not have on its PATH) or ``python -m
    journeyline``."""
    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if program is None or program.name in ("__main__.py", "-c", "-m"):
        return f"{_shown(Path(sys.executable))} -m journeyline"
    on_path = shutil.which("journeyline")
    if on_path is not None and Path(on_path).resolve() == program.resolve():
        return "journeyline"
    return _shown(program)


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it, else absolute."""
    absolute = path.absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)
