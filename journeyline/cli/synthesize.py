"""`journeyline synthesize`: draft a campaign's journey map into map.json and map.md."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy.orm import Session, sessionmaker

from journeyline.cli.common import abort, console, runtime
from synthesis.embedders import EMBEDDERS, EmbedderConfig, EmbedderError, UnknownEmbedder
from synthesis.model import JourneyMap
from synthesis.observations import SynthesisInputError
from synthesis.pipeline import PIPELINE_STEPS, synthesize
from synthesis.render_json import render_json
from synthesis.render_markdown import render_markdown


def synthesize_command(
    campaign: str = typer.Option(..., "--campaign", help="Campaign slug."),
    out: Path = typer.Option(..., "--out", help="Folder for map.json and map.md."),
    segment: str | None = typer.Option(
        None, "--segment", help="Only participants with this attribute, KEY=VALUE."
    ),
    embedder: str = typer.Option(
        "tfidf",
        "--embedder",
        help=f"Embedder: {', '.join(sorted(EMBEDDERS))} (tfidf works offline; the others "
        "need an extra and JOURNEYLINE_* settings).",
    ),
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
        try:
            journey_map = build_map(
                rt.sessions,
                campaign=campaign,
                segment=chosen,
                embedder=embedder,
                stages=stages,
                seed=seed,
                embedder_config=rt.settings.embedder_config(),
            )
        except (SynthesisInputError, UnknownEmbedder, EmbedderError) as error:
            raise abort(str(error)) from None
    write_map(journey_map, out)


def build_map(
    sessions: sessionmaker[Session],
    *,
    campaign: str,
    segment: tuple[str, str] | None = None,
    embedder: str = "tfidf",
    stages: int | None = None,
    seed: int = 0,
    embedder_config: EmbedderConfig | None = None,
) -> JourneyMap:
    """Run the pipeline with a progress bar over its steps."""
    with (
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
            embedder_config=embedder_config,
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
