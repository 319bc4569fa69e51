"""Stored synthesis runs: save a finished map with stable ids, load it back.

A run belongs to a series: the same campaign and segment. Saving matches the new map to
the series' latest run (see :mod:`synthesis.id_matching`) before it is stored, so the ids in
the stored map, in every file written from it and in ``maps diff`` agree.

This is the one place synthesis writes to storage: the run is the pipeline's last stage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from storage import queries
from storage import synthesis_runs as store
from storage.models import SynthesisRun
from synthesis.id_matching import IdMatch, stabilise_ids
from synthesis.model import JourneyMap
from synthesis.observations import SynthesisInputError


@dataclass(frozen=True)
class RunInfo:
    """A stored run without its map: what ``maps list`` shows."""

    id: int
    campaign: str
    segment: str
    created_at: datetime
    previous_run_id: int | None
    code_version: str
    schema_version: str
    parameters: Mapping[str, Any]
    interview_count: int
    step_count: int
    stage_count: int
    pain_point_count: int
    elapsed_seconds: float | None
    campaign_name: str = ""


@dataclass(frozen=True)
class StoredRun:
    info: RunInfo
    journey_map: JourneyMap
    # The run's maps per segment value (``--segment-by``), as they were written.
    segment_maps: tuple[JourneyMap, ...] = ()


@dataclass(frozen=True)
class SavedRun:
    """A run just stored: its id, the map as stored (stable ids) and how ids were chosen."""

    id: int
    previous_run_id: int | None
    journey_map: JourneyMap
    match: IdMatch


class RunNotFound(LookupError):
    """No stored run with this id (or none for this campaign)."""


class RunRetired(RunNotFound):
    """The run was retired by an erasure: its map is gone."""


class RunUnreadable(ValueError):
    """A stored map this version cannot read (stored by another map schema version)."""


def code_version() -> str:
    """The installed journeyline version (``unknown`` when run from an unpacked tree)."""
    try:
        return version("journeyline")
    except PackageNotFoundError:
        return "unknown"


def segment_key(segment: Mapping[str, str] | None) -> str:
    """The series key of a segment: ``"key=value"`` (several joined by ``,``), or ``""``."""
    return ",".join(f"{k}={v}" for k, v in sorted((segment or {}).items()))


@dataclass(frozen=True)
class SeriesMatch:
    """A map with its ids matched to the latest stored run of its series (same campaign
    and segment), and what saving it needs: the series' id counters and its last run."""

    journey_map: JourneyMap
    next_ids: dict[str, int]
    match: IdMatch
    previous_run_id: int | None


def match_series(session: Session, journey_map: JourneyMap) -> SeriesMatch:
    """Match ``journey_map``'s stage and pain-point ids to its series' latest run (reads
    only). Raises :class:`SynthesisInputError` for an unknown campaign."""
    campaign = queries.get_campaign_by_slug(session, journey_map.campaign)
    if campaign is None:
        raise SynthesisInputError(f"no campaign with slug {journey_map.campaign!r}")
    segment = segment_key(journey_map.segment)
    latest = store.latest_runs(session, campaign_id=campaign.id, segment=segment, count=1)
    previous = latest[0] if latest else None
    previous_map = None
    if previous is not None and previous.retired_at is None:
        try:
            previous_map = _map_of(previous)
        except RunUnreadable:
            # Nothing to match against (as for a run an erasure retired): every id is
            # fresh, but the series' counters go on, so no id of it is handed out again.
            previous_map = None
    stable, next_ids, match = stabilise_ids(
        journey_map,
        previous=previous_map,
        next_ids=previous.next_ids if previous else None,
    )
    return SeriesMatch(stable, next_ids, match, previous.id if previous else None)


