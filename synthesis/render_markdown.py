"""A Markdown report of a journey map: stages in journey order, the pain points, journey
metrics, channel paths, saturation and the segment comparison.

Every string of the map is written as text (:mod:`synthesis.markdown_text`): on one line,
every character that could start markup backslash-escaped, the backslash first, so a
quote can never become an HTML tag, a link, an image, a heading or a table cell in any
CommonMark viewer; ids in quotes' attributions are code spans. The Mermaid block holds
:func:`synthesis.render_mermaid.render_mermaid`'s source, which has no backtick to end
the block early.
"""

from __future__ import annotations

from synthesis.formatting import human_minutes, provenance_shares
from synthesis.markdown_text import markdown_code, markdown_text
from synthesis.model import Count, EventCount, JourneyMap, Quote
from synthesis.render_mermaid import render_mermaid


def render_markdown(journey_map: JourneyMap) -> str:
    m = journey_map
    segment = ", ".join(f"{k}={v}" for k, v in (m.segment or {}).items())
    lines = [
        f"# Journey map: {_text(m.campaign)}" + (f" ({_text(segment)})" if segment else ""),
        "",
        f"{m.interview_count} {_which(m)}interviews, {m.step_count} steps, {len(m.stages)} "
        f"stages, {len(m.pain_points)} pain points (embedder {markdown_code(m.embedder)}, "
        f"seed {m.seed}, schema {_text(m.schema_version)}).",
        "",
        "## Stages",
        "",
        "| # | stage | interviews | steps | feeling (mean ± spread) | median / p90 time "
        "| channels |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in m.stages:
        feeling = (
            "-" if s.feeling.mean is None else f"{s.feeling.mean:.2f} ± {s.feeling.spread:.2f}"
        )
        time = (
            f"{human_minutes(s.duration_median_minutes)} / {human_minutes(s.duration_p90_minutes)}"
        )
        lines.append(
            f"| {_cell(s.id)} | {_cell(s.name)} | {s.interviews} ({s.interview_share:.0%}) "
            f"| {s.step_count} | {feeling} | {time} | {_counts(s.channel_mix[:3])} |"
        )
    for s in m.stages:
        lines += ["", f"### {_text(s.id)} {_text(s.name)}", ""]
        if s.description:
            lines += [f"_{_text(s.description)}_", ""]
        if s.doing:
            lines.append(f"- Doing: {_text(s.doing)}")
        for theme in s.thinking[:3]:
            lines.append(f"- Thinking: {_text(theme.label)} ({theme.interviews} interviews)")
        lines.append(f"- People: {_counts(s.people)}; tools: {_counts(s.tools)}")
        lines.append(f"- Pains: {_counts(s.pains)}")
        if s.comebacks:
            lines.append(f"- Came back to this stage in {s.comebacks} journeys")
        if s.moments_of_truth:
            lines.append(f"- Moments of truth: {len(s.moments_of_truth)}")
        lines += [_quote(q) for q in s.quotes]
        lines += [_quote(q) for theme in s.thinking[:2] for q in theme.quotes[:1]]
    # GitHub and many editors draw this block as the journey diagram.
    lines += ["", "```mermaid", render_mermaid(m).rstrip("\n"), "```"]
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
            f"| {p.evidence} | {p.severity:.2f} | {p.score:.2f} | {_cell(', '.join(p.stages))} |"
        )
    for p in m.pain_points:
        lines += ["", f"### {_text(p.id)} {_text(p.label)}", ""]
        lines += [_quote(q) for q in p.quotes]
    lines += _opportunities(m)
    lines += _emerging(m)
    lines += _metrics(m)
    lines += _paths(m)
    if m.saturation is not None:
        lines += ["", "## Saturation", "", _text(m.saturation.statement)]
        heard = ", ".join(str(len(p.new_pain_points)) for p in m.saturation.points)
        lines += ["", f"New pain points per interview, in order: {heard}."]
    lines += _comparison(m)
    return "\n".join(lines) + "\n"


def _which(m: JourneyMap) -> str:
    if m.interviews_included == "completed":
        which = "finished "
    else:
        which = f"(including {m.partial_interviews} unfinished) " if m.partial_interviews else ""
    if m.since or m.until:
        window = f"from {_text(m.since[:10])} " if m.since else ""
        window += f"before {_text(m.until[:10])} " if m.until else ""
        which += f"{window.strip()}: "
    return which


def _opportunities(m: JourneyMap) -> list[str]:
    if not m.opportunities:
        return []
    lines = ["", "## Opportunities", ""]
    for o in m.opportunities:
        addresses = f"; addresses {_text(', '.join(o.pain_points))}" if o.pain_points else ""
        lines += [
            "",
            f"### {_text(o.id)} {_text(o.label)}",
            "",
            f"{o.interviews} interviews ({o.interview_share:.0%}){addresses}.",
        ]
        lines += [_quote(q) for q in o.quotes[:2]]
    return lines


