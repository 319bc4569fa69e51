"""The offline default embedder, ``tfidf``: latent semantic analysis of short texts.

Texts are normalised (lower case, a small domain synonym map: "rang", "phoned" ->
"phone"; redaction marks such as "XXXX" dropped), then described twice: word 1-2 grams
(stop words dropped from larger corpora only, see MIN_DF_FROM) and character 3-5 grams
inside word boundaries (robust to typos, plurals and compounds: "refund", "refunded").
Both are sublinear TF-IDF, scaled to unit length and weighted (characters 50 %; 30 % in
corpora under MIN_DF_FROM distinct texts, where at 50 % they split a stage of
near-paraphrases by their varying words), joined, reduced with TruncatedSVD (LSA) and
L2-normalised, so a dot product is a cosine. The choice and the numbers come from
``bench/synthesis_quality.py`` (see bench/RESULTS.md).

Exact and normalised duplicates are fitted once: a text copied many times ("same as
before") must not decide the vocabulary weights or the SVD axes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.decomposition import TruncatedSVD  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]
    ENGLISH_STOP_WORDS,
    TfidfVectorizer,
)
from sklearn.preprocessing import normalize  # type: ignore[import-untyped]

from synthesis.clustering import Method as ClusterMethod
from synthesis.embedders.base import EmbedderConfig, Matrix, deduplicate
from synthesis.text_cleaning import strip_noise

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
# Redaction marks of exported complaint and ticket text ("XXXX", "XX/XX/2019").
_REDACTED = re.compile(r"x{2,}")
# From this many distinct texts on, words seen once are dropped and so are stop words.
# Below it the vocabulary is so thin that a word seen once, or "on" in "on hold" and "by"
# in "by email", may be all that a stage's answers have in common.
MIN_DF_FROM = 50
CHAR_WEIGHT_LARGE = 0.5
CHAR_WEIGHT_SMALL = 0.3
# scikit-learn's English stop words, less those that carry meaning in support stories
# (a "bill", a "call", "never", "not", "no", "back", "again", "before", "after").
KEPT_WORDS = frozenset(
    [
        "again",
        "after",
        "already",
        "amount",
        "back",
        "before",
        "bill",
        "call",
        "cannot",
        "detail",
        "down",
        "empty",
        "everything",
        "find",
        "fire",
        "first",
        "found",
        "full",
        "give",
        "interest",
        "keep",
        "last",
        "move",
        "never",
        "no",
        "nobody",
        "none",
        "not",
        "nothing",
        "off",
        "out",
        "part",
        "please",
        "put",
        "show",
        "still",
        "system",
        "take",
        "thank",
        "top",
        "up",
        "without",
        "yet",
    ]
)
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS - KEPT_WORDS)


def normalise_text(text: str, synonyms: Mapping[str, str] = DOMAIN_SYNONYMS) -> str:
    """Lower-case word tokens with domain synonyms mapped to one word and redaction
    marks dropped, space-joined; links, @handles, addresses, reference numbers,
    signatures and emoji removed first (``synthesis.text_cleaning``), so they cannot
    pull texts together."""
    return " ".join(
        synonyms.get(token, token)
        for token in _TOKEN.findall(strip_noise(text).lower())
        if not _REDACTED.fullmatch(token)
    )


class TfidfEmbedder:
    """Word + character n-gram TF-IDF, LSA to ``dimensions``, unit rows.

    ``char_weight`` is the share (0..1) of squared length given to the character
    n-grams (0 turns them off; None: ``CHAR_WEIGHT_LARGE`` for corpora of at least
    ``MIN_DF_FROM`` distinct texts, else ``CHAR_WEIGHT_SMALL``); ``stop_words`` leave the
    word n-grams of corpora that large (empty: keep every word). Fitted on the
    de-duplicated normalised texts; the SVD is seeded, so the same texts and seed give
    the same vectors.
    """

    name: ClassVar[str] = "tfidf"
    clustering: ClassVar[ClusterMethod] = "kmeans"

    def __init__(
        self,
        *,
        dimensions: int = 100,
        seed: int = 0,
        char_weight: float | None = None,
        stop_words: frozenset[str] = STOP_WORDS,
    ) -> None:
        if char_weight is not None and not 0.0 <= char_weight < 1.0:
            raise ValueError("char_weight must be in [0, 1)")
        self.dimensions = dimensions
        self.seed = seed
        self.char_weight = char_weight
        self.stop_words = stop_words

    @classmethod
    def from_config(cls, config: EmbedderConfig, *, seed: int) -> TfidfEmbedder:
        return cls(seed=seed)

    def embed(self, texts: Sequence[str]) -> Matrix:
        # Each distinct text normalised once (answers repeat, and cleaning is not free).
        distinct = {text: normalise_text(text) or "empty" for text in set(texts)}
        normalised = [distinct[t] for t in texts]
        unique, inverse, _ = deduplicate(normalised)
        large = len(unique) >= MIN_DF_FROM
        min_df = 2 if large else 1
        blocks = [
            _tfidf(
                unique,
                min_df=min_df,
                token_pattern=r"\S+",
                ngram_range=(1, 2),
                stop_words=sorted(self.stop_words) if large and self.stop_words else None,
            ),
        ]
        char_weight = self.char_weight
        if char_weight is None:
            char_weight = CHAR_WEIGHT_LARGE if large else CHAR_WEIGHT_SMALL
        weights = [1.0 - char_weight]
        if char_weight > 0:
            blocks.append(_tfidf(unique, min_df=min_df, analyzer="char_wb", ngram_range=(3, 5)))
            weights.append(char_weight)
        joined = sp.hstack(
            [normalize(b) * np.sqrt(w) for b, w in zip(blocks, weights, strict=True)]
        ).tocsr()
        components = min(self.dimensions, joined.shape[1] - 1, len(unique) - 1)
        if components >= 2:
            svd = TruncatedSVD(n_components=components, random_state=self.seed)
            reduced = svd.fit_transform(joined)
        else:
            reduced = joined.toarray()
        vectors: Matrix = normalize(np.asarray(reduced, dtype=np.float64))
        return vectors[inverse]


def _tfidf(texts: Sequence[str], *, min_df: int, **options: Any) -> Any:
    """Sublinear TF-IDF, keeping every term when none is seen ``min_df`` times."""
    try:
        return TfidfVectorizer(sublinear_tf=True, min_df=min_df, **options).fit_transform(texts)
    except ValueError:  # empty vocabulary: nothing seen twice, or only common words
        options = {k: v for k, v in options.items() if k != "stop_words"}
        return TfidfVectorizer(sublinear_tf=True, **options).fit_transform(texts)
