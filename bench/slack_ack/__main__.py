"""Command line of the Slack ack benchmark (see the package's docstring)."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

import bench.slack_ack as package
from bench.slack_ack.audit import Audit, audit
from bench.slack_ack.traffic import Ledger, events, percentile, send_all, warm_up
from bot.service.campaigns import create_campaign
from fakes.deadlines import scaled
from fakes.slack import FakeSlack
from storage.engines import make_engine, make_session_factory, sqlite_url_for_dir
from storage.migrate import upgrade
from storage.models import SlackEvent

CAMPAIGN = "bench"
SCENARIOS = ("steady", "sigterm", "kill")
# How long the backlog may take to be worked off after the restart (the dead process's
# holds lapse after 30 s, then each customer's turns run one after the other).
DRAIN_TIMEOUT = 1200.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """A benchmark server (``python -m <module> ... --port N``) as a child process with
    its own port, restartable."""

    def __init__(self, module: str, arguments: list[str], *, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/slack/events"
        self._args = [sys.executable, "-m", module, *arguments, "--port", str(self.port)]
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(self._args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + scaled(60)
        health = f"http://127.0.0.1:{self.port}/healthz"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited at start-up:\n{self._log.read_text()}")
            try:
                if httpx.get(health, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not start:\n{self._log.read_text()}")

    def signal(self, number: int) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    def wait(self) -> int:
        assert self.process is not None
        return self.process.wait(timeout=scaled(120))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.wait()


def journeyline_server(
    *, database: str, slack_api: str, data_dir: Path, turn_seconds: float
) -> Server:
    arguments = [
        "--database", database, "--slack-api", slack_api, "--data-dir", str(data_dir),
        "--turn-seconds", str(turn_seconds), "--campaign", CAMPAIGN,
    ]  # fmt: skip
    return Server("bench.slack_ack.server", arguments, log=data_dir / "server.log")


@contextmanager
def baseline_server(slack_api: str, data_dir: Path) -> Iterator[str]:
    """The baseline (``bench.slack_ack.baseline_server``) in its own process, for the
    block: like journeyline, so neither shares an interpreter with the senders."""
    server = Server(
        "bench.slack_ack.baseline_server",
        ["--slack-api", slack_api],
        log=data_dir / "baseline.log",
    )
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@contextmanager
def database(tmp: Path, postgres: str | None) -> Iterator[str]:
    """A fresh database URL: SQLite in ``tmp``, or a new schema on the ``postgres`` server."""
    if postgres is None:
        yield sqlite_url_for_dir(tmp)
        return
    schema = f"bench_{uuid.uuid4().hex}"
    admin = make_engine(postgres)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Outcome:
    scenario: str
    ledger: Ledger
    baseline: Ledger
    at_stop: Audit  # when the first process had ended
    final: Audit  # once everything was worked off
    drained_seconds: float


def run_scenario(
    scenario: str,
    *,
    args: argparse.Namespace,
    fake: FakeSlack,
    baseline_url: str,
    tmp: Path,
) -> Outcome:
    sent = events(args.users, args.messages)
    with database(tmp / scenario, args.postgres) as url:
        (tmp / scenario).mkdir(exist_ok=True)
        upgrade(url)
        db = make_engine(url)
        with make_session_factory(db).begin() as session:
            create_campaign(session, slug=CAMPAIGN, name="Bench", open_link=True)
        fake.clear()
        server = journeyline_server(
            database=url, slack_api=fake.url, data_dir=tmp / scenario,
            turn_seconds=args.turn_seconds,
        )  # fmt: skip
        server.start()
        warm_up(server.url, "UWARM1")
        warm_up(baseline_url, "UWARM1")
        ledger, baseline = Ledger(), Ledger()
        half = len(sent) // 2
        signalled = threading.Event()

        def interrupt() -> None:
            # Halfway through the sending: SIGTERM or kill -9, while events keep coming.
            while len(ledger.acked) + len(ledger.refused) < half:
                time.sleep(0.01)
            server.signal(signal.SIGTERM if scenario == "sigterm" else signal.SIGKILL)
            signalled.set()

        watcher = None
        if scenario != "steady":
            watcher = threading.Thread(target=interrupt, daemon=True)
            watcher.start()
        sending = threading.Thread(
            target=send_all,
            args=(baseline_url, sent, baseline),
            kwargs={"concurrency": args.concurrency},
        )
        sending.start()  # the baseline gets the same events, at the same time
        send_all(server.url, sent, ledger, concurrency=args.concurrency)
        sending.join()
        if watcher is not None:
            watcher.join()
        if scenario == "steady":
            server.signal(signal.SIGTERM)
        server.wait()
        at_stop = audit(db, sent, set(ledger.acked), fake.posted())
        # The next process: Slack sends again what was not acked; the backlog is run.
        server.start()
        warm_up(server.url, "UWARM2")
        retries = list(ledger.refused)
        ledger.refused.clear()
        send_all(server.url, retries, ledger, concurrency=args.concurrency)
        started = time.monotonic()
        drained = wait_until_done(db, timeout=DRAIN_TIMEOUT)
        drained_seconds = time.monotonic() - started
        server.stop()
        final = audit(db, sent, set(ledger.acked), fake.posted())
        db.dispose()
        if not drained:
            print(f"  ({scenario}: the backlog was not worked off within {DRAIN_TIMEOUT:.0f} s)")
    return Outcome(scenario, ledger, baseline, at_stop, final, drained_seconds)


def wait_until_done(db: Engine, *, timeout: float) -> bool:
    """Whether every stored delivery was done within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    undone = select(func.count()).select_from(SlackEvent).where(SlackEvent.done_at.is_(None))
    while time.monotonic() < deadline:
        with db.connect() as connection:
            if not connection.scalar(undone):
                return True
        time.sleep(0.5)
    return False


