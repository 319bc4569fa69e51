"""`ReviewService`: the one door of the console's map pages to stored journey maps and
their curation.

``personal`` on each read says whether the caller may see customers' personal data
(the permission table's ``personal-data:read``); without it every customer text is
masked (``bot.service.review.masking``). Edits and undos carry the layer version the
page showed (``expected``): a change made since raises :class:`EditConflict` and stores
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.service.review.application import ApplicationView, application_report, cell_names
from bot.service.review.diff_page import DiffPage, diff_page
from bot.service.review.errors import EditConflict, EditRefused
from bot.service.review.evidence import CellKind, EvidencePage, Filters, build_page
from bot.service.review.layer import Editor, EditView, Layers, LayerView
from bot.service.review.library import LoadedRun, RunLibrary, Series
from bot.service.review.map_page import MapPage, ReviewState, map_page, review_state
from bot.service.review.reviewed import Curator, Reviewed
from bot.service.review.transcripts import TranscriptView, transcript_view
from bot.service.review.words import describe
from storage import approvals as approval_store
from storage import review as store
from storage.types import utcnow
from synthesis.curation.apply import edit_outcomes
from synthesis.curation.edits import Edit, InvalidEdit, check_shape, step_key
from synthesis.model import JourneyMap
from synthesis.observations import StepObservation
from synthesis.runs import RunInfo
from synthesis.step_index import index_of


@dataclass(frozen=True)
class CellPage:
    """One stage, pain point, opportunity or emerging stage, with what reviewers can do
    to it and what they did."""

    info_id: int
    kind: str
    item: Any
    title: str
    review: ReviewState
    stages: list[tuple[str, str]]
    pains: list[tuple[str, str]]
    masked: bool
    rejected: bool
    latest_run_id: int


@dataclass(frozen=True)
class Controls:
    """What a page's review forms need: the layer version to send back, whether this
    run takes edits (the series' latest does), and the stages to move a step to."""

    version: int
    editable: bool
    latest_run_id: int
    stages: list[tuple[str, str]]
    pinned: dict[tuple[str, str], int]


@dataclass(frozen=True)
class HistoryPage:
    """A series' versions: its runs (each with the layer re-applied to it, when
    recorded) and the layer's whole log."""

    info: RunInfo
    series: Series
    applications: dict[int, ApplicationView]
    review: ReviewState


class ReviewService:
    """The review workspace over one database; reads go through ``read_sessions``
    (default ``sessions``), ``clock`` stamps edits (tests move it)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        read_sessions: sessionmaker[Session] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._read_sessions = read_sessions or sessions
        self._clock = clock
        self.library = RunLibrary(self._read_sessions)
        self.layers = Layers(sessions, read_sessions=self._read_sessions, clock=clock)
        self._curator = Curator(self.library)

    # ------------------------------------------------------------------ reading maps

    def series(self) -> list[Series]:
        """Every map series (campaign and segment), the most recently synthesized first."""
        return self.library.series()

    def reviewed(self, run_id: int, *, personal: bool) -> Reviewed:
        """Run ``run_id`` with its series' layer applied, as the caller may see it."""
        run = self.library.run(run_id)
        return self._curator.reviewed(run, self.layers.read(run.info), personal=personal)

    def journey_map(self, run_id: int, *, personal: bool) -> JourneyMap:
        """The curated map of run ``run_id``."""
        return self.reviewed(run_id, personal=personal).curated.journey_map

    def map_page(self, run_id: int, *, personal: bool) -> MapPage:
        reviewed = self.reviewed(run_id, personal=personal)
        return map_page(
            reviewed,
            self.library.series_of(reviewed.run.info),
            self.application(run_id),
            new_steps=self._curator.new_steps(reviewed),
            approved=self.approved(run_id),
        )

    def history(self, run_id: int) -> HistoryPage:
        reviewed = self.reviewed(run_id, personal=True)
        series = self.library.series_of(reviewed.run.info)
        found = self.applications([r.id for r in series.runs])
        return HistoryPage(
            info=reviewed.run.info,
            series=series,
            applications=found,
            review=review_state(
                reviewed, found.get(run_id), editable=self._editable(run_id, series.latest.id)
            ),
        )

    def diff(
        self, before_id: int, after_id: int, *, waves: bool | None, personal: bool
    ) -> DiffPage:
        """Two runs' curated maps side by side. ``waves`` None: as waves when the runs
        are of different series (campaigns or segments), else as versions of one."""
        before = self.reviewed(before_id, personal=personal)
        after = self.reviewed(after_id, personal=personal)
        b, a = before.run.info, after.run.info
        as_waves = (
            waves if waves is not None else (b.campaign, b.segment) != (a.campaign, a.segment)
        )
        return diff_page(
            b,
            before.curated.journey_map,
            a,
            after.curated.journey_map,
            waves=as_waves,
            masked=not personal,
        )

    def controls(self, run_id: int) -> Controls:
        reviewed = self.reviewed(run_id, personal=True)
        latest = self.library.series_of(reviewed.run.info).latest.id
        return Controls(
            version=reviewed.layer.version,
            editable=self._editable(run_id, latest),
            latest_run_id=latest,
            stages=[(s.id, s.name) for s in reviewed.curated.journey_map.stages],
            pinned=dict(reviewed.curated.pinned),
        )

    def cell_page(self, run_id: int, *, kind: str, item_id: str, personal: bool) -> CellPage:
        """A cell's review page (:class:`EditRefused` for a cell not on the map)."""
        reviewed = self.reviewed(run_id, personal=personal)
        series = self.library.series_of(reviewed.run.info)
        state = review_state(
            reviewed, self.application(run_id), editable=self._editable(run_id, series.latest.id)
        )
        c, m = reviewed.curated, reviewed.curated.journey_map
        pools: dict[str, list[Any]] = {
            "stage": list(m.stages),
            "pain": [*m.pain_points, *c.rejected_pains],
            "opportunity": [*m.opportunities, *c.rejected_opportunities],
            "emerging": [*m.emerging_stages, *c.rejected_emerging],
        }
        if kind not in pools:
            raise EditRefused(f"There is no kind of cell called {kind[:40]!r}.")
        item = next((x for x in pools[kind] if x.id == item_id), None)
        if item is None:
            raise EditRefused(f"There is no {kind} {item_id[:40]} on this map now.")
        words = {"stage": "Stage", "pain": "Pain point", "opportunity": "Opportunity"}
        name = getattr(item, "name", None) or getattr(item, "label", "")
        return CellPage(
            info_id=run_id,
            kind=kind,
            item=item,
            title=f"{words.get(kind, 'Emerging stage')} “{name}”",
            review=state,
            stages=[(s.id, s.name) for s in m.stages],
            pains=[(p.id, p.label) for p in m.pain_points],
            masked=reviewed.masked,
            rejected=state.decision(kind, item_id) == "rejected",
            latest_run_id=series.latest.id,
        )

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
        """One page of the steps (or interviews) behind a cell of the curated map."""
        run = self.library.run(run_id)
        index = self.library.step_index(run)
        reviewed = self.reviewed(run_id, personal=True)
        curated = reviewed.curated
        with self.library.session() as session:
            return build_page(
                curated.journey_map,
                index,
                session,
                kind=kind,
                item_id=item_id,
                filters=filters,
                page=page,
                new_interviews=run.new_interviews if run.info.previous_run_id else frozenset(),
                masked=not personal,
                theme=theme,
                extra_cells=[*curated.rejected_pains, *curated.rejected_emerging],
                extra_opportunities=curated.rejected_opportunities,
                placed=curated.placed,
                stage_of=self._curator.stage_of(reviewed),
            )

    def transcript(self, run_id: int, interview_id: str, *, personal: bool) -> TranscriptView:
        """The transcript of one of the run's interviews."""
        run = self.library.run(run_id)
        index = self.library.step_index(run)
        with self.library.session() as session:
            return transcript_view(
                session,
                journey_map=self.journey_map(run_id, personal=True),
                index=index,
                interview_id=interview_id,
                masked=not personal,
            )

    # ------------------------------------------------------------------ curation

    def edit(
        self,
        run_id: int,
        *,
        editor: Editor,
        expected: int,
        kind: str,
        target_kind: str,
        target_id: str,
        payload: Mapping[str, Any],
        reason: str,
    ) -> EditView:
        """Add an edit to the layer of run ``run_id``'s series, made on the page of layer
        version ``expected``. Raises :class:`EditRefused` (the edit does not fit this
        map, with why) or :class:`EditConflict` (the layer moved on; nothing stored)."""
        run = self.library.run(run_id)
        self._check_latest(run)
        try:
            edit_kind, target, cleaned = check_shape(kind, target_kind, target_id, payload)
        except InvalidEdit as error:
            raise EditRefused(str(error)) from None
        layer = self.layers.read(run.info)
        if layer.version != expected:
            raise EditConflict(
                expected=expected, current=layer.version, since=list(layer.since(expected))
            )
        candidate = Edit(
            id=max((e.id for e in layer.edits), default=0) + 1,
            kind=edit_kind,
            target_kind=target,
            target_id=target_id.strip(),
            payload=cleaned,
        )
        self._check_fits(run, layer, candidate)
        return self.layers.add(
            run.info,
            editor=editor,
            expected=expected,
            kind=edit_kind,
            target_kind=target,
            target_id=target_id.strip(),
            payload=cleaned,
            reason=reason,
        )

    def undo(self, run_id: int, edit_id: int, *, editor: Editor, expected: int) -> EditView:
        """Undo one edit of the series' layer (it stays in the log, marked undone)."""
        run = self.library.run(run_id)
        self._check_latest(run)
        return self.layers.undo(run.info, edit_id, editor=editor, expected=expected)

    def _check_latest(self, run: LoadedRun) -> None:
        latest = self.library.series_of(run.info).latest.id
        if latest != run.id:
            raise EditRefused(
                f"This is an earlier run of the map: edits are made on the latest, run "
                f"{latest}, and apply to every run of the series."
            )
        if self.approved(run.id):
            raise EditRefused(
                "This version of the map is approved, so it is read-only: someone who may "
                "approve maps reopens it (back to draft, with a reason) before it is edited."
            )

    def approved(self, run_id: int) -> bool:
        """Whether run ``run_id`` is an approved version (read-only to curation; see
        ``bot.service.review.approval``)."""
        with self._read_sessions() as session:
            row = approval_store.statuses(session, [run_id]).get(run_id)
            return row is not None and row.status == "approved"

    def _editable(self, run_id: int, latest_id: int) -> bool:
        return latest_id == run_id and not self.approved(run_id)

    def _check_fits(self, run: LoadedRun, layer: LayerView, candidate: Edit) -> None:
        """Refuse an edit that would not apply to this run as the reviewer means it.
        Checked on the edits' outcomes only (nothing is measured again), so saving stays
        quick on a map of any size."""
        before = self._curator.reviewed(run, layer, personal=True).curated
        stage_of = {
            (r.interview_id, r.ordinal): s.id for s in before.journey_map.stages for r in s.steps
        }
        payload = candidate.payload
        if (
            candidate.kind == "move"
            and stage_of.get(step_key(candidate.target_id)) == payload["to"]
        ):
            raise EditRefused("The step is in that stage already.")
        if candidate.kind == "split" and candidate.target_kind == "stage":
            inside = sum(1 for s, v in stage_of.items() if v == candidate.target_id)
            if len(payload["steps"]) >= inside:
                raise EditRefused(
                    "Leave at least one step in the stage (to rename it, use Rename)."
                )
        if candidate.kind == "decide":
            now = before.decisions.get((candidate.target_kind, candidate.target_id))
            if now == payload["decision"]:
                raise EditRefused(f"It is {now} already.")
        sources = self.library.step_index(run).sources
        outcome = edit_outcomes(run.journey_map, [*layer.active, candidate], sources=sources)[
            candidate.id
        ]
        if outcome.status != "applied":
            raise EditRefused(f"That edit does not fit this map: {outcome.detail}.")

    def words(self, run_id: int, edits: list[EditView]) -> list[str]:
        """The edits in words, naming the cells of run ``run_id``'s map."""
        names = cell_names(self.reviewed(run_id, personal=True))
        return [describe(e.edit, names) for e in edits]

    # ------------------------------------------------------------------ new runs

    def reapply(
        self, run_id: int, *, observations: Sequence[StepObservation] | None = None
    ) -> ApplicationView:
        """Apply the series' layer to run ``run_id`` (a new run) and store what held,
        what no longer holds and where the new evidence landed. ``observations``: the
        steps synthesis read for the run, when it ran in this process (else they are
        read from storage)."""
        if observations is not None:
            self.library.prime(run_id, index_of(observations))
        reviewed = self.reviewed(run_id, personal=True)
        report = application_report(reviewed)
        now = self._clock()
        with self._sessions.begin() as session:
            row = store.save_application(
                session,
                run_id=run_id,
                layer_version=reviewed.layer.version,
                held=int(report["held"]),
                broken=len(report["no_longer_holds"]),
                report=report,
                now=now,
            )
            return ApplicationView(
                row.run_id, row.layer_version, row.applied_at, row.held, row.broken, row.report
            )

    def application(self, run_id: int) -> ApplicationView | None:
        """The stored record of the layer re-applied to run ``run_id``, if any."""
        with self._read_sessions() as session:
            row = store.applications(session, [run_id]).get(run_id)
            if row is None:
                return None
            return ApplicationView(
                row.run_id, row.layer_version, row.applied_at, row.held, row.broken, row.report
            )

    def applications(self, run_ids: list[int]) -> dict[int, ApplicationView]:
        with self._read_sessions() as session:
            rows = store.applications(session, run_ids)
            return {
                run_id: ApplicationView(
                    r.run_id, r.layer_version, r.applied_at, r.held, r.broken, r.report
                )
                for run_id, r in rows.items()
            }
