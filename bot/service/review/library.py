"""Stored maps as the review pages read them: series of runs, one run's map, the facts of
its steps, and which of its interviews are new since the previous run of its series.

Runs are written once and never changed, so what is read of them is cached (a few runs,
least recently used first out): a map of ten thousand interviews is parsed once, not on
every click. The one change a run sees is its retirement by an erasure (in any process):
each read asks the database whether the run is still there (a primary-key lookup), so a
retired run's cached map, which quotes the erased person, is never shown again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.service.review.cache import Lru
from bot.service.review.errors import MapNotFound, MapUnreadable
from storage import synthesis_runs as run_store
from synthesis.model import JourneyMap
from synthesis.runs import RunInfo, RunNotFound, RunUnreadable, list_run_infos, load_run
from synthesis.step_index import StepIndex, load_step_index

CACHED_RUNS = 4


@dataclass(frozen=True)
class LoadedRun:
    """A stored run, its map as synthesized, and the interviews new since the run before
    it in its series (all of them for a series' first run)."""

    info: RunInfo
    journey_map: JourneyMap
    new_interviews: frozenset[str]

    @property
    def id(self) -> int:
        return self.info.id


@dataclass(frozen=True)
class Series:
    """Runs of one campaign and segment, newest first."""

    campaign: str
    campaign_name: str
    segment: str
    runs: tuple[RunInfo, ...]

    @property
    def latest(self) -> RunInfo:
        return self.runs[0]

    @property
    def updated_at(self) -> datetime:
        return self.latest.created_at


class RunLibrary:
    """Reads runs through ``read_sessions`` (no write lock is taken)."""

    def __init__(self, read_sessions: sessionmaker[Session], *, cached_runs: int = CACHED_RUNS):
        self._sessions = read_sessions
        self._runs: Lru[int, LoadedRun] = Lru(cached_runs)
        self._indexes: Lru[int, StepIndex] = Lru(cached_runs)

    def series(self) -> list[Series]:
        """Every series, the most recently synthesized first."""
        with self._sessions() as session:
            infos = list_run_infos(session)
        grouped: dict[tuple[str, str], list[RunInfo]] = {}
        for info in infos:  # newest first, so each group is too
            grouped.setdefault((info.campaign, info.segment), []).append(info)
        found = [
            Series(
                campaign=campaign,
                campaign_name=runs[0].campaign_name,
                segment=segment,
                runs=tuple(runs),
            )
            for (campaign, segment), runs in grouped.items()
        ]
        return sorted(found, key=lambda s: (-s.latest.id,))

    def series_of(self, info: RunInfo) -> Series:
        """The series ``info`` belongs to."""
        with self._sessions() as session:
            infos = list_run_infos(session, campaign_slug=info.campaign)
        runs = tuple(i for i in infos if i.segment == info.segment)
        return Series(info.campaign, info.campaign_name, info.segment, runs)

    def run(self, run_id: int) -> LoadedRun:
        """Run ``run_id`` (:class:`MapNotFound`, :class:`MapUnreadable`)."""
        with self._sessions() as session:
            live = run_store.run_is_live(session, run_id)
        if not live:
            self._runs.discard(run_id)
            self._indexes.discard(run_id)
            raise MapNotFound(run_id)
        return self._runs.get(run_id, lambda: self._load(run_id))

    def step_index(self, run: LoadedRun) -> StepIndex:
        """The facts of the run's steps, as the run read them."""

        def load() -> StepIndex:
            with self._sessions() as session:
                return load_step_index(
                    session,
                    campaign_slug=run.info.campaign,
                    interview_ids=run.journey_map.interview_ids,
                    exclude_inferred=run.journey_map.facts_included == "said_or_confirmed",
                )

        return self._indexes.get(run.id, load)

    def prime(self, run_id: int, index: StepIndex) -> None:
        """Use ``index`` as run ``run_id``'s step facts (synthesis just read them)."""
        self._indexes.get(run_id, lambda: index)

    def session(self) -> Session:
        """A read session, for the few texts a page shows."""
        return self._sessions()

    def _load(self, run_id: int) -> LoadedRun:
        with self._sessions() as session:
            try:
                stored = load_run(session, run_id)
            except RunNotFound:
                raise MapNotFound(run_id) from None
            except RunUnreadable as error:
                raise MapUnreadable(str(error)) from None
            before: list[str] = []
            if stored.info.previous_run_id is not None:
                before = run_store.run_interview_ids(session, stored.info.previous_run_id) or []
        new = frozenset(stored.journey_map.interview_ids) - frozenset(before)
        return LoadedRun(info=stored.info, journey_map=stored.journey_map, new_interviews=new)
