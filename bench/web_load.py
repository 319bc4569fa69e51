"""Web load: many simulated customers taking whole interviews over real HTTP.

Run: ``.venv/bin/python -m bench.web_load [--customers 200] [--workers 2] [--postgres [URL]]``

Starts ``journeyline serve`` (SQLite in a temporary folder, or a fresh PostgreSQL
schema with ``--postgres``) and the bare baseline of ``bench/web_baseline.py`` (one
SQLite INSERT and COMMIT per request) as subprocesses on 127.0.0.1, and drives each with
the same asyncio client (bench/lean_http.py) in two phases:

- ``realistic``: N customers with think time between messages, each completing whole
  interviews (the demo personas, answering whatever the bot asks). Latency percentiles,
  turns per second, errors. About 5 % of the messages are re-posted with the same
  ``client_message_id`` (a retry after a lost response): the reply must be the first one.
- ``saturation``: the same N customers with no think time for a fixed time: the most
  turns per second the server sustains. The throughput ratio is taken from here.

Afterwards the harness counts the inbound messages stored per interview and compares
them with every message it got a 200 for: nothing may be lost or stored twice.

All numbers come from the client; the first seconds of each phase are discarded
(warm-up). The client shares the machine with the server, so its own CPU use is printed:
a client near 100 % of a core is itself the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.commit_probe import (
    DEFAULT_INTERVAL_SECONDS,
    STALL_MS,
    CommitProbe,
    outside_stalls,
    stalls,
)
from bench.lean_http import HttpError, LeanClient
from bot.conversation.messages import Choice, Inbound, Reply
from journeyline.demo.personas import PERSONAS
from journeyline.demo.simulator import SimulatedCustomer

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_PROBE_INTERVAL_MS = 1000 * DEFAULT_INTERVAL_SECONDS
CAMPAIGN = "load"
CLIENT_ID_PREFIX = "web:"  # how the API stores a client_message_id (bot/web/api.py)
# A typical free-text answer; the baseline's customers send it so request sizes match.
CANNED_ANSWER = "called them, sat on hold 40 min, furious"
# Messages per baseline interview when ours has not completed one to copy the length of.
DEFAULT_BASELINE_LENGTH = 30
REQUEST_TIMEOUT_SECONDS = 30.0
ATTEMPTS_PER_MESSAGE = 3
RETRY_PAUSE_SECONDS = 0.2
HEALTH_TIMEOUT_SECONDS = 60.0
P99_TARGET_MS = 50.0
THROUGHPUT_TARGET_RATIO = 0.5
# Saturation customers start interviews until the phase ends; this only bounds the loop.
UNLIMITED_INTERVIEWS = 1_000_000


class HarnessError(RuntimeError):
    """The harness itself failed (a server did not start, a setup command failed)."""


# --- servers ------------------------------------------------------------------------


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


def journeyline_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = base_env()
    env["JOURNEYLINE_DATA_DIR"] = str(data_dir)
    # Every simulated customer comes from 127.0.0.1, so a per-address limit would turn
    # the benchmark into a rate-limiter test; the per-token limit likewise caps a
    # customer with no think time.
    env["JOURNEYLINE_RATE_LIMIT_PER_CLIENT"] = "0"
    env["JOURNEYLINE_RATE_LIMIT_PER_TOKEN"] = "0"
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


def start_journeyline(workdir: Path, *, workers: int, database_url: str | None) -> Server:
    """Create the open-link campaign, then serve journeyline on a free port."""
    data_dir = workdir / "journeyline-data"
    env = journeyline_env(data_dir, database_url)
    if database_url is not None:
        # `serve` only checks a server database's schema; migrating is the operator's job.
        run_cli(["db", "upgrade"], env, workdir)
    run_cli(
        ["campaigns", "create", "--slug", CAMPAIGN, "--name", "Load", "--open-link"], env, workdir
    )
    command = [sys.executable, "-m", "journeyline", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(free_port()), "--workers", str(workers)]
    return start_server("journeyline", command, env, workdir)


def start_baseline(workdir: Path, *, workers: int, postgres_url: str | None = None) -> Server:
    """The bare baseline on SQLite, or on PostgreSQL at `postgres_url` (SQLAlchemy URL)."""
    env = base_env()
    env["WEB_BASELINE_DB"] = str(workdir / "baseline.db")
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


# --- what the client records ----------------------------------------------------------


@dataclass(frozen=True)
class PhaseSettings:
    name: str
    customers: int
    think_min: float
    think_max: float
    seconds: float  # the phase stops starting requests after this long
    interviews_per_customer: int
    warmup: float
    retry_fraction: float
    seed: int


@dataclass
class PhaseStats:
    """Everything one phase against one target measured; times are phase-relative."""

    settings: PhaseSettings
    turns: list[tuple[float, float]] = field(default_factory=list)  # (start, latency) s
    start_latencies: list[float] = field(default_factory=list)
    retry_latencies: list[float] = field(default_factory=list)
    retries: int = 0
    retry_mismatches: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    completed: int = 0
    cut_off: int = 0  # interviews still running when the phase ended
    abandoned: int = 0  # interviews given up after a request kept failing
    completed_lengths: list[int] = field(default_factory=list)
    wall_seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    started_at: float = 0.0  # time.perf_counter() when the phase began: turns count from it

    def measured(self) -> list[tuple[float, float]]:
        """Turns started after the warm-up."""
        return [turn for turn in self.turns if turn[0] >= self.settings.warmup]

    def latency_ms(self, quantile: float) -> float | None:
        return percentile([latency * 1000 for _, latency in self.measured()], quantile)

    def turns_per_second(self) -> float:
        measured = self.measured()
        if not measured:
            return 0.0
        window = max(start + latency for start, latency in measured) - self.settings.warmup
        return len(measured) / window if window > 0 else 0.0

    def peak_turns_per_second(self) -> int:
        """The most turns completed in one whole second after the warm-up."""
        ends = Counter(math.floor(start + latency) for start, latency in self.measured())
        last = math.floor(self.wall_seconds)
        full = [n for second, n in ends.items() if self.settings.warmup <= second < last]
        return max(full, default=0)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def percentile(values: Sequence[float], quantile: float) -> float | None:
    """Nearest-rank percentile (quantile in 0..1); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(quantile * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Ledger:
    """Every interview opened and every message acknowledged with a 200, in order."""

    opened: set[str] = field(default_factory=set)
    acknowledged: dict[str, list[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def acknowledge(self, interview_id: str, client_message_id: str, text: str) -> None:
        self.acknowledged[interview_id].append((client_message_id, text))


# --- conversations: what a customer says next ------------------------------------------


class Conversation(Protocol):
    interview_id: str
    headers: dict[str, str]
    expects_duplicate_flag: bool

    def next_message(self) -> Inbound | None: ...

    def receive(self, replies: list[Any]) -> None: ...


class PersonaConversation:
    """A journeyline interview answered by a demo persona (see demo/runner.py's loop)."""

    expects_duplicate_flag = True

    def __init__(
        self, interview_id: str, token: str, customer: SimulatedCustomer, pending: list[Any]
    ) -> None:
        self.interview_id = interview_id
        self.headers = {"Authorization": f"Bearer {token}"}
        self._customer = customer
        self._replies = to_replies(pending)

    def next_message(self) -> Inbound | None:
        message = self._customer.next_message(self._replies)
        if message is None:
            # After a pause (or a reply that asks nothing) the customer speaks first;
            # None here means the interview is over.
            message = self._customer.resume()
        return message

    def receive(self, replies: list[Any]) -> None:
        self._replies = to_replies(replies)


class CannedConversation:
    """A baseline 'interview': the same canned answer `length` times."""

    expects_duplicate_flag = False

    def __init__(self, interview_id: str, length: int) -> None:
        self.interview_id = interview_id
        self.headers: dict[str, str] = {}
        self._left = length

    def next_message(self) -> Inbound | None:
        if self._left <= 0:
            return None
        self._left -= 1
        return Inbound(text=CANNED_ANSWER)

    def receive(self, replies: list[Any]) -> None:
        pass


def to_replies(raw: list[Any]) -> list[Reply]:
    return [
        Reply(
            text=r["text"],
            slot=r.get("slot"),
            choices=tuple(Choice(value=c["value"], label=c["label"]) for c in r["choices"]),
            items=tuple(r.get("items") or ()),
        )
        for r in raw
    ]


class Target(Protocol):
    name: str
    base_url: str

    async def open(
        self, client: LeanClient, rng: random.Random, stats: PhaseStats, ledger: Ledger
    ) -> Conversation | None: ...


@dataclass
class JourneylineTarget:
    base_url: str
    name: str = "journeyline"
    _next_persona: int = 0

    async def open(
        self, client: LeanClient, rng: random.Random, stats: PhaseStats, ledger: Ledger
    ) -> Conversation | None:
        started = time.perf_counter()
        try:
            response = await client.post("/api/v1/interviews", json={"campaign": CAMPAIGN})
        except HttpError as error:
            stats.errors[f"start: {type(error).__name__}"] += 1
            return None
        if response.status_code != 201:
            stats.errors[f"start: HTTP {response.status_code}"] += 1
            return None
        stats.start_latencies.append(time.perf_counter() - started)
        body = response.json()
        ledger.opened.add(body["interview_id"])
        # Round-robin over the personas across all customers and interviews.
        persona = PERSONAS[self._next_persona % len(PERSONAS)]
        self._next_persona += 1
        customer = SimulatedCustomer(persona, rng=random.Random(rng.random()))
        return PersonaConversation(body["interview_id"], body["token"], customer, body["pending"])


@dataclass
class BaselineTarget:
    base_url: str
    interview_length: int
    name: str = "baseline"

    async def open(
        self, client: LeanClient, rng: random.Random, stats: PhaseStats, ledger: Ledger
    ) -> Conversation | None:
        # The baseline has no start endpoint: its interview is an id the client makes up.
        return CannedConversation(f"b{uuid.uuid4().hex}", self.interview_length)


# --- the client -------------------------------------------------------------------------


@dataclass
class PhaseRun:
    target: Target
    settings: PhaseSettings
    stats: PhaseStats
    ledger: Ledger
    client: LeanClient
    started: float

    def now(self) -> float:
        return time.perf_counter() - self.started

    def over(self) -> bool:
        return self.now() >= self.settings.seconds


async def run_phase(target: Target, settings: PhaseSettings, ledger: Ledger) -> PhaseStats:
    """Run `settings.customers` customers against `target` until they finish or time is up."""
    stats = PhaseStats(settings)
    # One pool for everyone; each customer holds a kept-alive connection while it asks,
    # so no customer queues for one (bench/lean_http.py: why not httpx here).
    async with LeanClient(target.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client:
        run = PhaseRun(target, settings, stats, ledger, client, time.perf_counter())
        stats.started_at = run.started
        cpu = time.process_time()
        await asyncio.gather(*(run_customer(run, index) for index in range(settings.customers)))
        stats.wall_seconds = run.now()
        stats.client_cpu_seconds = time.process_time() - cpu
    return stats


async def run_customer(run: PhaseRun, index: int) -> None:
    rng = random.Random(f"{run.settings.seed}:{run.settings.name}:{index}")
    # Real customers do not all arrive in the same millisecond.
    await asyncio.sleep(rng.uniform(0, run.settings.think_max))
    for _ in range(run.settings.interviews_per_customer):
        if run.over():
            return
        conversation = await run.target.open(run.client, rng, run.stats, run.ledger)
        if conversation is None:
            await asyncio.sleep(0.5)  # a failing server must not turn into a busy loop
            continue
        await run_interview(run, conversation, rng)


async def run_interview(run: PhaseRun, conversation: Conversation, rng: random.Random) -> None:
    settings, stats = run.settings, run.stats
    sent = 0
    while True:
        message = conversation.next_message()
        if message is None:
            stats.completed += 1
            stats.completed_lengths.append(sent)
            return
        if settings.think_max > 0:
            await asyncio.sleep(rng.uniform(settings.think_min, settings.think_max))
        if run.over():
            stats.cut_off += 1
            return
        client_message_id = f"{conversation.interview_id[:12]}-{sent}"
        body = {"text": message.text, "choice": message.choice}
        body["client_message_id"] = client_message_id
        sent += 1
        answer = await post_turn(run, conversation, body)
        if answer is None:
            stats.abandoned += 1
            return
        run.ledger.acknowledge(conversation.interview_id, client_message_id, message.text)
        if rng.random() < settings.retry_fraction:
            await repost(run, conversation, body, answer)
        conversation.receive(answer["replies"])


async def post_turn(
    run: PhaseRun, conversation: Conversation, body: dict[str, Any]
) -> dict[str, Any] | None:
    """POST one message, retrying with the same id after a failure; the 200's JSON or None."""
    url = f"/api/v1/interviews/{conversation.interview_id}/messages"
    for _ in range(ATTEMPTS_PER_MESSAGE):
        started = run.now()
        try:
            response = await run.client.post(url, json=body, headers=conversation.headers)
        except HttpError as error:
            run.stats.errors[type(error).__name__] += 1
        else:
            if response.status_code == 200:
                run.stats.turns.append((started, run.now() - started))
                answer: dict[str, Any] = response.json()
                return answer
            run.stats.errors[f"HTTP {response.status_code}"] += 1
            if 400 <= response.status_code < 500:
                return None  # the same request will fail the same way
        await asyncio.sleep(RETRY_PAUSE_SECONDS)
    return None


async def repost(
    run: PhaseRun, conversation: Conversation, body: dict[str, Any], first: dict[str, Any]
) -> None:
    """The fault step: send the acknowledged message again, as a client whose response got
    lost would; the server must answer with the first replies and store nothing new."""
    url = f"/api/v1/interviews/{conversation.interview_id}/messages"
    started = time.perf_counter()
    run.stats.retries += 1
    try:
        response = await run.client.post(url, json=body, headers=conversation.headers)
    except HttpError as error:
        # A transport failure is an error, not evidence of a different reply.
        run.stats.errors[f"re-post: {type(error).__name__}"] += 1
        return
    run.stats.retry_latencies.append(time.perf_counter() - started)
    if response.status_code != 200:
        run.stats.retry_mismatches += 1
        return
    again = response.json()
    same = again["replies"] == first["replies"]
    if conversation.expects_duplicate_flag:
        same = same and again.get("duplicate") is True
    if not same:
        run.stats.retry_mismatches += 1


# --- the storage check ------------------------------------------------------------------


@dataclass
class StorageCheck:
    interviews_opened: int = 0
    interviews_missing: int = 0
    acknowledged: int = 0
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    altered: int = 0  # stored once, but with other text than was sent
    out_of_order: int = 0  # interviews whose stored order differs from the sent order
    stored_unacknowledged: int = 0  # stored, but the client never saw its 200


INBOUND_ROWS = text(
    "SELECT i.public_id, m.channel_message_id, m.text, m.redacted "
    "FROM messages m JOIN interviews i ON i.id = m.interview_id "
    "WHERE m.direction = 'in' ORDER BY i.public_id, m.id"
)


def check_storage(database_url: str, ledger: Ledger) -> StorageCheck:
    """Compare, per interview, the messages acknowledged with what the database holds."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            interviews = set(connection.scalars(text("SELECT public_id FROM interviews")))
            stored: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
            for public_id, channel_id, body, redacted in connection.execute(INBOUND_ROWS):
                client_id = (channel_id or "").removeprefix(CLIENT_ID_PREFIX)
                stored[public_id].append((client_id, body, bool(redacted)))
    finally:
        engine.dispose()
    check = StorageCheck(interviews_opened=len(ledger.opened))
    check.interviews_missing = len(ledger.opened - interviews)
    for interview_id in set(ledger.acknowledged) | set(stored):
        compare_interview(check, ledger.acknowledged.get(interview_id, []), stored[interview_id])
    return check


def compare_interview(
    check: StorageCheck, sent: list[tuple[str, str]], stored: list[tuple[str, str, bool]]
) -> None:
    check.acknowledged += len(sent)
    check.stored += len(stored)
    rows = defaultdict(list)
    for client_id, body, redacted in stored:
        rows[client_id].append((body, redacted))
    for client_id, body in sent:
        copies = rows.get(client_id, [])
        if not copies:
            check.lost += 1
            continue
        check.duplicated += len(copies) - 1
        stored_text, redacted = copies[0]
        # A declined consent blanks what was typed before it, on purpose.
        if not redacted and stored_text != normalise(body):
            check.altered += 1
    sent_ids = [client_id for client_id, _ in sent]
    known = set(sent_ids)
    check.stored_unacknowledged += sum(len(rows[c]) for c in set(rows) - known)
    stored_order = [client_id for client_id, _, _ in stored if client_id in known]
    if list(dict.fromkeys(stored_order)) != sent_ids:
        check.out_of_order += 1


def normalise(body: str) -> str:
    # What the server does to any text before storing it (bot/conversation/sanitize.py) that matters
    # for the simulator's messages: Unicode NFC and surrounding whitespace.
    return unicodedata.normalize("NFC", body).strip()


# --- the run ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    customers: int
    workers: int
    think_min: float
    think_max: float
    saturation_seconds: float
    interviews_per_customer: int
    max_seconds: float
    warmup: float
    retry_fraction: float
    seed: int
    postgres_url: str | None
    postgres_baseline: bool = False

    def realistic(self) -> PhaseSettings:
        return PhaseSettings(
            name="realistic",
            customers=self.customers,
            think_min=self.think_min,
            think_max=self.think_max,
            seconds=self.max_seconds,
            interviews_per_customer=self.interviews_per_customer,
            warmup=self.warmup,
            retry_fraction=self.retry_fraction,
            seed=self.seed,
        )

    def saturation(self) -> PhaseSettings:
        return PhaseSettings(
            name="saturation",
            customers=self.customers,
            think_min=0.0,
            think_max=0.0,
            seconds=self.saturation_seconds,
            interviews_per_customer=UNLIMITED_INTERVIEWS,
            warmup=self.warmup,
            retry_fraction=0.0,
            seed=self.seed,
        )


@dataclass
class TargetResult:
    realistic: PhaseStats
    saturation: PhaseStats


@dataclass
class ProbeResult:
    """The database's own commits during ours' realistic phase, on the phase's clock."""

    samples: list[tuple[float, float]]  # (start, seconds), phase-relative
    failures: int


@dataclass
class LoadResult:
    ours: TargetResult
    baseline: TargetResult
    storage: StorageCheck
    database: str
    server_problems: dict[str, list[str]] = field(default_factory=dict)
    probe: ProbeResult | None = None  # PostgreSQL only: see bench/commit_probe.py
    postgres_baseline: TargetResult | None = None  # --postgres-baseline


def baseline_length(stats: PhaseStats) -> int:
    """Messages per baseline interview: the mean of ours in the same phase."""
    if not stats.completed_lengths:
        return DEFAULT_BASELINE_LENGTH
    return max(1, round(sum(stats.completed_lengths) / len(stats.completed_lengths)))


def run_load(options: Options, workdir: Path, runner: asyncio.Runner) -> LoadResult:
    """Both targets, both phases, then the storage check; servers stopped on any exit."""
    realistic, saturation = options.realistic(), options.saturation()
    ledger = Ledger()
    database_url = journeyline_database_url(workdir, options.postgres_url)
    with contextlib.ExitStack() as servers:
        server = start_journeyline(
            workdir, workers=options.workers, database_url=options.postgres_url
        )
        servers.callback(server.stop)
        ours_target = JourneylineTarget(server.base_url)
        probe = None
        if options.postgres_url is not None:
            # The realistic phase's p99 is the one judged; on PostgreSQL the disk's WAL
            # stalls are part of it, so the database's own commits are sampled beside it.
            with CommitProbe(options.postgres_url) as commits:
                realistic_stats = runner.run(run_phase(ours_target, realistic, ledger))
            origin = realistic_stats.started_at
            relative = [(start - origin, seconds) for start, seconds in commits.samples]
            probe = ProbeResult(relative, commits.failures)
        else:
            realistic_stats = runner.run(run_phase(ours_target, realistic, ledger))
        ours = TargetResult(realistic_stats, runner.run(run_phase(ours_target, saturation, ledger)))
        server.stop()  # every turn is committed: count what the database holds
        storage = check_storage(database_url, ledger)
        problems = {"journeyline": log_problems(server.log_path)}

        bare = start_baseline(workdir, workers=options.workers)
        servers.callback(bare.stop)
        baseline = run_bare(runner, bare.base_url, ours, realistic, saturation)
    problems["baseline"] = log_problems(bare.log_path)
    bare_postgres = None
    if options.postgres_baseline and options.postgres_url is not None:
        with contextlib.ExitStack() as servers:
            bare_pg = start_baseline(
                workdir, workers=options.workers, postgres_url=options.postgres_url
            )
            servers.callback(bare_pg.stop)
            bare_postgres = run_bare(runner, bare_pg.base_url, ours, realistic, saturation)
        problems["baseline on PostgreSQL"] = log_problems(bare_pg.log_path)
    name = "PostgreSQL" if options.postgres_url else "SQLite"
    return LoadResult(ours, baseline, storage, name, problems, probe, bare_postgres)


def run_bare(
    runner: asyncio.Runner,
    base_url: str,
    ours: TargetResult,
    realistic: PhaseSettings,
    saturation: PhaseSettings,
) -> TargetResult:
    """Both phases against a bare baseline, its interviews as long as ours were."""
    discard = Ledger()  # the baseline keeps no transcript to check
    return TargetResult(
        runner.run(
            run_phase(BaselineTarget(base_url, baseline_length(ours.realistic)), realistic, discard)
        ),
        runner.run(
            run_phase(
                BaselineTarget(base_url, baseline_length(ours.saturation)), saturation, discard
            )
        ),
    )


def log_problems(log_path: Path) -> list[str]:
    """The last line of every traceback a server logged (its exception), in order."""
    lines = log_path.read_text(errors="replace").splitlines()
    problems, in_traceback = [], False
    for line in lines:
        if line.startswith("Traceback"):
            in_traceback = True
        elif in_traceback and line and not line[0].isspace():
            problems.append(line.strip())
            in_traceback = False
    return problems


# --- the report ---------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def ratio(ours: float | None, baseline: float | None) -> str:
    if ours is None or not baseline:
        return "-"
    return f"{ours / baseline:.2f}x"


def row(label: str, ours: float | None, baseline: float | None, digits: int = 1) -> str:
    return (
        f"  {label:<30}{fmt(ours, digits):>12}{fmt(baseline, digits):>12}"
        f"{ratio(ours, baseline):>10}"
    )


def text_row(label: str, ours: str, baseline: str) -> str:
    return f"  {label:<30}{ours:>12}{baseline:>12}"


def phase_block(title: str, ours: PhaseStats, baseline: PhaseStats) -> list[str]:
    lines = [title, f"  {'':<30}{'journeyline':>12}{'baseline':>12}{'ratio':>10}"]
    lines.append(row("turns/s", ours.turns_per_second(), baseline.turns_per_second()))
    if ours.settings.think_max == 0:
        peak_ours, peak_base = ours.peak_turns_per_second(), baseline.peak_turns_per_second()
        lines.append(row("max turns/s (best 1 s)", peak_ours, peak_base, 0))
    for label, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        lines.append(row(f"latency {label} ms", ours.latency_ms(q), baseline.latency_ms(q)))
    lines.append(row("turns measured", len(ours.measured()), len(baseline.measured()), 0))
    lines.append(row("errors", ours.error_count, baseline.error_count, 0))
    lines.append(
        text_row(
            "interviews done/cut/abandoned",
            f"{ours.completed}/{ours.cut_off}/{ours.abandoned}",
            f"{baseline.completed}/{baseline.cut_off}/{baseline.abandoned}",
        )
    )
    starts = [s * 1000 for s in ours.start_latencies]
    lines.append(text_row("start interview p50/p99 ms", p50_p99(starts), "(none)"))
    if ours.retries or baseline.retries:
        lines.append(
            text_row(
                "re-posts same reply",
                f"{ours.retries - ours.retry_mismatches}/{ours.retries}",
                f"{baseline.retries - baseline.retry_mismatches}/{baseline.retries}",
            )
        )
    lines.append(text_row("client CPU (% of one core)", client_cpu(ours), client_cpu(baseline)))
    for stats in (ours, baseline):
        if stats.errors:
            kinds = ", ".join(f"{kind} x{n}" for kind, n in stats.errors.most_common())
            lines.append(f"  errors ({'journeyline' if stats is ours else 'baseline'}): {kinds}")
    return lines


def p50_p99(values_ms: Sequence[float]) -> str:
    return f"{fmt(percentile(values_ms, 0.5), 0)}/{fmt(percentile(values_ms, 0.99), 0)}"


def client_cpu(stats: PhaseStats) -> str:
    if not stats.wall_seconds:
        return "-"
    return f"{100 * stats.client_cpu_seconds / stats.wall_seconds:.0f} %"


def report(result: LoadResult, options: Options) -> str:
    ours, base = result.ours, result.baseline
    think = f"{options.think_min:g}-{options.think_max:g} s"
    lines = [
        f"web load: {options.customers} customers, {options.workers} worker(s) each, "
        f"journeyline on {result.database}, baseline on SQLite (one INSERT+COMMIT per request)",
        "all simulated customers share 127.0.0.1, so both rate limits are off "
        "(JOURNEYLINE_RATE_LIMIT_PER_CLIENT=0, JOURNEYLINE_RATE_LIMIT_PER_TOKEN=0)",
        f"first {options.warmup:g} s of each phase discarded; latency = wall time of one "
        "POST /messages; think time and interview starts not included",
        "",
        *phase_block(
            f"realistic (think {think}, whole interviews)", ours.realistic, base.realistic
        ),
        "  under think time both are bounded by the think time, so a throughput ratio "
        "there says nothing.",
        *probe_lines(result.probe, ours.realistic),
        "",
        *phase_block(
            f"saturation (no think time, {options.saturation_seconds:g} s)",
            ours.saturation,
            base.saturation,
        ),
        f"  baseline interviews: {baseline_length(ours.realistic)} (realistic) / "
        f"{baseline_length(ours.saturation)} (saturation) canned messages, as ours averaged",
        "",
        *postgres_baseline_block(result),
        storage_line(result.storage),
        *problem_lines(result.server_problems),
        verdict(result),
    ]
    return "\n".join(lines)


def postgres_baseline_block(result: LoadResult) -> list[str]:
    """Ours beside the same bare endpoint on PostgreSQL: the floor a durable commit sets."""
    bare = result.postgres_baseline
    if bare is None:
        return []
    ours = result.ours
    lines = [
        "bare baseline on PostgreSQL (--postgres-baseline: the same endpoint, one INSERT and",
        "a durable COMMIT per request, on the same server, run after the two above)",
        f"  {'':<30}{'journeyline':>12}{'bare PG':>12}{'ratio':>10}",
    ]
    for label, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        lines.append(
            row(
                f"realistic latency {label} ms",
                ours.realistic.latency_ms(q),
                bare.realistic.latency_ms(q),
            )
        )
    lines.append(
        row(
            "saturation turns/s",
            ours.saturation.turns_per_second(),
            bare.saturation.turns_per_second(),
        )
    )
    errors = bare.realistic.error_count + bare.saturation.error_count
    lines.append(row("errors", ours.realistic.error_count + ours.saturation.error_count, errors, 0))
    lines.append("")
    return lines


def probe_lines(probe: ProbeResult | None, realistic: PhaseStats) -> list[str]:
    """The database's own commit latency beside ours, and ours away from its stalls."""
    if probe is None:
        return []
    warm = [
        (start, seconds) for start, seconds in probe.samples if start >= realistic.settings.warmup
    ]
    durations = [seconds * 1000 for _, seconds in warm]
    windows = stalls(warm)
    stalled = sum(window.seconds for window in windows)
    measured = realistic.measured()
    clear = outside_stalls(measured, windows)
    clear_p99 = percentile([latency * 1000 for _, latency in clear], 0.99)
    quantiles = "/".join(fmt(percentile(durations, q)) for q in (0.5, 0.99))
    lines = [
        "  PostgreSQL's own commits meanwhile (one-row INSERT+COMMIT every "
        f"{DEFAULT_PROBE_INTERVAL_MS:g} ms on a connection of its own):",
        f"    p50/p99 {quantiles} ms, max {fmt(max(durations, default=None))} ms over "
        f"{len(durations)} commits; {len(windows)} took >= {STALL_MS:g} ms "
        f"({stalled:.1f} s in all)",
        f"    journeyline p99 on the turns that overlap none of those: {fmt(clear_p99)} ms "
        f"({len(clear)} of {len(measured)} turns)",
    ]
    if probe.failures:
        lines.append(f"    probe commits that failed: {probe.failures}")
    return lines


def problem_lines(problems: dict[str, list[str]]) -> list[str]:
    lines = []
    for name, found in problems.items():
        if found:
            kinds = Counter(found).most_common(3)
            shown = "; ".join(f"{kind[:160]} x{n}" for kind, n in kinds)
            lines.append(f"server log ({name}): {len(found)} exceptions: {shown}")
    return lines


def storage_line(check: StorageCheck) -> str:
    return (
        f"storage: {check.interviews_opened} interviews opened ({check.interviews_missing} "
        f"missing), {check.acknowledged} messages acknowledged, {check.stored} stored; "
        f"lost {check.lost}, duplicated {check.duplicated}, altered {check.altered}, "
        f"out of order {check.out_of_order}, stored without a 200 {check.stored_unacknowledged}"
    )


def verdict(result: LoadResult) -> str:
    ours, base = result.ours, result.baseline
    p99 = ours.realistic.latency_ms(0.99)
    base_rate = base.saturation.turns_per_second()
    rate = ours.saturation.turns_per_second() / base_rate if base_rate else 0.0
    errors = ours.realistic.error_count + ours.saturation.error_count
    errors += ours.realistic.retry_mismatches
    check = result.storage
    p99_ok = p99 is not None and p99 <= P99_TARGET_MS
    return (
        f"verdict journeyline ({result.database}): "
        f"p99 <= {P99_TARGET_MS:g} ms: {yes(p99_ok)} ({fmt(p99)} ms) | "
        f"throughput >= {THROUGHPUT_TARGET_RATIO:g}x baseline: "
        f"{yes(rate >= THROUGHPUT_TARGET_RATIO)} ({rate:.2f}x) | "
        f"errors: {errors} | lost: {check.lost + check.interviews_missing} | "
        f"duplicated: {check.duplicated}"
    )


def yes(flag: bool) -> str:
    return "yes" if flag else "no"


# --- the command --------------------------------------------------------------------------


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="server processes, both servers")
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=3.0)
    parser.add_argument("--saturation-seconds", type=float, default=20.0)
    parser.add_argument("--interviews-per-customer", type=int, default=1)
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=300.0,
        help="safety cap on each realistic phase (interviews still running are cut off)",
    )
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds discarded per phase")
    parser.add_argument("--retry-fraction", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_POSTGRES_URL,
        default=None,
        metavar="URL",
        help=f"run journeyline on PostgreSQL (a fresh schema; default {DEFAULT_POSTGRES_URL})",
    )
    parser.add_argument(
        "--postgres-baseline",
        action="store_true",
        help="with --postgres: also run the bare baseline on that PostgreSQL server",
    )
    args = parser.parse_args(argv)
    if args.postgres_baseline and args.postgres is None:
        parser.error("--postgres-baseline needs --postgres")
    # Bounded in count and time: this runs on shared machines.
    if not 1 <= args.customers <= 2000:
        parser.error("--customers must be 1..2000")
    if not 1 <= args.workers <= 16:
        parser.error("--workers must be 1..16")
    if not 0 <= args.think_min <= args.think_max <= 60:
        parser.error("need 0 <= --think-min <= --think-max <= 60")
    if not 0 < args.saturation_seconds <= 600 or not 0 < args.max_seconds <= 3600:
        parser.error("--saturation-seconds must be in (0, 600], --max-seconds in (0, 3600]")
    if not 1 <= args.interviews_per_customer <= 100:
        parser.error("--interviews-per-customer must be 1..100")
    if not 0 <= args.retry_fraction <= 1 or args.warmup < 0:
        parser.error("--retry-fraction must be in [0, 1] and --warmup >= 0")
    return Options(
        customers=args.customers,
        workers=args.workers,
        think_min=args.think_min,
        think_max=args.think_max,
        saturation_seconds=args.saturation_seconds,
        interviews_per_customer=args.interviews_per_customer,
        max_seconds=args.max_seconds,
        warmup=args.warmup,
        retry_fraction=args.retry_fraction,
        seed=args.seed,
        postgres_url=args.postgres,
        postgres_baseline=args.postgres_baseline,
    )


def event_loop_runner() -> asyncio.Runner:
    # uvloop (installed with uvicorn[standard]) keeps the client's own overhead down, so
    # the client is less likely to be what limits the baseline.
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    print(f"starting servers; each realistic phase capped at {options.max_seconds:g} s ...")
    try:
        with (
            tempfile.TemporaryDirectory(prefix="web-load-") as folder,
            event_loop_runner() as runner,
            contextlib.ExitStack() as stack,
        ):
            postgres_url = None
            if options.postgres_url is not None:
                postgres_url = stack.enter_context(postgres_schema(options.postgres_url))
            run_options = dataclasses.replace(options, postgres_url=postgres_url)
            result = run_load(run_options, Path(folder), runner)
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        return 130
    except HarnessError as error:
        print(f"harness failure: {error}", file=sys.stderr)
        return 2
    print(report(result, options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
