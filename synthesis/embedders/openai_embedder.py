"""OpenAI (or any OpenAI-compatible server's) embeddings: batched, cached by text hash.

The ``openai`` package is optional (``pip install journeyline[openai]``); it is imported
when the embedder is *used*, so a minimal install can still list and choose embedders.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from synthesis.clustering import Method as ClusterMethod
from synthesis.embedders.base import (
    EmbedderConfig,
    EmbedderError,
    Matrix,
    deduplicate,
    unit_rows,
)
from synthesis.embedders.cache import EmbeddingCache, text_key
from synthesis.text_cleaning import strip_noise

INSTALL_HINT = "pip install 'journeyline[openai]'"


class OpenAIEmbedder:
    """Embeddings from ``/v1/embeddings`` of OpenAI or a compatible ``base_url``.

    Distinct texts only are sent, ``batch_size`` per request, and only those missing
    from the cache (when ``cache`` is given). Empty texts are sent as a single space
    (the API rejects empty input). Rows come back L2-normalised, in input order.
    """

    name: ClassVar[str] = "openai"
    clustering: ClassVar[ClusterMethod] = "ward"

    def __init__(
        self,
        *,
        api_key: str | None,
        model: str = "text-embedding-3-small",
        base_url: str | None = None,
        batch_size: int = 256,
        cache: EmbeddingCache | None = None,
        max_retries: int = 2,
        timeout_seconds: float = 60.0,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.api_key = api_key
        self.model = model
        self.base_url = base_url
        self.batch_size = batch_size
        self.cache = cache
        self.max_retries = max_retries
        self.timeout_seconds = timeout_seconds
        self.requests_sent = 0
        self._client: Any = None

    @classmethod
    def from_config(cls, config: EmbedderConfig, *, seed: int) -> OpenAIEmbedder:
        # The API is deterministic enough for a fixed model; there is nothing to seed.
        return cls(
            api_key=config.openai_api_key,
            model=config.openai_model,
            base_url=config.openai_base_url,
            batch_size=config.batch_size,
            cache=EmbeddingCache(config.cache_dir) if config.cache_dir else None,
            max_retries=config.openai_max_retries,
            timeout_seconds=config.openai_timeout_seconds,
        )

    def embed(self, texts: Sequence[str]) -> Matrix:
        # Links, handles, reference numbers and signatures say nothing about the text.
        sent = [strip_noise(t) or " " for t in texts]
        unique, inverse, _ = deduplicate(sent)
        keys = [text_key(self.model, t) for t in unique]
        found = self.cache.get(keys) if self.cache else {}
        missing = [i for i, key in enumerate(keys) if key not in found]
        fresh: dict[str, Matrix] = {}
        for start in range(0, len(missing), self.batch_size):
            batch = missing[start : start + self.batch_size]
            vectors = self._request([unique[i] for i in batch])
            for i, vector in zip(batch, vectors, strict=True):
                fresh[keys[i]] = vector
            if self.cache:  # per batch, so a failure later keeps what was paid for
                self.cache.put({keys[i]: fresh[keys[i]] for i in batch})
        if not unique:
            return np.zeros((0, 0), dtype=np.float64)
        found.update(fresh)
        rows = unit_rows(np.vstack([found[k] for k in keys]))
        result: Matrix = rows[inverse]
        return result

    def _request(self, batch: list[str]) -> list[Matrix]:
        client = self._client or self._make_client()
        import openai

        try:
            response = client.embeddings.create(
                model=self.model, input=batch, encoding_format="float"
            )
        except openai.RateLimitError as error:
            raise EmbedderError(
                f"OpenAI embeddings: rate limited (HTTP 429) by {self._where()}: "
                f"{_detail(error)}. Wait and run again (cached texts are not sent twice), "
                "or lower JOURNEYLINE_EMBEDDING_BATCH_SIZE."
            ) from error
        except openai.APIStatusError as error:
            raise EmbedderError(
                f"OpenAI embeddings: HTTP {error.status_code} from {self._where()}: "
                f"{_detail(error)}"
            ) from error
        except openai.APIConnectionError as error:
            raise EmbedderError(
                f"OpenAI embeddings: cannot reach {self._where()} ({error}); check "
                "JOURNEYLINE_OPENAI_BASE_URL and the network."
            ) from error
        self.requests_sent += 1
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(batch):
            raise EmbedderError(
                f"OpenAI embeddings: asked for {len(batch)} vectors, got {len(data)}"
            )
        return [np.asarray(item.embedding, dtype=np.float64) for item in data]

    def _make_client(self) -> Any:
        try:
            import openai
        except ImportError:
            raise EmbedderError(
                f"the 'openai' embedder needs the openai package: {INSTALL_HINT}"
            ) from None
        if not self.api_key:
            raise EmbedderError(
                "the 'openai' embedder needs an API key: set JOURNEYLINE_OPENAI_API_KEY "
                "(and JOURNEYLINE_OPENAI_BASE_URL for an OpenAI-compatible server)"
            )
        self._client = openai.OpenAI(
            api_key=self.api_key,
            base_url=self.base_url,
            max_retries=self.max_retries,
            timeout=self.timeout_seconds,
        )
        return self._client

    def _where(self) -> str:
        return self.base_url or "api.openai.com"


def _detail(error: Exception) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        message = body.get("message") or (body.get("error") or {}).get("message")
        if message:
            return str(message)
    return str(error)
