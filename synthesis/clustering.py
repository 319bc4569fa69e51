"""Deterministic clustering with k chosen by silhouette, on de-duplicated rows.

Identical rows are clustered once with a damped weight (1 + log count): a text repeated
many times still counts for more than a single one, but cannot pull every centroid
towards itself (the "known trap" of ../shared/data/README.md).

Two algorithms: k-means (the default; best on the LSA vectors of the ``tfidf``
embedder) and ``ward``: Ward's agglomerative tree cut at k, polished by k-means started
from its centroids (better on dense sentence embeddings; ``bench.synthesis_quality``
compares them). Ward needs memory quadratic in
the rows, so above ``WARD_MAX_ROWS`` distinct rows plain k-means is used.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray
from sklearn.cluster import AgglomerativeClustering, KMeans  # type: ignore[import-untyped]
from sklearn.metrics import silhouette_score  # type: ignore[import-untyped]

N_INIT = 10
SILHOUETTE_SAMPLE = 3000
# Wide k ranges are searched on a geometric grid of about this many values: the
# silhouette curve is flat near its best, and every candidate costs N_INIT k-means runs.
MAX_CANDIDATES = 12
WARD_MAX_ROWS = 10_000
Method = Literal["kmeans", "ward"]


def cluster_rows(
    features: NDArray[np.float64],
    *,
    k: int | None,
    k_min: int = 2,
    k_max: int = 8,
    seed: int = 0,
    method: Method = "kmeans",
) -> NDArray[np.int64]:
    """A cluster label per row of ``features`` (labels 0..k-1, not yet in any order).

    ``k`` forces the number of clusters (capped by the number of distinct rows);
    otherwise the k in ``[k_min, k_max]`` with the best silhouette wins (ties: the
    smaller k). Fewer than three distinct rows give one cluster each. ``method`` picks
    the algorithm (see the module docstring); ``seed`` fixes k-means' starts.
    """
    rounded = np.round(features, 6)
    unique, inverse, counts = np.unique(rounded, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    n_unique = unique.shape[0]
    weights = 1.0 + np.log(counts.astype(np.float64))
    if k is not None:
        chosen = max(1, min(k, n_unique))
    elif n_unique < 3:
        chosen = n_unique
    else:
        chosen = _best_k(
            unique, weights, k_min=k_min, k_max=min(k_max, n_unique - 1), seed=seed, method=method
        )
    if chosen <= 1:
        return np.zeros(features.shape[0], dtype=np.int64)
    labels = _fit(unique, weights, chosen, seed, method)
    result: NDArray[np.int64] = labels[inverse].astype(np.int64)
    return result


def _fit(
    rows: NDArray[np.float64],
    weights: NDArray[np.float64],
    k: int,
    seed: int,
    method: Method,
) -> NDArray[np.int64]:
    if method == "ward" and rows.shape[0] <= WARD_MAX_ROWS:
        tree = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(rows)
        # Polish Ward's cut with k-means started from its centroids: Ward finds the
        # groups, k-means moves the members its greedy merges left on the wrong side.
        centroids = np.vstack([rows[tree == c].mean(axis=0) for c in range(k)])
        polish = KMeans(n_clusters=k, init=centroids, n_init=1, random_state=seed)
        polished: NDArray[np.int64] = polish.fit_predict(rows, sample_weight=weights)
        return polished
    model = KMeans(n_clusters=k, n_init=N_INIT, random_state=seed)
    labels: NDArray[np.int64] = model.fit_predict(rows, sample_weight=weights)
    return labels


def _best_k(
    rows: NDArray[np.float64],
    weights: NDArray[np.float64],
    *,
    k_min: int,
    k_max: int,
    seed: int,
    method: Method,
) -> int:
    # Silhouette has no sample weights: score each distinct row as often as its (damped)
    # weight says, so a few distinct texts repeated by many customers still read as dense
    # groups, but a flood of one copied answer counts only a few times.
    repeats = np.repeat(np.arange(rows.shape[0]), np.rint(weights).astype(np.int64))
    scored = rows[repeats]
    best_k, best_score = max(2, min(k_min, k_max)), -2.0
    for k in candidate_ks(max(2, k_min), k_max):
        labels = _fit(rows, weights, k, seed, method)
        if len(set(labels.tolist())) < 2:
            continue
        sample = min(SILHOUETTE_SAMPLE, scored.shape[0])
        score = float(
            silhouette_score(scored, labels[repeats], sample_size=sample, random_state=seed)
        )
        if score > best_score + 1e-9:
            best_k, best_score = k, score
    return best_k


def candidate_ks(k_min: int, k_max: int) -> list[int]:
    """Every k in ``[k_min, k_max]`` when there are few, else a geometric grid with both
    ends (ascending, distinct)."""
    if k_max - k_min + 1 <= MAX_CANDIDATES:
        return list(range(k_min, k_max + 1))
    grid = np.geomspace(k_min, k_max, MAX_CANDIDATES)
    return sorted({round(float(k)) for k in grid} | {k_min, k_max})
