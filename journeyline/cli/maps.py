"""`journeyline maps ...`: stored synthesis runs: list, show, diff, export."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.box import SIMPLE
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from journeyline.cli.common import abort, console, count, runtime
from journeyline.runtime import Runtime
from storage import synthesis_runs as synthesis_store
from storage.files import OutputError, prepare_folder
from storage.types import utcnow
from synthesis.diff import ORDER, Change, MapDiff, diff_maps
from synthesis.model import JourneyMap
from synthesis.observations import SynthesisInputError
from synthesis.outputs import (
    DEFAULT_FORMATS,
    OUTPUTS,
    UnknownFormat,
    check_formats,
    write_segmented_outputs,
)
from synthesis.published import published_map
from synthesis.runs import (
    RunInfo,
    RunNotFound,
    RunUnreadable,
    StoredRun,
    latest_run_ids,
    list_run_infos,
    load_run,
)

app = typer.Typer(help="Stored journey maps (one per `journeyline synthesize`).")
app.info.no_args_is_help = True

FORMATS_HELP = (
    f"Repeatable: {', '.join(OUTPUTS)} (default: {', '.join(DEFAULT_FORMATS)}; pdf, map-png "
    "and whiteboard-csv when named)."
)
PERSONAL_DATA_HELP = (
    "Show customers' emails, phone numbers, card numbers, IBANs and the names they gave as "
    "they said them. Default: replaced by [email], [phone], [card], [iban], [name]."
)
LABEL = {s: s for s in ORDER} | {"same": "unchanged"}
STATUS_STYLE = {
    "new": "bold green",
    "grew": "green",
    "shrank": "yellow",
    "disappeared": "bold red",
    "same": "dim",
}


@app.command("list")
def list_command(
    campaign: str = typer.Option("", help="Only this campaign (slug)."),
    limit: int = typer.Option(20, min=1, help="At most this many, newest first."),
) -> None:
    """List stored runs, newest first."""
    with runtime() as rt, rt.sessions() as session:
        runs = list_run_infos(session, campaign_slug=campaign or None, limit=limit)
    if not runs:
        console.print("No stored runs yet: `journeyline synthesize --campaign SLUG --out DIR`.")
        return
    table = Table(box=SIMPLE, pad_edge=False, collapse_padding=True)
    table.add_column("run", justify="right")
    table.add_column("created (UTC)", no_wrap=True)
    for name in ("campaign", "segment"):
        table.add_column(name)
    for name in ("interviews", "stages", "pains"):
        table.add_column(name, justify="right")
    table.add_column("embedder")
    for run in runs:
        table.add_row(
            str(run.id),
            run.created_at.strftime("%Y-%m-%d %H:%M"),
            escape(run.campaign),
            escape(run.segment or "all"),
            str(run.interview_count),
            str(run.stage_count),
            str(run.pain_point_count),
            escape(str(run.parameters.get("embedder", ""))),
        )
    console.print(table)


@app.command("show")
def show_command(
    run_id: int = typer.Argument(..., help="The run number (see `maps list`)."),
    include_personal_data: bool = typer.Option(
        False, "--include-personal-data", help=PERSONAL_DATA_HELP
    ),
) -> None:
    """Summarise one stored run: its parameters, stages and top pain points."""
    with runtime() as rt, rt.sessions() as session:
        stored = _load(session, run_id)
    info = stored.info
    m = published_map(stored.journey_map, include_personal_data=include_personal_data)
    console.rule(f"Run {info.id} · {escape(info.campaign)} · {escape(info.segment or 'all')}")
    params = ", ".join(f"{k}={v}" for k, v in info.parameters.items() if v is not None)
    console.print(
        f"Created {info.created_at:%Y-%m-%d %H:%M} UTC by journeyline {info.code_version} "
        f"(map schema {info.schema_version}); {escape(params)}\n"
        f"{m.interview_count} interviews, {m.step_count} steps, {len(m.stages)} stages, "
        f"{len(m.pain_points)} pain points"
        + (f"; ids matched to run {info.previous_run_id}" if info.previous_run_id else "")
    )
    stages = Table("id", "stage", "interviews", "steps", "feeling", "median min", "channels")
    for s in m.stages:
        mean, spread = s.feeling.mean, s.feeling.spread
        feeling = "-" if mean is None else f"{mean:.1f} ± {spread or 0:.1f}"
        channels = ", ".join(f"{c.value} {c.share:.0%}" for c in s.channel_mix[:2])
        median = "-" if s.duration_median_minutes is None else f"{s.duration_median_minutes:g}"
        stages.add_row(
            s.id,
            escape(s.name),
            f"{s.interviews} ({s.interview_share:.0%})",
            str(s.step_count),
            feeling,
            median,
            escape(channels),
        )
    console.print(stages)
    pains = Table("rank", "id", "pain point", "interviews", "evidence", "score", "stages")
    for p in m.pain_points[:10]:
        pains.add_row(
            str(p.rank),
            p.id,
            escape(p.label),
            f"{p.interviews} ({p.interview_share:.0%})",
            str(p.evidence),
            f"{p.score:.2f}",
            ", ".join(p.stages),
        )
    console.print(pains)
    if len(m.pain_points) > 10:
        console.print(f"... and {len(m.pain_points) - 10} more (`journeyline maps export`).")


@app.command("diff")
def diff_command(
    runs: list[int] = typer.Argument(
        None,
        help="Two runs (older first), or one run (compared with the run its ids were "
        "matched to). Default: the latest two of the campaign.",
        show_default=False,
    ),
    campaign: str = typer.Option("", help="Campaign whose latest two runs to compare."),
    waves: bool = typer.Option(
        False,
        "--waves",
        help="Compare as two waves (e.g. two --since/--until windows of one campaign): "
        "match ids by frame and meaning, grew/shrank by share. Automatic for runs of "
        "different campaigns or segments.",
    ),
    include_personal_data: bool = typer.Option(
        False, "--include-personal-data", help=PERSONAL_DATA_HELP
    ),
) -> None:
    """What changed between two runs: new, grew, shrank, disappeared.

    Stages and pain points, with the interviews each was heard in before and after, and
    a quote for each change as evidence.
    """
    with runtime() as rt, rt.sessions() as session:
        before_id, after_id = _pair(session, list(runs or []), campaign)
        before, after = _load(session, before_id), _load(session, after_id)
    other_series = (before.info.campaign, before.info.segment) != (
        after.info.campaign,
        after.info.segment,
    )
    if other_series or waves:
        console.print(
            "Compared as waves "
            f"({escape(before.info.campaign)} {escape(before.info.segment or 'all')} -> "
            f"{escape(after.info.campaign)} {escape(after.info.segment or 'all')}): stages "
            "matched by their frame id, pain points by meaning; grew and shrank compare "
            "each wave's share of interviews."
        )
    diff = diff_maps(
        published_map(before.journey_map, include_personal_data=include_personal_data),
        published_map(after.journey_map, include_personal_data=include_personal_data),
        waves=other_series or waves,
    )
    print_diff(before.info, after.info, diff)


@app.command("export")
def export_command(
    run_id: int = typer.Argument(..., help="The run number (see `maps list`)."),
    out: str = typer.Option(..., "--out", help="Folder to write the files into."),
    formats: list[str] = typer.Option(None, "--format", help=FORMATS_HELP),
    include_personal_data: bool = typer.Option(
        False, "--include-personal-data", help=PERSONAL_DATA_HELP
    ),
    as_synthesized: bool = typer.Option(
        False,
        "--as-synthesized",
        help="Write the map as `synthesize` made it, without the reviewers' edits. "
        "Default: the curated map (the console's edits applied).",
    ),
) -> None:
    """Write a stored run's files: the curated map (the reviewers' edits from the console
    applied; with none, exactly what `synthesize` wrote), segment maps and the pages'
    links included; personal data redacted unless --include-personal-data."""
    try:
        chosen = check_formats(formats or None)
        folder = prepare_folder(Path(out)) if out.strip() else None
    except (UnknownFormat, OutputError) as error:
        raise abort(str(error)) from None
    if folder is None:
        raise abort("--out needs a folder name")
    from synthesis.render_pdf import DocumentUnavailable
    from synthesis.segments import SegmentedMaps  # the pipeline: only when writing

    with runtime() as rt:
        with rt.sessions() as session:
            stored = _load(session, run_id)
        overall = stored.journey_map if as_synthesized else _curated(rt, run_id)
        maps = SegmentedMaps(overall=overall, segments=list(stored.segment_maps))
        try:
            paths = write_segmented_outputs(
                maps, folder, chosen, include_personal_data=include_personal_data
            )
        except DocumentUnavailable as error:
            raise abort(str(error)) from None
        # Recorded, so an erasure that retires the run finds these files too.
        with rt.sessions.begin() as session:
            synthesis_store.record_output(
                session, run_id=run_id, folder=folder, files=paths, now=utcnow()
            )
    shown = [str(p) for p in paths if p.parent == folder]
    segments = f" and {count(len(maps.segments), 'segment map')}" if maps.segments else ""
    console.print(f"Wrote run {run_id}: {', '.join(shown)}{segments}")


def _curated(rt: Runtime, run_id: int) -> JourneyMap:
    """The run's map with its series' curation layer applied (personal data as stored:
    the outputs redact it unless asked not to)."""
    from bot.service.review.errors import ReviewError
    from journeyline.console_wiring import make_review_service

    try:
        return make_review_service(sessions=rt.sessions, engine=rt.engine).journey_map(
            run_id, personal=True
        )
    except ReviewError as error:
        raise abort(str(error)) from None


EVIDENCE_LINES = 8


def print_diff(before: RunInfo, after: RunInfo, diff: MapDiff) -> None:
    """The diff as a headline, then a table each for stages and pain points."""
    console.rule(f"Run {before.id} -> run {after.id} · {escape(after.campaign)}")
    console.print(f"Interviews: {diff.before_interviews} -> {diff.after_interviews}")
    console.print(
        f"Stages: {_tally(diff.stages)}. Pain points: {_tally(diff.pain_points)}.", markup=False
    )
    for title, changes in (("Stages", diff.stages), ("Pain points", diff.pain_points)):
        table = Table("change", "id", title.lower()[:-1], "interviews", "share", title=title)
        for change in changes:
            table.add_row(
                f"[{STATUS_STYLE[change.status]}]{LABEL[change.status]}[/]",
                change.id,
                escape(change.name),
                _counts(change),
                _shares(change),
            )
        console.print(table)
    shown = [c for c in [*diff.stages, *diff.pain_points] if c.status != "same" and c.evidence]
    if shown:
        console.print("Evidence (a customer's words for each change):")
    for change in shown[:EVIDENCE_LINES]:
        quote = change.evidence
        assert quote is not None
        words = " ".join(quote.text.split())
        console.print(
            f"  {change.id} {LABEL[change.status]}: “{escape(words[:140])}” "
            f"(interview {escape(quote.interview_id)}, message {quote.message_id})"
        )


def _tally(changes: list[Change]) -> str:
    counted = [(s, sum(c.status == s for c in changes)) for s in ORDER]
    return ", ".join(f"{n} {LABEL[s]}" for s, n in counted if n) or "none"


def _counts(change: Change) -> str:
    before = "-" if change.before is None else str(change.before)
    after = "-" if change.after is None else str(change.after)
    sign = f" ({change.delta:+d})" if change.before is not None and change.after is not None else ""
    return f"{before} -> {after}{sign}"


def _shares(change: Change) -> str:
    before = "-" if change.before_share is None else f"{change.before_share:.0%}"
    after = "-" if change.after_share is None else f"{change.after_share:.0%}"
    return f"{before} -> {after}"


def _pair(session: Session, runs: list[int], campaign: str) -> tuple[int, int]:
    if len(runs) > 2:
        raise abort("give at most two runs: `journeyline maps diff OLDER NEWER`")
    if len(runs) == 2:
        return runs[0], runs[1]
    if len(runs) == 1:
        previous = _load(session, runs[0]).info.previous_run_id
        if previous is None:
            raise abort(f"run {runs[0]} is the first of its series: name two runs to compare")
        return previous, runs[0]
    slug = campaign or _only_campaign(session)
    try:
        ids = latest_run_ids(session, campaign_slug=slug, count=2)
    except SynthesisInputError as error:
        raise abort(str(error)) from None
    if len(ids) < 2:
        raise abort(f"campaign {slug!r} has {len(ids)} stored run(s); a diff needs two")
    return ids[1], ids[0]


def _only_campaign(session: Session) -> str:
    campaigns = sorted({run.campaign for run in list_run_infos(session)})
    if len(campaigns) == 1:
        return campaigns[0]
    if not campaigns:
        raise abort("no stored runs yet: `journeyline synthesize --campaign SLUG --out DIR`")
    raise abort(f"runs of several campaigns are stored ({', '.join(campaigns)}): pass --campaign")


def _load(session: Session, run_id: int) -> StoredRun:
    try:
        return load_run(session, run_id)
    except (RunNotFound, RunUnreadable) as error:
        raise abort(str(error)) from None
