"""The scheduler under a crash: one wave of invitations to a real SMTP server on
127.0.0.1, sent by `journeyline worker` processes, one of which is killed with SIGKILL
mid-wave and started again.

Reports the sending rate against the wave's configured rate, and audits the result:
every invitation accepted by the server (0 lost), no recipient with two different
messages (0 duplicates), and how many messages the server was handed twice with the
same Message-ID (a re-drive of a message whose acceptance the killed worker had not
recorded yet; see README "Exactly once").

    python -m bench.scheduler                       # 10,000 at 50/s, 2 workers, 1 kill
    python -m bench.scheduler --count 500 --rate 100 --database postgresql+psycopg://...

The database defaults to a SQLite file in a temporary folder; a PostgreSQL URL is
migrated first, and its database should be a throw-away one.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import func, select

from bot.service.campaigns import create_campaign
from bot.service.invitations import Invitations
from bot.service.participants import Participants
from fakes.smtp import FakeSmtp
from storage.engines import make_engine, make_session_factory, sqlite_url_for_dir
from storage.migrate import upgrade
from storage.scheduler_models import Invitation, InvitationMessage

CAMPAIGN = "bench-wave"


@dataclass(frozen=True)
class Result:
    count: int
    rate: float
    seconds: float
    accepted: int
    distinct_message_ids: int
    recipients: int
    recipients_with_two_messages: int
    lost: int
    redriven: int
    invitations_sent: int
    killed_after: int
    steady_per_second: float
    baseline_per_second: float
    worker_cpu_seconds: float
    load_average: tuple[float, float]

    @property
    def sent_per_second(self) -> float:
        return (self.distinct_message_ids - 1) / self.seconds if self.seconds else 0.0

    @property
    def handed_over_twice(self) -> int:
        return self.accepted - self.distinct_message_ids

    def lines(self) -> list[str]:
        return [
            f"invitations: {self.count}, configured rate {self.rate:g}/s",
            f"killed one worker (SIGKILL) after {self.killed_after} were accepted; "
            "started it again",
            f"sent: {self.distinct_message_ids} in {self.seconds:.1f} s = "
            f"{self.sent_per_second:.2f}/s ({self.sent_per_second / self.rate:.1%} of the rate, "
            "with the kill, the lease it waited out and the restart)",
            f"before the kill: {self.steady_per_second:.2f}/s "
            f"({self.steady_per_second / self.rate:.1%} of the rate)",
            f"baseline: smtplib alone, one connection, no database: "
            f"{self.baseline_per_second:.1f}/s",
            f"lost: {self.lost} (invitations no message reached)",
            f"duplicates: {self.recipients_with_two_messages} "
            "(recipients with two different messages)",
            f"handed to the server twice with the same Message-ID: {self.handed_over_twice} "
            f"(re-driven after the kill: {self.redriven})",
            f"ledger: {self.invitations_sent} of {self.count} invitations recorded as sent",
            f"worker CPU: {self.worker_cpu_seconds:.1f} s, "
            f"{self.worker_cpu_seconds / max(self.count, 1) * 1000:.1f} ms per invitation "
            f"(one core sends {self.count / max(self.worker_cpu_seconds, 1e-9):.0f}/s)",
            f"machine load average (1 min) at the start and the end: "
            f"{self.load_average[0]:.1f}, {self.load_average[1]:.1f} on {os.cpu_count()} cores",
        ]


def _worker(
    *, database: str, smtp_port: int, data_dir: Path, lease: int, log: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "JOURNEYLINE_DATABASE_URL": database,
        "JOURNEYLINE_DATA_DIR": str(data_dir),
        "JOURNEYLINE_SMTP_HOST": "127.0.0.1",
        "JOURNEYLINE_SMTP_PORT": str(smtp_port),
        "JOURNEYLINE_SMTP_SECURITY": "none",
        "JOURNEYLINE_LINK_SECRET": "bench-link-secret",
        "JOURNEYLINE_SCHEDULER_LEASE_SECONDS": str(lease),
        "JOURNEYLINE_SCHEDULER_POLL_SECONDS": "0.2",
        "JOURNEYLINE_SCHEDULER_THREADS": "1",
        "JOURNEYLINE_LOG_FORMAT": "text",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "journeyline", "worker"], env=env, stdout=out, stderr=out
        )


def _prepare(database: str, *, count: int, rate: float, start: datetime) -> None:
    engine = make_engine(database)
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions.begin() as session:
            create_campaign(session, slug=CAMPAIGN, name="Bench wave", company="Northwind")
        rows = "\n".join(f"person{n}@example.com,Person {n}" for n in range(count))
        report = Participants(sessions).import_csv(
            campaign_slug=CAMPAIGN, text=f"email,name\n{rows}\n"
        )
        assert report.added == count, report.problems[:3]
        Invitations(sessions).schedule_wave(
            campaign_slug=CAMPAIGN, channel="email", at=start, rate_per_second=rate
        )
    finally:
        engine.dispose()


def _sent(database: str) -> tuple[int, int]:
    """Invitations recorded as sent, and ledger rows that took more than one attempt."""
    engine = make_engine(database)
    try:
        with make_session_factory(engine)() as session:
            sent = session.scalar(
                select(func.count()).select_from(Invitation).where(Invitation.status == "sent")
            )
            redriven = session.scalar(
                select(func.count())
                .select_from(InvitationMessage)
                .where(InvitationMessage.attempts > 1)
            )
            return int(sent or 0), int(redriven or 0)
    finally:
        engine.dispose()


def run(
    *,
    database: str,
    data_dir: Path,
    count: int,
    rate: float,
    workers: int = 2,
    kill_at: float = 0.4,
    restart_after: float = 3.0,
    lease: int = 10,
    timeout: float | None = None,
) -> Result:
    """Send one wave of ``count`` at ``rate``/s with ``workers`` processes; kill one
    when ``kill_at`` of the wave has been accepted and start it again
    ``restart_after`` seconds later; wait until every invitation is recorded sent."""
    # Generous: on a shared machine the workers may get a fraction of a core each.
    deadline = time.monotonic() + (timeout or count / rate * 6 + lease * 4 + 120)
    load_before = os.getloadavg()[0]
    cpu_before = _children_cpu()
    logs = data_dir / "workers.log"
    with FakeSmtp() as server:
        baseline = _baseline(server.port)
    with FakeSmtp() as smtp:
        start = datetime.now(UTC) + timedelta(seconds=3)
        _prepare(database, count=count, rate=rate, start=start)
        processes = [
            _worker(
                database=database, smtp_port=smtp.port, data_dir=data_dir, lease=lease, log=logs
            )
            for _ in range(workers)
        ]
        killed_after = 0
        try:
            while len(smtp.received) < kill_at * count:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the wave did not get going: see {logs}")
                time.sleep(0.05)
            processes[0].send_signal(signal.SIGKILL)
            processes[0].wait()
            killed_after = len(smtp.received)
            time.sleep(restart_after)
            processes[0] = _worker(
                database=database, smtp_port=smtp.port, data_dir=data_dir, lease=lease, log=logs
            )
            while _sent(database)[0] < count:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.5)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        received = smtp.received
    ids = Counter(r.message_id for r in received)
    per_recipient: dict[str, set[str]] = {}
    for message in received:
        for address in message.to:
            per_recipient.setdefault(address, set()).add(message.message_id)
    sent, redriven = _sent(database)
    # From the first acceptance to the last: the rate limit allows (count - 1) / rate
    # seconds for it; a killed worker's claimed jobs add up to a lease.
    seconds = received[-1].at - received[0].at if len(received) > 1 else 0.0
    before = received[: max(killed_after, 2)]
    steady = (len(before) - 1) / (before[-1].at - before[0].at) if len(before) > 1 else 0.0
    return Result(
        count=count,
        rate=rate,
        seconds=seconds,
        accepted=len(received),
        distinct_message_ids=len(ids),
        recipients=len(per_recipient),
        recipients_with_two_messages=sum(1 for ids_ in per_recipient.values() if len(ids_) > 1),
        lost=count - len(per_recipient),
        redriven=redriven,
        invitations_sent=sent,
        killed_after=killed_after,
        steady_per_second=steady,
        baseline_per_second=baseline,
        worker_cpu_seconds=_children_cpu() - cpu_before,
        load_average=(load_before, os.getloadavg()[0]),
    )


def _children_cpu() -> float:
    """CPU seconds (user and system) of this process's finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _baseline(port: int, count: int = 300) -> float:
    """Messages per second smtplib hands this machine's fake server with nothing else
    to do: what the channel allows, against which the scheduler's rate is read."""
    message = EmailMessage()
    message["From"] = "bench@example.com"
    message["To"] = "someone@example.com"
    message["Subject"] = "baseline"
    message.set_content("A message of about the size of an invitation.\n" * 20)
    began = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as connection:
        for n in range(count):
            del message["Message-ID"]
            message["Message-ID"] = f"<baseline.{n}@example.com>"
            connection.send_message(message)
    return count / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lease", type=int, default=10, help="scheduler lease, seconds")
    parser.add_argument("--database", help="database URL (default: SQLite in a temp folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jl-bench-scheduler-") as folder:
        data_dir = Path(folder)
        database = args.database or sqlite_url_for_dir(data_dir)
        began = time.monotonic()
        result = run(
            database=database, data_dir=data_dir, count=args.count, rate=args.rate,
            workers=args.workers, lease=args.lease,
        )  # fmt: skip
        print(f"database: {database.split(':', 1)[0]}, {args.workers} worker processes")
        for line in result.lines():
            print(line)
        print(f"wall time: {time.monotonic() - began:.1f} s")


if __name__ == "__main__":
    main()
