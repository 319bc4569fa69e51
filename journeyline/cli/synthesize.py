"""`journeyline synthesize`: draft a campaign's journey map, store it as a run (ids
matched to the previous run) and write map.json and map.md."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy.orm import Session, sessionmaker
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from journeyline.cli.common import abort, console, runtime
from synthesis.embedders import UnknownEmbedder
from synthesis.model import JourneyMap
from synthesis.observations import SynthesisInputError
from synthesis.pipeline import PIPELINE_STEPS, synthesize
from synthesis.render_json import render_json
from synthesis.render_markdown import render_markdown
from synthesis.runs import SavedRun, save_run


def synthesize_command(
    campaign: str = typer.Option(..., "--campaign", help="Campaign slug."),
    out: Path = typer.Option(..., "--out", help="Folder for map.json and map.md."),
    segment: str | None = typer.Option(
        None, "--segment", help="Only participants with this attribute, KEY=VALUE."
    ),
    embedder: str = typer.Option("tfidf", "--embedder", help="Embedder name (offline: tfidf)."),
    stages: int | None = typer.Option(
        None, "--stages", min=1, help="Number of stages (default: chosen automatically)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed; same data and seed give the same map."),
) -> None:
    """Draft a journey map and ranked pain points from a campaign's interviews."""
    chosen: tuple[str, str] | None = None
    if segment is not None:
        key, sep, value = segment.partition("=")
        if not sep or not key:
            raise abort(f"--segment must be KEY=VALUE, not {segment!r}")
        chosen = (key, value)
    with runtime() as rt:
        started = time.perf_counter()
        try:
            journey_map = build_map(
                rt.sessions,
                campaign=campaign,
                segment=chosen,
                embedder=embedder,
                stages=stages,
                seed=seed,
            )
        except (SynthesisInputError, UnknownEmbedder) as error:
            raise abort(str(error)) from None
        with rt.sessions.begin() as session:
            saved = save_run(
                session, journey_map, elapsed_seconds=round(time.perf_counter() - started, 3)
            )
    write_map(saved.journey_map, out)
    print_saved(saved)


def print_saved(saved: SavedRun) -> None:
    """One line on the stored run and how its ids relate to the previous run's."""
    match = saved.match
    if saved.previous_run_id is None:
        console.print(f"Stored as run {saved.id} (the first of its series).")
        return
    fresh = [*match.fresh_stages, *match.fresh_pain_points]
    console.print(
        f"Stored as run {saved.id}; ids matched to run {saved.previous_run_id}: "
        f"{len(match.kept_stages)} stages and {len(match.kept_pain_points)} pain points kept"
        + (f", new: {', '.join(fresh)}" if fresh else ", nothing new")
        + f". See `journeyline maps diff {saved.previous_run_id} {saved.id}`."
    )


def build_map(
    sessions: sessionmaker[Session],
    *,
    campaign: str,
    segment: tuple[str, str] | None = None,
    embedder: str = "tfidf",
    stages: int | None = None,
    seed: int = 0,
) -> JourneyMap:
    """Run the pipeline with a progress bar over its steps, on one native thread.

    One thread, because on a shared machine BLAS and OpenMP threads that spin for each
    other make k-means and SVD several times slower (bench/RESULTS.md: 25 s vs 4 s for the
    stages of 1,000 interviews under load); the matrices are small enough that one core
    does them in seconds.
    """
    with (
        threadpool_limits(limits=1),
        Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        ) as progress,
        sessions() as session,
    ):
        task = progress.add_task("Synthesising", total=len(PIPELINE_STEPS))
        return synthesize(
            session,
            campaign_slug=campaign,
            embedder=embedder,
            stages=stages,
            seed=seed,
            segment=segment,
            on_step=lambda name: progress.update(task, advance=1, description=f"Done: {name}"),
        )


def write_map(journey_map: JourneyMap, out: Path) -> None:
    """Write map.json and map.md into ``out`` and print a short summary."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "map.json").write_text(render_json(journey_map), encoding="utf-8")
    (out / "map.md").write_text(render_markdown(journey_map), encoding="utf-8")
    console.print(
        f"[bold green]Journey map[/] of {journey_map.interview_count} interviews "
        f"({journey_map.step_count} steps): {len(journey_map.stages)} stages, "
        f"{len(journey_map.pain_points)} pain points."
    )
    for stage in journey_map.stages:
        feeling = "-" if stage.feeling.mean is None else f"{stage.feeling.mean:.1f}/5"
        console.print(
            f"  {stage.id} {stage.name}: {stage.interview_share:.0%} of interviews, "
            f"feeling {feeling}"
        )
    for point in journey_map.pain_points[:3]:
        console.print(f"  pain {point.rank}: {point.label} ({point.interviews} interviews)")
    console.print(f"Wrote {out / 'map.json'} and {out / 'map.md'}")
