"""The whole run: both phases against journeyline (with the commit probe on PostgreSQL),
the storage check, then the same phases against the bare baselines."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from bench.commit_probe import CommitProbe
from bench.web_load.baselines import run_bare
from bench.web_load.customers import JourneylineTarget
from bench.web_load.phases import run_phase
from bench.web_load.servers import journeyline_database_url, start_baseline, start_journeyline
from bench.web_load.stats import Ledger, PhaseSettings, ProbeResult, TargetResult
from bench.web_load.storage_check import StorageCheck, check_storage

# Saturation customers start interviews until the phase ends; this only bounds the loop.
UNLIMITED_INTERVIEWS = 1_000_000


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
    sqlite_synchronous: str = "full"

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
class LoadResult:
    ours: TargetResult
    baseline: TargetResult
    storage: StorageCheck
    database: str
    server_problems: dict[str, list[str]] = field(default_factory=dict)
    probe: ProbeResult | None = None  # PostgreSQL only: see bench/commit_probe.py
    postgres_baseline: TargetResult | None = None  # --postgres-baseline


def run_load(options: Options, workdir: Path, runner: asyncio.Runner) -> LoadResult:
    """Both targets, both phases, then the storage check; servers stopped on any exit."""
    realistic, saturation = options.realistic(), options.saturation()
    ledger = Ledger()
    database_url = journeyline_database_url(workdir, options.postgres_url)
    with contextlib.ExitStack() as servers:
        server = start_journeyline(
            workdir,
            workers=options.workers,
            database_url=options.postgres_url,
            sqlite_synchronous=options.sqlite_synchronous,
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

        bare = start_baseline(
            workdir, workers=options.workers, sqlite_synchronous=options.sqlite_synchronous
        )
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
