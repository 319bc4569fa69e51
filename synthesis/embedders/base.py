"""What every embedder shares: the protocol, the errors and duplicate handling."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from synthesis.clustering import Method

Matrix = NDArray[np.float64]


class Embedder(Protocol):
    """Turns texts into L2-normalised row vectors (one row per text, same order)."""

    def embed(self, texts: Sequence[str]) -> Matrix: ...


def preferred_clustering(embedder: object) -> Method:
    """The clustering algorithm an embedder's vectors do best with (its ``clustering``
    attribute; k-means for embedders that do not say)."""
    method = getattr(embedder, "clustering", "kmeans")
    return "ward" if method == "ward" else "kmeans"


class EmbedderError(RuntimeError):
    """An embedder could not be used or failed; the message says what to do about it."""


class UnknownEmbedder(ValueError):
    """No embedder is registered under this name."""


@dataclass(frozen=True)
class EmbedderConfig:
    """Everything an optional provider may need, filled in by the composition root from
    the ``JOURNEYLINE_*`` settings (nothing in ``synthesis`` reads the environment).

    ``cache_dir`` holds the OpenAI embedding cache (None: no cache); ``local_model_path``
    is a sentence-transformers model folder on disk (never a hub name).
    """

    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str = "text-embedding-3-small"
    openai_max_retries: int = 2
    openai_timeout_seconds: float = 60.0
    batch_size: int = 256
    cache_dir: Path | None = None
    local_model_path: Path | None = None


def deduplicate(keys: Sequence[str]) -> tuple[list[str], NDArray[np.int64], NDArray[np.int64]]:
    """Unique keys in first-seen order, each key's index into them, and their counts."""
    index: dict[str, int] = {}
    inverse = np.empty(len(keys), dtype=np.int64)
    for i, key in enumerate(keys):
        inverse[i] = index.setdefault(key, len(index))
    counts = np.bincount(inverse, minlength=len(index)).astype(np.int64)
    return list(index), inverse, counts


def unit_rows(matrix: NDArray[np.floating] | Sequence[Sequence[float]]) -> Matrix:
    """Rows scaled to length 1 (all-zero rows stay zero), as float64."""
    rows = np.asarray(matrix, dtype=np.float64)
    if rows.ndim != 2:
        rows = rows.reshape(len(rows), -1)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    result: Matrix = rows / np.where(norms == 0, 1.0, norms)
    return result
