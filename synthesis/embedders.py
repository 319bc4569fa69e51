"""Text embedders behind an explicit name -> class registry.

The offline default, ``tfidf``, is TF-IDF (word 1-2 grams, sublinear tf) reduced with
TruncatedSVD and L2-normalised, after a small domain synonym map ("rang", "phoned" ->
"phone"). Exact and normalised duplicates are fitted once: a text copied many times ("same
as before") must not decide the vocabulary weights or the SVD axes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from sklearn.decomposition import TruncatedSVD  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.preprocessing import normalize  # type: ignore[import-untyped]

Matrix = NDArray[np.float64]

DOMAIN_SYNONYMS: Mapping[str, str] = {
    **dict.fromkeys(
        [
            "rang",
            "ring",
            "rung",
            "phoned",
            "phoning",
            "called",
            "call",
            "calling",
            "calls",
            "hotline",
            "telephone",
            "telephoned",
            "dialled",
            "dialed",
        ],
        "phone",
    ),
    **dict.fromkeys(["emailed", "emails", "mail", "mailed", "e-mail", "e-mailed"], "email"),
    **dict.fromkeys(["chatted", "livechat", "chatting"], "chat"),
    **dict.fromkeys(["bot", "chatbot", "assistant"], "chatbot"),
    **dict.fromkeys(["tweeted", "twitter", "facebook", "instagram", "dm"], "social"),
    **dict.fromkeys(["waited", "waiting", "hold", "queue", "queued"], "wait"),
    **dict.fromkeys(["refunded", "refunds", "reimbursed", "reimbursement"], "refund"),
    **dict.fromkeys(["faq", "faqs", "article", "articles"], "helpcenter"),
    **dict.fromkeys(["noticed", "spotted", "realised", "realized", "discovered"], "notice"),
    **dict.fromkeys(["transferred", "transfer", "passed", "bounced"], "transfer"),
}

_TOKEN = re.compile(r"[a-z0-9][a-z0-9'\-]*")


def normalise_text(text: str, synonyms: Mapping[str, str] = DOMAIN_SYNONYMS) -> str:
    """Lower-case word tokens with domain synonyms mapped to one word, space-joined."""
    return " ".join(synonyms.get(token, token) for token in _TOKEN.findall(text.lower()))


def deduplicate(keys: Sequence[str]) -> tuple[list[str], NDArray[np.int64], NDArray[np.int64]]:
    """Unique keys in first-seen order, each key's index into them, and their counts."""
    index: dict[str, int] = {}
    inverse = np.empty(len(keys), dtype=np.int64)
    for i, key in enumerate(keys):
        inverse[i] = index.setdefault(key, len(index))
    counts = np.bincount(inverse, minlength=len(index)).astype(np.int64)
    return list(index), inverse, counts


class Embedder(Protocol):
    """Turns texts into L2-normalised row vectors (one row per text, same order)."""

    def embed(self, texts: Sequence[str]) -> Matrix: ...


class TfidfEmbedder:
    """TF-IDF + TruncatedSVD + L2 normalisation, fitted on the de-duplicated texts."""

    def __init__(self, *, dimensions: int = 100, seed: int = 0) -> None:
        self.dimensions = dimensions
        self.seed = seed

    def embed(self, texts: Sequence[str]) -> Matrix:
        normalised = [normalise_text(t) or "empty" for t in texts]
        unique, inverse, _ = deduplicate(normalised)
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        tfidf = vectorizer.fit_transform(unique)
        components = min(self.dimensions, tfidf.shape[1] - 1, len(unique) - 1)
        if components >= 2:
            svd = TruncatedSVD(n_components=components, random_state=self.seed)
            reduced = svd.fit_transform(tfidf)
        else:
            reduced = tfidf.toarray()
        vectors: Matrix = normalize(np.asarray(reduced, dtype=np.float64))
        return vectors[inverse]


EMBEDDERS: Mapping[str, type[TfidfEmbedder]] = {"tfidf": TfidfEmbedder}


class UnknownEmbedder(ValueError):
    """No embedder is registered under this name."""


def make_embedder(name: str, *, seed: int = 0) -> Embedder:
    """The registered embedder ``name``, seeded; raises :class:`UnknownEmbedder`."""
    try:
        cls = EMBEDDERS[name]
    except KeyError:
        known = ", ".join(sorted(EMBEDDERS))
        raise UnknownEmbedder(f"unknown embedder {name!r} (known: {known})") from None
    return cls(seed=seed)
