"""`journeyline serve`: the web chat and JSON API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from journeyline.cli.common import console, fail_cleanly
from journeyline.runtime import open_runtime
from journeyline.scheduler_wiring import build_scheduler
from journeyline.settings import Settings, load_settings

if TYPE_CHECKING:
    from journeyline.runtime import Runtime

# Longer than browsers' and load balancers' idle reuse, so the server does not close a
# kept-alive connection just as a client sends its next answer on it (a reset the client
# sees as a network error).
KEEP_ALIVE_SECONDS = 75


def serve(
    host: str | None = typer.Option(
        None, help="Interface to bind (default: JOURNEYLINE_HOST, 127.0.0.1).", show_default=False
    ),
    port: int | None = typer.Option(
        None, help="Port (default: JOURNEYLINE_PORT, 8000).", show_default=False
    ),
    workers: int | None = typer.Option(
        None, help="Processes (default: JOURNEYLINE_WORKERS, 1).", show_default=False
    ),
    forwarded_allow_ips: str | None = typer.Option(
        None,
        help="Reverse proxies whose X-Forwarded-For is trusted, e.g. 127.0.0.1 (default: "
        "JOURNEYLINE_FORWARDED_ALLOW_IPS, none).",
        show_default=False,
    ),
) -> None:
    """Serve the web chat (/i/TOKEN, /c/SLUG), the JSON API (/api/v1) and its docs (/docs)."""
    settings = load_settings()
    overrides = {
        "host": host,
        "port": port,
        "workers": workers,
        "forwarded_allow_ips": forwarded_allow_ips,
    }
    chosen = {name: value for name, value in overrides.items() if value is not None}
    if chosen:
        settings = settings.model_copy(update=chosen)
    with fail_cleanly():
        # Migrate (embedded SQLite) or check the schema once, before any worker starts.
        runtime = open_runtime(settings)
    run_server(runtime)


def run_server(runtime: Runtime) -> None:
    """Serve ``runtime``'s app until Ctrl-C (then close the runtime); with more than one
    worker, each worker process opens its own runtime from the environment."""
    import uvicorn

    from journeyline.web.app import create_app
    from journeyline.web.slow_clients import PROTOCOL_PATH, set_process_deadlines

    settings = runtime.settings
    host, port, workers = settings.host, settings.port, settings.workers
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
    set_process_deadlines(
        header_timeout=settings.header_timeout_seconds, body_timeout=settings.body_timeout_seconds
    )
    options = server_options(settings)
    # The invitation scheduler runs in this process (uvicorn's parent when there are
    # several): its workers share the jobs with any `journeyline worker` processes.
    scheduler = build_scheduler(runtime) if settings.scheduler_in_serve else None
    if scheduler is not None:
        scheduler.start()
    if workers == 1:
        try:
            uvicorn.run(create_app(runtime), host=host, port=port, http=PROTOCOL_PATH, **options)
        finally:
            if scheduler is not None:
                scheduler.stop()
            runtime.close()
        return
    # Worker processes read their settings from the environment: hand the command line's
    # choices on. This process keeps its runtime for the scheduler until they stop.
    _export(settings)
    try:
        _serve_workers(uvicorn, settings, options)
    finally:
        if scheduler is not None:
            scheduler.stop()
        runtime.close()


def _serve_workers(uvicorn: Any, settings: Settings, options: dict[str, Any]) -> None:
    from journeyline.web.slow_clients import PROTOCOL_PATH

    uvicorn.run(
        "journeyline.web.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        http=PROTOCOL_PATH,
        **options,
    )


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options from the settings: which proxies are trusted, the concurrency
    limit, keep-alive; logging left to journeyline."""
    proxies = settings.forwarded_allow_ips.strip()
    return {
        # uvicorn trusts X-Forwarded-For from 127.0.0.1 unless told otherwise: anyone on
        # the same machine (or a proxy that passes the header on unchecked) would choose
        # the address the rate limits count. Trusted only when configured.
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None,
        "limit_concurrency": settings.max_concurrency or None,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        # uvicorn leaves logging alone: its records go to the handler that
        # journeyline.logs set up from the settings when the command started.
        "log_config": None,
        "log_level": None,
    }


def _export(settings: Settings) -> None:
    import os

    for name in ("host", "port", "workers", "forwarded_allow_ips"):
        os.environ[f"JOURNEYLINE_{name.upper()}"] = str(getattr(settings, name))
