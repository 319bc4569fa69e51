"""A run as reviewers see it: its map with the series' curation layer applied (cached per
run and layer version: both never change once written), masked when asked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.service.review.cache import Lru
from bot.service.review.layer import LayerView
from bot.service.review.library import CACHED_RUNS, LoadedRun, RunLibrary
from bot.service.review.masking import mask_curated
from synthesis.curation.apply import Curated, apply_layer
from synthesis.curation.edits import Edit, StepKey
from synthesis.observations import StepObservation


@dataclass(frozen=True)
class Reviewed:
    run: LoadedRun
    layer: LayerView
    curated: Curated
    masked: bool


class Curator:
    """Applies layers to runs, remembering the last few results."""

    def __init__(self, library: RunLibrary, *, cached: int = CACHED_RUNS) -> None:
        self._library = library
        self._plain: Lru[tuple[int, int], Curated] = Lru(cached)
        self._masked: Lru[tuple[int, int], Curated] = Lru(cached)
        self._new: Lru[tuple[int, int], dict[str, int]] = Lru(cached)
        self._stage_of: Lru[tuple[int, int], dict[StepKey, str]] = Lru(cached)

    def apply(self, run: LoadedRun, edits: Sequence[Edit]) -> Curated:
        """``edits`` applied to the run's map (not cached: for trying an edit out)."""
        index = self._library.step_index(run)

        def texts(keys: Sequence[StepKey]) -> Mapping[StepKey, StepObservation]:
            with self._library.session() as session:
                return index.with_texts(session, keys)

        return apply_layer(run.journey_map, edits, facts=index.steps, texts=texts)

    def reviewed(self, run: LoadedRun, layer: LayerView, *, personal: bool) -> Reviewed:
        key = (run.id, layer.version)
        curated = self._plain.get(key, lambda: self.apply(run, layer.active))
        if not personal:
            curated = self._masked.get(key, lambda: mask_curated(curated))
        return Reviewed(run=run, layer=layer, curated=curated, masked=not personal)

    def new_steps(self, reviewed: Reviewed) -> dict[str, int]:
        """Steps from interviews new in this run (since the one before it in the series),
        per stage, pain point and emerging stage of the curated map."""
        run = reviewed.run
        new = run.new_interviews if run.info.previous_run_id is not None else frozenset()

        def count() -> dict[str, int]:
            m = reviewed.curated.journey_map
            found: dict[str, int] = {}
            if not new:
                return found
            for cell_id, steps in [
                *((s.id, s.steps) for s in m.stages),
                *((p.id, p.steps) for p in m.pain_points),
                *((e.id, e.steps) for e in m.emerging_stages),
            ]:
                n = sum(1 for ref in steps if ref.interview_id in new)
                if n:
                    found[cell_id] = n
            return found

        return self._new.get((run.id, reviewed.layer.version), count)

    def stage_of(self, reviewed: Reviewed) -> dict[StepKey, str]:
        """Each step's stage in the curated map."""

        def build() -> dict[StepKey, str]:
            m = reviewed.curated.journey_map
            return {(r.interview_id, r.ordinal): s.id for s in m.stages for r in s.steps}

        return self._stage_of.get((reviewed.run.id, reviewed.layer.version), build)
