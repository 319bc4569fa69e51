"""`journeyline synthesize`: draft a campaign's journey map, store it as a run (ids
matched to the previous run) and write it in every format."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy.orm import Session, sessionmaker
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from bot.conversation.guide import GuideError
from bot.service.campaign_guides import guide_for
from journeyline.cli.common import abort, console, count, runtime
from journeyline.settings import Settings
from storage import llm_calls as llm_storage
from storage import queries
from storage import synthesis_runs as synthesis_store
from storage.files import OutputError, prepare_folder
from storage.llm_calls import CallRow
from storage.synthesis_inputs import customer_texts
from storage.types import utcnow
from synthesis.analyst import Analyst
from synthesis.formatting import human_minutes, provenance_shares
from synthesis.observations import FINISHED_ONLY, Selection, SynthesisInputError
from synthesis.outputs import (
    DEFAULT_FORMATS,
    FORMATS,
    UnknownFormat,
    check_formats,
    write_segmented_outputs,
)
from synthesis.published import published_map

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.service.review.application import ApplicationView
    from synthesis.embedders import EmbedderConfig
    from synthesis.observations import StepObservation
    from synthesis.runs import SavedRun
    from synthesis.segments import SegmentedMaps

# The keys of synthesis.embedders.EMBEDDERS (tests/test_synthesis_cli.py checks), written
# out so that `journeyline --help` and every other command start without importing
# scikit-learn, SciPy and NumPy (1.5 s); the pipeline imports them when it runs.
EMBEDDER_NAMES = ("openai", "sentence-transformers", "tfidf")

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
FORMAT_HELP = (
    f"Output format, repeatable or comma-separated: {', '.join(FORMATS)} (default: "
    f"{', '.join(DEFAULT_FORMATS)})."
)
PERSONAL_DATA_HELP = (
    "Write customers' emails, phone numbers, card numbers, IBANs and the names they gave "
    "as they said them. Default: replaced by [email], [phone], [card], [iban], [name]."
)


@dataclass(frozen=True)
class Written:
    maps: SegmentedMaps
    out: Path
    paths: list[Path]
    saved: SavedRun | None = None
    include_personal_data: bool = False
    # The series' curation layer re-applied to the new run.
    reapplied: ApplicationView | None = None


def synthesize_command(
    campaign: str = typer.Option(..., "--campaign", help="Campaign slug."),
    out: str = typer.Option(..., "--out", help="Folder to write the map into."),
    formats: list[str] | None = typer.Option(
        None,
        "--format",
        help=FORMAT_HELP,
    ),
    segment: str | None = typer.Option(
        None,
        "--segment",
        help="Synthesise only participants with this attribute, KEY=VALUE (its own stages).",
    ),
    segment_by: str | None = typer.Option(
        None,
        "--segment-by",
        help="Also write one map per value of this participant attribute (on the campaign's "
        "stages) into OUT/segments/KEY=VALUE/, and compare them in the main map.",
    ),
    embedder: str = typer.Option(
        "tfidf",
        "--embedder",
        help=f"Embedder: {', '.join(EMBEDDER_NAMES)} (tfidf works offline; the others "
        "need an extra and JOURNEYLINE_* settings).",
    ),
    stages: int | None = typer.Option(
        None,
        "--stages",
        min=1,
        help="Discover this many stages by clustering instead of using the guide's stage frame.",
    ),
    discover: bool = typer.Option(
        False,
        "--discover",
        help="Discover stages by clustering the steps (number chosen automatically) instead "
        "of placing them in the stage frame of the campaign's guide.",
    ),
    include_partial: bool = typer.Option(
        False,
        "--include-partial",
        help="Also use unfinished interviews (default: finished ones only); the map says so.",
    ),
    exclude_inferred: bool = typer.Option(
        False,
        "--exclude-inferred",
        help="Leave out step facts the bot read from a story without showing them to the "
        "customer (provenance 'inferred'): a map of what customers said or confirmed.",
    ),
    since: datetime | None = typer.Option(
        None,
        "--since",
        formats=DATE_FORMATS,
        help="Only interviews started on or after this date/time (UTC), e.g. 2026-10-01.",
    ),
    until: datetime | None = typer.Option(
        None,
        "--until",
        formats=DATE_FORMATS,
        help="Only interviews started before this date/time (UTC), e.g. 2027-01-01.",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed; same data and seed give the same map."),
    analyst: bool = typer.Option(
        True,
        "--analyst/--no-analyst",
        help="Let the language model (when JOURNEYLINE_LLM_API_KEY is set) name and "
        "summarise stages and pain points.",
    ),
    include_personal_data: bool = typer.Option(
        False, "--include-personal-data", help=PERSONAL_DATA_HELP
    ),
) -> None:
    """Draft a journey map and ranked pain points from a campaign's interviews."""
    from synthesis.embedders import EmbedderError, UnknownEmbedder
    from synthesis.segments import TooManySegments

    if since is not None and until is not None and until <= since:
        raise abort("--until must be later than --since")
    selection = Selection(
        include_partial=include_partial,
        since=since,
        until=until,
        exclude_inferred=exclude_inferred,
    )
    chosen: tuple[str, str] | None = None
    if segment is not None:
        key, sep, value = segment.partition("=")
        if not sep or not key:
            raise abort(f"--segment must be KEY=VALUE, not {segment!r}")
        chosen = (key, value)
    if segment_by is not None and not segment_by.strip():
        raise abort("--segment-by needs an attribute name, e.g. --segment-by plan")
    try:
        wanted = check_formats(_split(formats))
    except UnknownFormat as error:
        raise abort(str(error)) from None
    # Checked before anything runs or is stored: a run stored and then not written
    # would be a run nobody asked for.
    try:
        folder = prepare_folder(Path(out)) if out.strip() else None
    except OutputError as error:
        raise abort(f"--out: {error}") from None
    if folder is None:
        raise abort("--out needs a folder name, e.g. --out q3-map")
    with runtime() as rt:
        namer = _analyst(rt.settings, rt.sessions, campaign) if analyst else None
        try:
            written = synthesize_to(
                rt.sessions,
                campaign=campaign,
                out=folder,
                formats=wanted,
                segment=chosen,
                segment_by=segment_by.strip() if segment_by else None,
                embedder=embedder,
                stages=stages,
                discover=discover,
                selection=selection,
                seed=seed,
                embedder_config=rt.settings.embedder_config(),
                analyst=namer,
                include_personal_data=include_personal_data,
            )
        except (SynthesisInputError, UnknownEmbedder, EmbedderError, TooManySegments) as error:
            raise abort(str(error)) from None
    print_written(written)


