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

One job per module: ``servers`` (start-up, health wait, PostgreSQL schema),
``customers`` (the simulated customers), ``baselines`` (the bare baselines' interviews
and phases), ``phases`` (the client driving one phase), ``stats`` (what it records),
``storage_check``, ``run`` (the whole run), ``report`` and ``cli`` (the command).
"""

from bench.web_load.baselines import BaselineTarget, CannedConversation, baseline_length, run_bare
from bench.web_load.cli import main, parse_options
from bench.web_load.customers import JourneylineTarget, PersonaConversation
from bench.web_load.phases import run_phase
from bench.web_load.report import probe_lines, report
from bench.web_load.run import LoadResult, Options, run_load
from bench.web_load.servers import (
    HarnessError,
    Server,
    journeyline_database_url,
    postgres_schema,
    start_baseline,
    start_journeyline,
)
from bench.web_load.stats import Ledger, PhaseSettings, PhaseStats, ProbeResult, TargetResult
from bench.web_load.storage_check import StorageCheck, check_storage

__all__ = [
    "BaselineTarget",
    "CannedConversation",
    "HarnessError",
    "JourneylineTarget",
    "Ledger",
    "LoadResult",
    "Options",
    "PersonaConversation",
    "PhaseSettings",
    "PhaseStats",
    "ProbeResult",
    "Server",
    "StorageCheck",
    "TargetResult",
    "baseline_length",
    "check_storage",
    "journeyline_database_url",
    "main",
    "parse_options",
    "postgres_schema",
    "probe_lines",
    "report",
    "run_bare",
    "run_load",
    "run_phase",
    "start_baseline",
    "start_journeyline",
]
