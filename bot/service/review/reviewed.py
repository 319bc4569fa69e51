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