def _analyst(settings: Settings, sessions: sessionmaker[Session], campaign: str) -> Analyst | None:
    """The configured analyst for the campaign, or None without a language model."""
    if not settings.llm_enabled:
        return None
    from journeyline.llm_wiring import make_analyst  # the model packages only when used

    with sessions() as session:
        stored = queries.get_campaign_by_slug(session, campaign)
        company = campaign if stored is None else stored.name
        if stored is not None:
            with contextlib.suppress(GuideError):  # imported campaigns may hold no guide
                company = guide_for(stored).company
    return make_analyst(settings, company=company)


def _split(formats: list[str] | None) -> list[str] | None:
    if not formats:
        return None
    return [part for f in formats for part in f.split(",") if part.strip()]


def synthesize_to(
    sessions: sessionmaker[Session],
    *,
    campaign: str,
    out: Path,
    formats: list[str] | None = None,
    segment: tuple[str, str] | None = None,
    segment_by: str | None = None,
    embedder: str = "tfidf",
    embedder_config: EmbedderConfig | None = None,
    stages: int | None = None,
    discover: bool = False,
    selection: Selection = FINISHED_ONLY,
    seed: int = 0,
    analyst: Analyst | None = None,
    include_personal_data: bool = False,
) -> Written:
    """Run the pipeline, store the map as the next run of its series (stage and
    pain-point ids matched to the previous run first, so segments, the comparison and the
    files all use the stored ids) and write ``formats`` (default: all) into ``out``, with
    one progress bar over the pipeline's steps, the segments and the files.

    One native thread: on a shared machine BLAS and OpenMP threads that spin for each
    other make k-means and SVD much slower, and the matrices
    are small enough for one core. With an ``analyst`` (a language model) steps are
    placed in the stage frame with its advice, the whole map's stages and pain points get
    names and summaries, and its calls are recorded with the run.

    The run is stored as the pipeline made it; the files (and :func:`print_written`) show
    it published: personal data redacted unless ``include_personal_data``.
    """
    from synthesis.pipeline import PIPELINE_STEPS, analyse, map_of
    from synthesis.runs import match_series, save_run
    from synthesis.segments import SegmentedMaps, segment_rows, split_by

    chosen = check_formats(formats)
    prepare_folder(out)  # OutputError before any work is done or stored
    started = time.perf_counter()
    with (
        threadpool_limits(limits=1),
        Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("Synthesising", total=len(PIPELINE_STEPS) + len(chosen))

        def advance(what: str) -> None:
            progress.update(task, advance=1, description=f"Done: {escape(what)}")

        with sessions() as session:
            analysis = analyse(
                session,
                campaign_slug=campaign,
                embedder=embedder,
                embedder_config=embedder_config,
                stages=stages,
                discover=discover,
                selection=selection,
                seed=seed,
                segment=segment,
                on_step=advance,
                placer=None if analyst is None else analyst.place_steps,
            )
            series = match_series(session, map_of(analysis))
        analysis = analysis.with_ids(series.journey_map)
        if segment_by is None:
            maps = SegmentedMaps(overall=map_of(analysis), segments=[])
        else:
            count = len(segment_rows(analysis, segment_by))
            progress.update(task, total=len(PIPELINE_STEPS) + count + (1 + count) * len(chosen))
            maps = split_by(analysis, segment_by, on_segment=lambda v: advance(f"segment {v}"))
        advance(PIPELINE_STEPS[-1])
        calls: list[CallRow] = []
        if analyst is not None:
            progress.update(task, description="Naming stages and pain points (language model)")
            with sessions() as session:
                texts = customer_texts(session, interview_ids=maps.overall.interview_ids)
            analysed = analyst.analyse(maps.overall, customer_texts=texts)
            maps, calls = replace(maps, overall=analysed.journey_map), analysed.calls
        with sessions.begin() as session:
            saved = save_run(
                session,
                maps.overall,
                matched=series,
                elapsed_seconds=round(time.perf_counter() - started, 3),
                segment_maps=maps.segments,
            )
            llm_storage.record_calls(session, calls=calls, run_id=str(saved.id))
        reapplied = reapply_layer(sessions, saved.id, observations=analysis.observations)
        paths = write_segmented_outputs(
            maps,
            out,
            chosen,
            on_format=lambda f: advance(f),
            include_personal_data=include_personal_data,
        )
        with sessions.begin() as session:
            synthesis_store.record_output(
                session, run_id=saved.id, folder=out, files=paths, now=utcnow()
            )
    return Written(
        maps=maps,
        out=out,
        paths=paths,
        saved=saved,
        include_personal_data=include_personal_data,
        reapplied=reapplied,
    )


def reapply_layer(
    sessions: sessionmaker[Session],
    run_id: int,
    *,
    observations: Sequence[StepObservation] | None = None,
) -> ApplicationView:
    """Apply the series' curation layer (the reviewers' edits in the console) to the new
    run and store what held, what no longer holds and where the new evidence landed;
    ``observations`` are the run's steps as synthesis just read them (not read again)."""
    from bot.service.review.service import ReviewService

    return ReviewService(sessions).reapply(run_id, observations=observations)


def print_written(written: Written, *, files: bool = True) -> None:
    """A short summary of the map: stages, top pain points, metrics, saturation, segment
    differences, and where the files are. Customer words are printed as text, never as
    console markup, and published as the files are (personal data redacted unless the
    run was written with it)."""
    m = published_map(written.maps.overall, include_personal_data=written.include_personal_data)
    which = "finished " if m.interviews_included == "completed" else ""
    if m.partial_interviews:
        which = f"(including {m.partial_interviews} unfinished) "
    window = "".join(
        [f" from {m.since[:10]}" if m.since else "", f" before {m.until[:10]}" if m.until else ""]
    )
    frame = "the guide's stage frame" if any(s.frame_stage for s in m.stages) else "discovered"
    console.print(
        f"[bold green]Journey map[/] of {m.interview_count} {which}"
        f"{'interview' if m.interview_count == 1 else 'interviews'}{window} "
        f"({count(m.step_count, 'step')}): {count(len(m.stages), 'stage')} ({frame}), "
        f"{count(len(m.pain_points), 'pain point')}, "
        f"{count(len(m.opportunities), 'opportunity', 'opportunities')}."
    )
    for number, stage in enumerate(m.stages, start=1):
        feeling = "-" if stage.feeling.mean is None else f"{stage.feeling.mean:.1f}/5"
        channel = stage.channel_mix[0].value if stage.channel_mix else "-"
        label = f"{number}." if stage.frame_stage else stage.id
        loops = f", came back in {stage.comebacks}" if stage.comebacks else ""
        console.print(
            f"  {label} {escape(stage.name)}: {stage.interview_share:.0%} of interviews, "
            f"feeling {feeling}, mostly {escape(channel)}{loops}"
        )
    for emerging in m.emerging_stages:
        console.print(
            f"  emerging stage {emerging.id} (for review): {escape(emerging.name)} "
            f"({count(emerging.interviews, 'interview')})"
        )
    for point in m.pain_points[:3]:
        console.print(
            f"  pain {point.rank}: {escape(point.label)} ({count(point.interviews, 'interview')}, "
            f"{point.interview_share:.0%})"
        )
    if m.metrics is not None:
        x = m.metrics
        rate = "-" if x.resolution.rate is None else f"{x.resolution.rate:.0%}"
        effort = "-" if x.effort.mean is None else f"{x.effort.mean:.1f}/7"
        minutes = human_minutes(x.total_minutes.median)
        console.print(
            f"  metrics: {x.steps_per_journey.mean or 0:.1f} steps per journey, median total "
            f"time {minutes}, {x.channel_switches.share_of_journeys:.0%} switched channel, "
            f"{x.transfers.share_of_journeys:.0%} transferred, resolved {rate}, effort {effort}"
        )
        counts = x.facts_by_provenance
        if counts:
            console.print(f"  step facts: {provenance_shares(counts)}")
    for opportunity in m.opportunities[:3]:
        console.print(
            f"  opportunity {opportunity.id}: {escape(opportunity.label)} "
            f"({count(opportunity.interviews, 'interview')}"
            + (
                f"; addresses {', '.join(opportunity.pain_points)})"
                if opportunity.pain_points
                else ")"
            )
        )
    if m.channel_paths:
        top = m.channel_paths[0]
        path = " -> ".join(top.path) or "no contact"
        console.print(f"  most common path: {escape(path)} ({top.share:.0%} of journeys)")
    if m.saturation is not None:
        console.print(f"  saturation: {escape(m.saturation.statement)}")
    if m.comparison is not None:
        c = m.comparison
        sizes = ", ".join(f"{escape(v.value)} {v.interviews}" for v in c.values)
        console.print(f"  segments by {escape(c.key)}: {sizes}")
        for difference in c.differences[:3]:
            console.print(f"    {escape(difference.text)}")
    if m.summary:
        console.print(f"  summary: {escape(m.summary)}")
    if m.analysis is not None:
        a = m.analysis
        console.print(
            f"  named by {escape(a.model)} ({a.calls} calls, {a.failed_calls} failed, "
            f"${a.cost_usd:.4f}; {a.dropped_quotes} cited quotes not in any transcript dropped)"
        )
    if written.saved is not None:
        print_saved(written.saved)
    if written.reapplied is not None:
        print_reapplied(written.reapplied)
    if files:
        names = sorted({p.name for p in written.paths if p.parent == written.out})
        console.print(f"Wrote {written.out}/ ({', '.join(names)})")
        if written.maps.segments:
            console.print(
                f"  and {len(written.maps.segments)} segment maps under {written.out / 'segments'}/"
            )


def print_saved(saved: SavedRun) -> None:
    """One line on the stored run and how its ids relate to the previous run's."""
    match = saved.match
    if saved.previous_run_id is None:
        console.print(f"  stored as run {saved.id} (the first of its series)")
        return
    fresh = [*match.fresh_stages, *match.fresh_pain_points]
    console.print(
        f"  stored as run {saved.id}; ids matched to run {saved.previous_run_id}: "
        f"{len(match.kept_stages)} stages and {len(match.kept_pain_points)} pain points kept"
        + (f", new: {', '.join(fresh)}" if fresh else ", nothing new")
        + f" (`journeyline maps diff {saved.previous_run_id} {saved.id}`)"
    )


def print_reapplied(application: ApplicationView) -> None:
    """What re-applying the reviewers' edits to the new run gave (nothing when there are
    none yet)."""
    if application.layer_version == 0:
        return
    report = application.report
    landed = report.get("new_evidence", [])
    stages = sum(1 for e in landed if e["kind"] == "stage")
    pains = sum(1 for e in landed if e["kind"] == "pain")
    console.print(
        f"  reviewers' edits (layer version {application.layer_version}) re-applied: "
        f"{application.held} hold, {application.broken} no longer hold"
        + (f"; new evidence in {stages} stages and {pains} pain points" if landed else "")
        + f" (console: /app/maps/{application.run_id})"
    )
    for broken in report.get("no_longer_holds", [])[:5]:
        console.print(
            f"    no longer holds: edit {broken['edit_id']} ({escape(broken['edit'])}): "
            f"{escape(broken['why'])}"
        )
