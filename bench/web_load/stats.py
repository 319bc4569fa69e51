"""What the client records: per phase, every turn's start and latency, errors, re-posts
and interviews; the ledger of acknowledged messages; the results of both phases."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field


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


@dataclass
class TargetResult:
    realistic: PhaseStats
    saturation: PhaseStats


@dataclass
class ProbeResult:
    """The database's own commits during ours' realistic phase, on the phase's clock."""

    samples: list[tuple[float, float]]  # (start, seconds), phase-relative
    failures: int