def save_run(
    session: Session,
    journey_map: JourneyMap,
    *,
    matched: SeriesMatch | None = None,
    elapsed_seconds: float | None = None,
    parameters: Mapping[str, Any] | None = None,
    segment_maps: Sequence[JourneyMap] = (),
) -> SavedRun:
    """Store ``journey_map`` as the next run of its series (flushed, not committed).

    Without ``matched`` its ids are matched to the series' latest run first; with it (from
    :func:`match_series`, when the map was rebuilt under the matched ids, e.g. to compute
    segments with them) ``journey_map`` is stored as it is. ``parameters`` add to those
    the map records (embedder, seed, requested stages, segment). ``segment_maps`` (a
    ``--segment-by`` run's maps per value) are stored with it, so the run's files can
    be written again exactly. Raises :class:`SynthesisInputError` for an unknown
    campaign."""
    campaign = queries.get_campaign_by_slug(session, journey_map.campaign)
    if campaign is None:
        raise SynthesisInputError(f"no campaign with slug {journey_map.campaign!r}")
    if matched is None:
        matched = match_series(session, journey_map)
        journey_map = matched.journey_map
    stable = journey_map
    data = stable.model_dump(mode="json")
    pain_points = data.pop("pain_points")
    run = store.add_run(
        session,
        campaign=campaign,
        segment=segment_key(stable.segment),
        previous_run_id=matched.previous_run_id,
        code_version=code_version(),
        schema_version=stable.schema_version,
        parameters={
            "embedder": stable.embedder,
            "seed": stable.seed,
            "stages": stable.stages_requested,
            "segment": dict(stable.segment) if stable.segment else None,
            **(parameters or {}),
        },
        interview_ids=stable.interview_ids,
        step_count=stable.step_count,
        stage_count=len(stable.stages),
        next_ids=matched.next_ids,
        journey_map=data,
        pain_points=pain_points,
        elapsed_seconds=elapsed_seconds,
        segment_maps=[m.model_dump(mode="json") for m in segment_maps] or None,
    )
    return SavedRun(run.id, run.previous_run_id, stable, matched.match)


def load_run(session: Session, run_id: int) -> StoredRun:
    """The stored run and its map; raises :class:`RunNotFound` or :class:`RunUnreadable`."""
    run = store.get_run(session, run_id)
    if run is None:
        raise RunNotFound(f"no synthesis run {run_id} (see `journeyline maps list`)")
    if run.retired_at is not None:
        raise RunRetired(
            f"run {run_id} was retired on {run.retired_at:%Y-%m-%d} by erasure "
            f"{run.retired_by}: it quoted someone whose data was erased, so its map was "
            "removed. Run `journeyline synthesize` again for a map without them."
        )
    segments = tuple(_segment_map(run, data) for data in run.segment_maps or ())
    return StoredRun(_info(run), _map_of(run), segments)


def latest_run_ids(
    session: Session, *, campaign_slug: str, segment: str | None = None, count: int = 2
) -> list[int]:
    """Ids of the campaign's newest ``count`` runs, newest first; ``segment`` (a
    :func:`segment_key`) keeps one series, ``None`` takes the series of the newest run."""
    campaign = queries.get_campaign_by_slug(session, campaign_slug)
    if campaign is None:
        raise SynthesisInputError(f"no campaign with slug {campaign_slug!r}")
    if segment is None:
        newest = store.list_runs(session, campaign_slug=campaign_slug, limit=1)
        if not newest:
            return []
        segment = newest[0].segment
    runs = store.latest_runs(session, campaign_id=campaign.id, segment=segment, count=count)
    return [run.id for run in runs]


def list_run_infos(
    session: Session, *, campaign_slug: str | None = None, limit: int | None = None
) -> list[RunInfo]:
    """Stored runs newest first, without their maps."""
    runs = store.list_runs(session, campaign_slug=campaign_slug, limit=limit)
    return [_info(run) for run in runs]


def _map_of(run: SynthesisRun) -> JourneyMap:
    try:
        return JourneyMap.model_validate({**run.journey_map, "pain_points": run.pain_points})
    except ValidationError as error:
        raise RunUnreadable(
            f"run {run.id} was stored with map schema {run.schema_version} by journeyline "
            f"{run.code_version}; this version cannot read it ({error.error_count()} problems)"
        ) from None


def _segment_map(run: SynthesisRun, data: Mapping[str, Any]) -> JourneyMap:
    try:
        return JourneyMap.model_validate(data)
    except ValidationError as error:
        raise RunUnreadable(
            f"a segment map of run {run.id} cannot be read by this version "
            f"({error.error_count()} problems)"
        ) from None


def _info(run: SynthesisRun) -> RunInfo:
    return RunInfo(
        id=run.id,
        campaign=run.campaign.slug,
        segment=run.segment,
        created_at=run.created_at,
        previous_run_id=run.previous_run_id,
        code_version=run.code_version,
        schema_version=run.schema_version,
        parameters=dict(run.parameters),
        interview_count=run.interview_count,
        step_count=run.step_count,
        stage_count=run.stage_count,
        pain_point_count=run.pain_point_count,
        elapsed_seconds=run.elapsed_seconds,
        campaign_name=run.campaign.name,
    )
