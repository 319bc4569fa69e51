"""The command: ``python -m bench.web_load`` (options checked and bounded), the run in a
temporary folder, the report on stdout."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.web_load.report import report
from bench.web_load.run import Options, run_load
from bench.web_load.servers import HarnessError, postgres_schema

DESCRIPTION = "Web load: many simulated customers taking whole interviews over real HTTP."
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def parse_options(argv: Sequence[str] | None = None) -> Options:
    # prog: argparse would name the package's __main__.py.
    parser = argparse.ArgumentParser(prog="python -m bench.web_load", description=DESCRIPTION)
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
        "--sqlite-synchronous",
        choices=("full", "normal"),
        default="full",
        help="SQLite's synchronous mode, for journeyline and the baseline alike (default: "
        "full, journeyline's default: every commit on disk before the answer)",
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
        sqlite_synchronous=args.sqlite_synchronous,
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
