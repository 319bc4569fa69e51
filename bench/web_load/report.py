"""The report: both targets side by side per phase, the commit probe, the storage check,
the servers' exceptions and the verdict against the targets."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bench.commit_probe import DEFAULT_INTERVAL_SECONDS, STALL_MS, outside_stalls, stalls
from bench.web_load.baselines import baseline_length
from bench.web_load.run import LoadResult, Options
from bench.web_load.stats import PhaseStats, ProbeResult, percentile
from bench.web_load.storage_check import StorageCheck

DEFAULT_PROBE_INTERVAL_MS = 1000 * DEFAULT_INTERVAL_SECONDS
P99_TARGET_MS = 50.0
THROUGHPUT_TARGET_RATIO = 0.5


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
        f"journeyline on {result.database}, baseline on SQLite (one INSERT+COMMIT per request); "
        f"SQLite synchronous={options.sqlite_synchronous.upper()} for both",
        "all simulated customers share 127.0.0.1, so both rate limits and the start budgets "
        "are off (JOURNEYLINE_RATE_LIMIT_PER_CLIENT=0, JOURNEYLINE_RATE_LIMIT_PER_TOKEN=0, "
        "JOURNEYLINE_OPEN_STARTS_*=0)",
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
