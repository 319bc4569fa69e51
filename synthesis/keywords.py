"""Readable names for groups of texts: their most distinctive TF-IDF words."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]
    ENGLISH_STOP_WORDS,
    TfidfVectorizer,
)

from synthesis.embedders import normalise_text

# Interview filler that says nothing about a stage.
EXTRA_STOP_WORDS = frozenset({"just", "got", "get", "did", "went", "really", "bit", "lot", "ok"})
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | EXTRA_STOP_WORDS)


def group_keywords(texts: Sequence[str], groups: Sequence[int], *, top: int = 3) -> list[list[str]]:
    """For each group 0..max(groups), up to ``top`` words whose mean TF-IDF in the group
    most exceeds their mean elsewhere (ties broken alphabetically, so stable)."""
    n_groups = max(groups) + 1 if len(groups) else 0
    normalised = [normalise_text(t) for t in texts]
    if not any(normalised):
        return [[] for _ in range(n_groups)]
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words=STOP_WORDS, token_pattern=r"\S+")
    try:
        matrix = vectorizer.fit_transform(normalised)
    except ValueError:  # nothing but stop words
        return [[] for _ in range(n_groups)]
    terms = vectorizer.get_feature_names_out()
    labels = np.asarray(groups)
    result: list[list[str]] = []
    for group in range(n_groups):
        inside = labels == group
        mean_in = np.asarray(matrix[inside].mean(axis=0)).ravel()
        mean_out = (
            np.asarray(matrix[~inside].mean(axis=0)).ravel() if (~inside).any() else 0.0 * mean_in
        )
        score = mean_in - mean_out
        order = sorted(range(len(terms)), key=lambda i: (-score[i], terms[i]))
        result.append([str(terms[i]) for i in order[:top] if score[i] > 0])
    return result
