"""`journeyline serve`: the web chat and JSON API."""

from __future__ import annotations

from typing import Any

import typer

from journeyline.cli.common import console, fail_cleanly
from journeyline.runtime import open_runtime
from journeyline.scheduler_wiring import build_scheduler
from journeyline.settings import load_settings

# Longer than browsers' and load balancers' idle reuse, so the server does not close a
# kept-alive connection just as a client sends its next answer on it (a reset the client
# sees as a network error).
KEEP_ALIVE_SECONDS = 75


def serve(
    host: str = typer.Option("", help="Interface to bind (default: JOURNEYLINE_HOST)."),
    port: int = typer.Option(0, help="Port (default: JOURNEYLINE_PORT)."),
    workers: int = typer.Option(0, help="Processes (default: JOURNEYLINE_WORKERS)."),
) -> None:
    """Serve the web chat (/i/TOKEN, /c/SLUG), the JSON API (/api/v1) and its docs (/docs)."""
    import uvicorn

    from journeyline.web.app import create_app

    settings = load_settings()
    host, port = host or settings.host, port or settings.port
    workers = workers or settings.workers
    with fail_cleanly():
        # Migrate (embedded SQLite) or check the schema once, before any worker starts.
        runtime = open_runtime(settings)
    console.print(
        f"journeyline is serving on http://{host}:{port} ({workers} process"
        f"{'es' if workers > 1 else ''}); API docs at /docs. Ctrl-C stops."
    )
    if workers > 1 and runtime.engine.dialect.name == "sqlite":
        # More processes only contend for SQLite's one writer (bench.web_load --workers 2
        # shows it).
        console.print(
            "[yellow]Note:[/] SQLite takes one writer at a time, so more than one process "
            "is slower, not faster; use --workers 1, or PostgreSQL to scale out."
        )
    # The invitation scheduler runs in this process (uvicorn's parent when there are
    # several): its workers share the jobs with any `journeyline worker` processes.
    scheduler = build_scheduler(runtime) if settings.scheduler_in_serve else None
    if scheduler is not None:
        scheduler.start()
    if workers == 1:
        try:
            uvicorn.run(
                create_app(runtime),
                host=host,
                port=port,
                timeout_keep_alive=KEEP_ALIVE_SECONDS,
                # uvicorn leaves logging alone: its records go to the handler that
                # journeyline.logs set up from the settings when the command started.
                log_config=None,
                log_level=None,
            )
        finally:
            if scheduler is not None:
                scheduler.stop()
            runtime.close()
        return
    try:
        _serve_workers(uvicorn, host=host, port=port, workers=workers)
    finally:
        if scheduler is not None:
            scheduler.stop()
        runtime.close()


def _serve_workers(uvicorn: Any, *, host: str, port: int, workers: int) -> None:
    uvicorn.run(
        "journeyline.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        # As above; each worker process sets its logging up in app_from_environment.
        log_config=None,
        log_level=None,
    )
