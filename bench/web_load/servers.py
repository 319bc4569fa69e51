"""The servers under load: journeyline and the bare baselines as subprocesses on
127.0.0.1, each started, waited for (``/healthz``) and stopped with its worker processes;
and a fresh PostgreSQL schema per run."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = "load"
HEALTH_TIMEOUT_SECONDS = 60.0


class HarnessError(RuntimeError):
    """The harness itself failed (a server did not start, a setup command failed)."""


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def stop(self) -> None:
        """Stop the server and its worker processes (its own process group)."""
        if self.process.poll() is not None:
            return
        # start_new_session=True made the server the leader of a group of its own, so
        # this reaches its uvicorn workers and nothing else.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEYLINE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def journeyline_env(
    data_dir: Path, database_url: str | None, *, sqlite_synchronous: str = "full"
) -> dict[str, str]:
    env = base_env()
    env["JOURNEYLINE_DATA_DIR"] = str(data_dir)
    env["JOURNEYLINE_SQLITE_SYNCHRONOUS"] = sqlite_synchronous
    # Every simulated customer comes from 127.0.0.1, so a per-address limit would turn
    # the benchmark into a rate-limiter test; the per-token limit likewise caps a
    # customer with no think time.
    env["JOURNEYLINE_RATE_LIMIT_PER_CLIENT"] = "0"
    env["JOURNEYLINE_RATE_LIMIT_PER_TOKEN"] = "0"
    # And every customer starts from one open link: no start budgets either.
    for budget in ("PER_CLIENT_PER_HOUR", "PER_CAMPAIGN_PER_HOUR", "PER_HOUR"):
        env[f"JOURNEYLINE_OPEN_STARTS_{budget}"] = "0"
    if database_url is not None:
        env["JOURNEYLINE_DATABASE_URL"] = database_url
    return env


def run_cli(args: Sequence[str], env: dict[str, str], cwd: Path) -> None:
    command = [sys.executable, "-m", "journeyline", *args]
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, timeout=120)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).decode(errors="replace")
        raise HarnessError(f"`journeyline {' '.join(args)}` failed:\n{output}")


def start_server(name: str, command: Sequence[str], env: dict[str, str], workdir: Path) -> Server:
    """Start `command` (which listens on the port in it) and wait until /healthz answers."""
    port = command[command.index("--port") + 1]
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        # cwd=workdir: no stray .env file of the caller's folder is read by the server.
        process = subprocess.Popen(
            list(command), env=env, cwd=workdir, stdout=log, stderr=log, start_new_session=True
        )
    server = Server(name, process, f"http://127.0.0.1:{port}", log_path)
    try:
        wait_healthy(server)
    except BaseException:
        server.stop()
        raise
    return server


def wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log = server.log_path.read_text(errors="replace")[-2000:]
            raise HarnessError(f"{server.name} exited with {server.process.returncode}:\n{log}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise HarnessError(f"{server.name} did not answer /healthz in {HEALTH_TIMEOUT_SECONDS:.0f} s")


def start_journeyline(
    workdir: Path, *, workers: int, database_url: str | None, sqlite_synchronous: str = "full"
) -> Server:
    """Create the open-link campaign, then serve journeyline on a free port."""
    data_dir = workdir / "journeyline-data"
    env = journeyline_env(data_dir, database_url, sqlite_synchronous=sqlite_synchronous)
    if database_url is not None:
        # `serve` only checks a server database's schema; migrating is the operator's job.
        run_cli(["db", "upgrade"], env, workdir)
    run_cli(
        ["campaigns", "create", "--slug", CAMPAIGN, "--name", "Load", "--open-link"], env, workdir
    )
    command = [sys.executable, "-m", "journeyline", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(free_port()), "--workers", str(workers)]
    return start_server("journeyline", command, env, workdir)


def start_baseline(
    workdir: Path,
    *,
    workers: int,
    postgres_url: str | None = None,
    sqlite_synchronous: str = "full",
) -> Server:
    """The bare baseline on SQLite (in ``sqlite_synchronous`` mode, as journeyline), or
    on PostgreSQL at `postgres_url` (SQLAlchemy URL)."""
    env = base_env()
    env["WEB_BASELINE_DB"] = str(workdir / "baseline.db")
    env["WEB_BASELINE_SYNCHRONOUS"] = sqlite_synchronous
    name = "baseline"
    if postgres_url is not None:
        libpq = make_url(postgres_url).set(drivername="postgresql")
        env["WEB_BASELINE_POSTGRES_URL"] = libpq.render_as_string(hide_password=False)
        name = "baseline-postgres"
    command = [sys.executable, "-m", "bench.web_baseline", "--host", "127.0.0.1"]
    command += ["--port", str(free_port()), "--workers", str(workers)]
    return start_server(name, command, env, workdir)


def journeyline_database_url(workdir: Path, postgres_url: str | None) -> str:
    if postgres_url is not None:
        return postgres_url
    return f"sqlite:///{workdir / 'journeyline-data' / 'journeyline.db'}"


@contextlib.contextmanager
def postgres_schema(server_url: str) -> Iterator[str]:
    """A URL whose connections use a fresh schema (via search_path), dropped afterwards."""
    schema = f"web_load_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.begin() as connection:
                connection.execute(text("SET LOCAL lock_timeout = '20s'"))
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
