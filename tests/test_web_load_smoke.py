"""The web load harness at tiny scale, against real server subprocesses (SQLite).

Keeps `bench/web_load/` working: if the API, the simulator or the storage schema
changes under it, this fails in CI instead of on the next benchmark run.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bench.web_load import (
    BaselineTarget,
    JourneylineTarget,
    Ledger,
    PhaseSettings,
    PhaseStats,
    check_storage,
    journeyline_database_url,
    run_phase,
    start_baseline,
    start_journeyline,
)


def tiny_phase(name: str, *, seconds: float, interviews: int, retries: float) -> PhaseSettings:
    return PhaseSettings(
        name=name,
        customers=5,
        think_min=0.0,
        think_max=0.0,
        seconds=seconds,
        interviews_per_customer=interviews,
        warmup=0.0,
        retry_fraction=retries,
        seed=3,
    )


# One interview each, with plenty of re-posts so the fault step surely runs.
WHOLE_INTERVIEWS = tiny_phase("realistic", seconds=25, interviews=1, retries=0.2)
SATURATION = tiny_phase("saturation", seconds=1.5, interviews=1000, retries=0.0)


def assert_produced_numbers(stats: PhaseStats) -> None:
    assert stats.error_count == 0, stats.errors
    assert stats.measured()
    assert stats.turns_per_second() > 0
    assert stats.latency_ms(0.99) is not None


@pytest.mark.slow
def test_harness_measures_both_servers_and_loses_nothing(tmp_path: Path) -> None:
    ledger = Ledger()
    with contextlib.ExitStack() as servers:
        ours = start_journeyline(tmp_path, workers=1, database_url=None)
        servers.callback(ours.stop)
        target = JourneylineTarget(ours.base_url)
        realistic = asyncio.run(run_phase(target, WHOLE_INTERVIEWS, ledger))
        saturation = asyncio.run(run_phase(target, SATURATION, ledger))
        ours.stop()

        bare = start_baseline(tmp_path, workers=1)
        servers.callback(bare.stop)
        baseline = asyncio.run(
            run_phase(BaselineTarget(bare.base_url, 10), WHOLE_INTERVIEWS, Ledger())
        )

    for stats in (realistic, saturation, baseline):
        assert_produced_numbers(stats)
    assert realistic.completed == 5
    assert realistic.retries > 0
    assert realistic.retry_mismatches == 0
    assert baseline.completed == 5

    storage = check_storage(journeyline_database_url(tmp_path, None), ledger)
    assert storage.acknowledged == len(realistic.turns) + len(saturation.turns)
    assert storage.interviews_missing == 0
    assert storage.lost == 0
    assert storage.duplicated == 0
    assert storage.altered == 0
    assert storage.out_of_order == 0


@pytest.mark.postgres
def test_bare_baseline_on_postgres_stores_every_message(
    tmp_path: Path, postgres_schema_url: str
) -> None:
    with contextlib.ExitStack() as servers:
        bare = start_baseline(tmp_path, workers=1, postgres_url=postgres_schema_url)
        servers.callback(bare.stop)
        stats = asyncio.run(run_phase(BaselineTarget(bare.base_url, 4), WHOLE_INTERVIEWS, Ledger()))
    assert_produced_numbers(stats)
    assert stats.completed == 5
    engine = create_engine(postgres_schema_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM baseline_messages")).scalar()
    finally:
        engine.dispose()
    # Every POST answered 200 is a committed row (re-posts included: the bare endpoint
    # has no idempotency, which is part of why it is the cheapest possible one).
    assert stored == len(stats.turns) + stats.retries
