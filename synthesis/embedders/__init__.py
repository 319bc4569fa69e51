"""Text embedders behind an explicit name -> class registry.

``tfidf`` (the default) works offline on a minimal install; ``openai`` and
``sentence-transformers`` are optional providers that fail when *used*, with a message
saying what to install or configure. Pick one with :func:`make_embedder`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from synthesis.embedders.base import (
    Embedder,
    EmbedderConfig,
    EmbedderError,
    Matrix,
    UnknownEmbedder,
    deduplicate,
    preferred_clustering,
    unit_rows,
)
from synthesis.embedders.local import SentenceTransformerEmbedder
from synthesis.embedders.lsa import DOMAIN_SYNONYMS, TfidfEmbedder, normalise_text
from synthesis.embedders.openai_embedder import OpenAIEmbedder

DEFAULT_EMBEDDER = "tfidf"


class _Factory(Protocol):
    def from_config(self, config: EmbedderConfig, *, seed: int) -> Embedder: ...


EMBEDDERS: Mapping[str, _Factory] = {
    TfidfEmbedder.name: TfidfEmbedder,
    OpenAIEmbedder.name: OpenAIEmbedder,
    SentenceTransformerEmbedder.name: SentenceTransformerEmbedder,
}


def make_embedder(name: str, *, seed: int = 0, config: EmbedderConfig | None = None) -> Embedder:
    """The registered embedder ``name``, seeded and configured by ``config`` (default:
    an empty :class:`EmbedderConfig`, enough for ``tfidf``). Raises
    :class:`UnknownEmbedder` for a name not in :data:`EMBEDDERS`; optional providers
    raise :class:`EmbedderError` only when they embed and cannot."""
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        known = ", ".join(sorted(EMBEDDERS))
        raise UnknownEmbedder(f"unknown embedder {name!r} (known: {known})") from None
    return factory.from_config(config or EmbedderConfig(), seed=seed)


__all__ = [
    "DEFAULT_EMBEDDER",
    "DOMAIN_SYNONYMS",
    "EMBEDDERS",
    "Embedder",
    "EmbedderConfig",
    "EmbedderError",
    "Matrix",
    "OpenAIEmbedder",
    "SentenceTransformerEmbedder",
    "TfidfEmbedder",
    "UnknownEmbedder",
    "deduplicate",
    "make_embedder",
    "normalise_text",
    "preferred_clustering",
    "unit_rows",
]
