"""`journeyline worker`: the invitation scheduler as a process of its own."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import typer
from rich.table import Table

from bot.service.invitations import Invitations, SchedulerStatus
from journeyline.cli.common import console, runtime
from journeyline.scheduler_wiring import build_scheduler


def worker(
    threads: int = typer.Option(
        0, help="Workers in this process (default: JOURNEYLINE_SCHEDULER_THREADS)."
    ),
    once: bool = typer.Option(False, "--once", help="Run what is due now, then exit."),
    status: bool = typer.Option(
        False, "--status", help="Show the job queue and recent failures, then exit."
    ),
) -> None:
    """Send scheduled invitations and reminders until stopped (SIGTERM or Ctrl-C finish
    the message at hand). Any number of workers, here and in `journeyline serve`, share
    the work; each message goes out once."""
    with runtime() as rt:
        if status:
            _print_status(Invitations(rt.sessions).scheduler_status())
            return
        scheduler = build_scheduler(rt, threads=threads or None)
        if once:
            ran = sum(w.run_until_idle() for w in scheduler.workers)
            console.print(f"ran {ran} job(s)")
            return
        stop = threading.Event()

        def on_term(_signal: int, _frame: FrameType | None) -> None:
            stop.set()

        previous = signal.signal(signal.SIGTERM, on_term)
        scheduler.start()
        console.print(
            f"journeyline worker: {len(scheduler.workers)} worker(s) running. Ctrl-C stops."
        )
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            scheduler.stop()


def _print_status(status: SchedulerStatus) -> None:
    table = Table("job", "state", "count")
    for (kind, state), count in sorted(status.counts.items()):
        table.add_row(kind, state, str(count))
    console.print(table)
    for job_id, kind, at, error in status.failures:
        when = f"{at:%Y-%m-%d %H:%M}" if at else "-"
        console.print(f"failed: job {job_id} ({kind}) at {when} UTC: {error}")