def _emerging(m: JourneyMap) -> list[str]:
    if not m.emerging_stages:
        return []
    lines = [
        "",
        "## Emerging stages, for review",
        "",
        "Steps whose words fit no stage of the frame (counted in the nearest stage meanwhile).",
    ]
    for e in m.emerging_stages:
        lines += [
            "",
            f"### {_text(e.id)} {_text(e.name)}",
            "",
            f"{e.interviews} interviews, {e.step_count} steps; now in "
            f"{_text(', '.join(e.placed_in))}.",
        ]
        lines += [_quote(q) for q in e.quotes[:2]]
    return lines


def _metrics(m: JourneyMap) -> list[str]:
    if m.metrics is None:
        return []
    x = m.metrics

    def events(name: str, e: EventCount) -> str:
        return (
            f"| {name} | {_num(e.per_journey.mean)} | {_num(e.per_journey.median)} "
            f"| {_num(e.per_journey.p90)} | {e.journeys_with} ({e.share_of_journeys:.0%}) |"
        )

    t = x.total_minutes
    r = x.resolution
    rate = "-" if r.rate is None else f"{r.rate:.0%}"
    effort = "-" if x.effort.mean is None else f"{x.effort.mean:.1f}/7"
    hard = "-" if x.effort.high_share is None else f"{x.effort.high_share:.0%}"
    return [
        "",
        "## Journey metrics",
        "",
        "| per journey | mean | median | p90 | journeys with any |",
        "|---|---|---|---|---|",
        f"| steps | {_num(x.steps_per_journey.mean)} | {_num(x.steps_per_journey.median)} "
        f"| {_num(x.steps_per_journey.p90)} | - |",
        f"| total time ({t.journeys} journeys with times) | {human_minutes(t.mean)} "
        f"| {human_minutes(t.median)} | {human_minutes(t.p90)} | - |",
        events("contacts", x.contacts),
        events("repeat contacts", x.repeat_contacts),
        events("channel switches", x.channel_switches),
        events("transfers", x.transfers),
        events("handoffs", x.handoffs),
        "",
        f"Resolved: {rate} ({r.yes} yes, {r.partly} partly, {r.no} no, {r.unknown} not "
        f"answered). Effort: {effort} mean, {hard} found it hard (5-7), {x.effort.rated} rated.",
        *_provenance(x.facts_by_provenance),
    ]


def _provenance(counts: dict[str, int]) -> list[str]:
    """One line on how much of the map rests on what customers said or confirmed."""
    shares = provenance_shares(counts, word=_text)
    return ["", f"Step facts ({sum(counts.values())}): {shares}."] if shares else []


def _paths(m: JourneyMap) -> list[str]:
    if not m.channel_paths:
        return []
    lines = [
        "",
        "## Most common channel paths",
        "",
        f"{m.distinct_channel_paths} different paths.",
        "",
        "| path | interviews | share |",
        "|---|---|---|",
    ]
    for v in m.channel_paths:
        path = " → ".join(v.path) if v.path else "(no contact)"
        lines.append(f"| {_cell(path)} | {v.interviews} | {v.share:.0%} |")
    return lines


def _comparison(m: JourneyMap) -> list[str]:
    c = m.comparison
    if c is None:
        return []
    stage_ids = [s.id for s in m.stages]
    lines = ["", f"## Segments by {_text(c.key)}", ""]
    lines += [f"- {_text(d.text)}" for d in c.differences] or [
        "No difference between the segments is large enough to call out."
    ]
    lines += [
        "",
        f"| {_cell(c.key)} | interviews | "
        + " | ".join(f"{_cell(sid)} share / feeling" for sid in stage_ids)
        + " | resolved | effort | top pain points | folder |",
        "|---|---|" + "---|" * len(stage_ids) + "---|---|---|---|",
    ]
    for v in c.values:
        cells = [
            f"{v.stage_shares.get(sid, 0.0):.0%} / {_num(v.stage_feelings.get(sid))}"
            for sid in stage_ids
        ]
        rate = "-" if v.resolution_rate is None else f"{v.resolution_rate:.0%}"
        lines.append(
            f"| {_cell(v.value)} | {v.interviews} | {' | '.join(cells)} | {rate} "
            f"| {_num(v.effort_mean)} | {_cell(', '.join(v.top_pain_points))} "
            f"| {_cell(f'segments/{v.folder}/')} |"
        )
    return lines


def _quote(quote: Quote) -> str:
    return (
        f"> “{_text(quote.text)}” — interview {markdown_code(quote.interview_id)}, "
        + (f"step {quote.step_ordinal}, " if quote.step_ordinal else "")
        + f"message {quote.message_id}\n"
    )


def _counts(counts: list[Count]) -> str:
    return ", ".join(f"{_cell(c.value)} {c.share:.0%}" for c in counts) or "-"


# One escape for text and table cells: it escapes ``|`` too.
_text = _cell = markdown_text


def _num(value: float | None) -> str:
    return "-" if value is None else f"{round(value, 2):g}"
