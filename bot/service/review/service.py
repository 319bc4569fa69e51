"""`ReviewService`: the one door of the console's map pages to stored journey maps.

``personal`` on each call says whether the caller may see customers' personal data
(the permission table's ``personal-data:read``); without it every customer text is
masked (``bot.service.review.masking``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.service.review.cache import Lru
from bot.service.review.evidence import CellKind, EvidencePage, Filters, build_page
from bot.service.review.library import CACHED_RUNS, LoadedRun, RunLibrary, Series
from bot.service.review.map_page import MapPage, map_page
from bot.service.review.masking import mask_map
from bot.service.review.transcripts import TranscriptView, transcript_view
from synthesis.model import JourneyMap


class ReviewService:
    """The review workspace over one database; reads go through ``read_sessions``
    (default ``sessions``)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        read_sessions: sessionmaker[Session] | None = None,
    ) -> None:
        self._sessions = sessions
        self._read_sessions = read_sessions or sessions
        self.library = RunLibrary(self._read_sessions)
        self._masked: Lru[int, JourneyMap] = Lru(CACHED_RUNS)

    # ------------------------------------------------------------------ reading maps

    def series(self) -> list[Series]:
        """Every map series (campaign and segment), the most recently synthesized first."""
        return self.library.series()

    def map_page(self, run_id: int, *, personal: bool) -> MapPage:
        run = self.library.run(run_id)
        return map_page(
            run,
            self.library.series_of(run.info),
            self.journey_map(run, personal=personal),
            masked=not personal,
        )

    def journey_map(self, run: LoadedRun, *, personal: bool) -> JourneyMap:
        """The run's map as the caller may see it."""
        if personal:
            return run.journey_map
        return self._masked.get(run.id, lambda: mask_map(run.journey_map))

    def evidence(
        self,
        run_id: int,
        *,
        kind: CellKind,
        item_id: str,
        filters: Filters,
        page: int,
        personal: bool,
        theme: int | None = None,
    ) -> EvidencePage:
        """One page of the steps (or interviews) behind a cell of the map."""
        run = self.library.run(run_id)
        index = self.library.step_index(run)
        with self.library.session() as session:
            return build_page(
                self.journey_map(run, personal=True),
                index,
                session,
                kind=kind,
                item_id=item_id,
                filters=filters,
                page=page,
                new_interviews=run.new_interviews if run.info.previous_run_id else frozenset(),
                masked=not personal,
                theme=theme,
            )

    def transcript(self, run_id: int, interview_id: str, *, personal: bool) -> TranscriptView:
        """The transcript of one of the run's interviews."""
        run = self.library.run(run_id)
        index = self.library.step_index(run)
        with self.library.session() as session:
            return transcript_view(
                session,
                journey_map=self.journey_map(run, personal=True),
                index=index,
                interview_id=interview_id,
                masked=not personal,
            )