def report(outcomes: list[Outcome], args: argparse.Namespace, sent: int) -> None:
    where = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"slack ack: {sent} signed message events per scenario over HTTP, {args.concurrency} "
        f"in flight, {args.users} users, {where}; every turn slowed to {args.turn_seconds:g} s"
    )
    print(
        f"{'scenario':<9}{'acked':>7}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'refused':>9}"
        f"{'not stored':>12}{'drained s':>11}  answered exactly once"
    )
    for outcome in outcomes:
        ms = [v * 1000 for v in outcome.ledger.latencies()]
        final = outcome.final
        once = "yes" if final.exactly_once else (
            f"NO: {final.undone} undone, {final.answers_missing} answers missing, "
            f"{final.posted_twice} customers posted twice, {final.posted_missing} not posted"
        )  # fmt: skip
        print(
            f"{outcome.scenario:<9}{len(ms):>7}{statistics.median(ms):>8.1f}"
            f"{percentile(ms, 99):>8.1f}{max(ms):>8.1f}{outcome.ledger.failures:>9}"
            f"{outcome.at_stop.acked_not_stored:>12}{outcome.drained_seconds:>11.0f}  {once}"
        )
    base = [v * 1000 for o in outcomes for v in o.baseline.latencies()]
    print(
        f"baseline (bare Bolt app, ack only, same events at the same time): p50 "
        f"{statistics.median(base):.1f} ms, p99 {percentile(base, 99):.1f} ms"
    )
    worst = max(percentile([v * 1000 for v in o.ledger.latencies()], 99) for o in outcomes)
    lost = sum(o.at_stop.acked_not_stored for o in outcomes)
    all_once = all(o.final.exactly_once for o in outcomes)
    print(
        f"verdict: p99 ack < 200 ms: {'yes' if worst < 200 else 'NO'} ({worst:.1f} ms) | "
        f"acked and not stored: {lost} | every acked message answered exactly once: "
        f"{'yes' if all_once else 'NO'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(package.__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--messages", type=int, default=8, help="events per user")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--turn-seconds", type=float, default=5.0)
    parser.add_argument("--scenario", choices=(*SCENARIOS, "all"), default="all")
    parser.add_argument("--postgres", metavar="URL", help="use a PostgreSQL server")
    args = parser.parse_args()
    scenarios = SCENARIOS if args.scenario == "all" else (args.scenario,)
    os.environ.setdefault("JOURNEYLINE_LOG_LEVEL", "warning")
    outcomes = []
    with (
        FakeSlack() as fake,
        tempfile.TemporaryDirectory() as folder,
        baseline_server(fake.url, Path(folder)) as baseline_url,
    ):
        for scenario in scenarios:
            print(f"running {scenario} ...", flush=True)
            outcomes.append(
                run_scenario(
                    scenario, args=args, fake=fake, baseline_url=baseline_url, tmp=Path(folder)
                )
            )
    report(outcomes, args, args.users * args.messages)


if __name__ == "__main__":
    main()
