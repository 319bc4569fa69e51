"""A Markdown report of a journey map: stages in journey order, then the pain points."""

from __future__ import annotations

from synthesis.model import Count, JourneyMap, Quote


def render_markdown(journey_map: JourneyMap) -> str:
    m = journey_map
    segment = ", ".join(f"{k}={v}" for k, v in (m.segment or {}).items())
    lines = [
        f"# Journey map: {m.campaign}" + (f" ({segment})" if segment else ""),
        "",
        f"{m.interview_count} interviews, {m.step_count} steps, {len(m.stages)} stages, "
        f"{len(m.pain_points)} pain points (embedder `{m.embedder}`, seed {m.seed}, "
        f"schema {m.schema_version}).",
        "",
        "## Stages",
        "",
        "| # | stage | interviews | steps | feeling (mean ± spread) | median / p90 min "
        "| channels |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in m.stages:
        feeling = (
            "-" if s.feeling.mean is None else f"{s.feeling.mean:.2f} ± {s.feeling.spread:.2f}"
        )
        time = f"{_num(s.duration_median_minutes)} / {_num(s.duration_p90_minutes)}"
        lines.append(
            f"| {s.id} | {_cell(s.name)} | {s.interviews} ({s.interview_share:.0%}) "
            f"| {s.step_count} | {feeling} | {time} | {_counts(s.channel_mix[:3])} |"
        )
    for s in m.stages:
        lines += ["", f"### {s.id} {s.name}", ""]
        lines.append(f"- People: {_counts(s.people)}; tools: {_counts(s.tools)}")
        lines.append(f"- Pains: {_counts(s.pains)}")
        if s.moments_of_truth:
            lines.append(f"- Moments of truth: {len(s.moments_of_truth)}")
        lines += [_quote(q) for q in s.quotes]
    lines += [
        "",
        "## Pain points",
        "",
        "| rank | pain point | interviews | evidence | severity | score | stages |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in m.pain_points:
        lines.append(
            f"| {p.rank} | {_cell(p.label)} | {p.interviews} ({p.interview_share:.0%}) "
            f"| {p.evidence} | {p.severity:.2f} | {p.score:.2f} | {', '.join(p.stages)} |"
        )
    for p in m.pain_points:
        lines += ["", f"### {p.id} {p.label}", ""]
        lines += [_quote(q) for q in p.quotes]
    return "\n".join(lines) + "\n"


def _quote(quote: Quote) -> str:
    text = " ".join(quote.text.split())
    return (
        f"> “{text}” — interview `{quote.interview_id}`, step {quote.step_ordinal}, "
        f"message {quote.message_id}\n"
    )


def _counts(counts: list[Count]) -> str:
    return ", ".join(f"{c.value} {c.share:.0%}" for c in counts) or "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
