"""A sentence-transformers model loaded from a folder on disk (never from a hub).

Optional: ``pip install 'journeyline[local-embeddings]'`` (install the CPU build of torch
first, or pip fetches a multi-gigabyte CUDA build). The model folder is what
``SentenceTransformer.save()`` writes (``modules.json``, ``config.json``, weights).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from synthesis.clustering import Method as ClusterMethod
from synthesis.embedders.base import EmbedderConfig, EmbedderError, Matrix, deduplicate, unit_rows
from synthesis.text_cleaning import strip_noise

INSTALL_HINT = "pip install 'journeyline[local-embeddings]'"


class SentenceTransformerEmbedder:
    """Embeds with the sentence-transformers model at ``model_path`` on the CPU.

    Distinct texts only are encoded, ``batch_size`` at a time; rows are L2-normalised.
    The hub is switched off (``HF_HUB_OFFLINE=1``) before the library is imported, so a
    wrong path fails at once instead of trying to download a model of that name.
    """

    name: ClassVar[str] = "sentence-transformers"
    clustering: ClassVar[ClusterMethod] = "ward"

    def __init__(self, *, model_path: Path | None, batch_size: int = 64, seed: int = 0) -> None:
        self.model_path = model_path
        self.batch_size = batch_size
        self.seed = seed
        self._model: Any = None

    @classmethod
    def from_config(cls, config: EmbedderConfig, *, seed: int) -> SentenceTransformerEmbedder:
        return cls(
            model_path=config.local_model_path, batch_size=min(config.batch_size, 128), seed=seed
        )

    def embed(self, texts: Sequence[str]) -> Matrix:
        # Links, handles, reference numbers and signatures say nothing about the text.
        unique, inverse, _ = deduplicate([strip_noise(t) or " " for t in texts])
        model = self._model or self._load()
        if not unique:
            return np.zeros((0, 0), dtype=np.float64)
        encoded = model.encode(
            unique, batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True
        )
        result: Matrix = unit_rows(encoded)[inverse]
        return result

    def _load(self) -> Any:
        if self.model_path is None:
            raise EmbedderError(
                "the 'sentence-transformers' embedder needs a model folder on disk: set "
                "JOURNEYLINE_LOCAL_EMBEDDING_MODEL to it (a hub name is not downloaded)"
            )
        path = Path(self.model_path).expanduser()
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise EmbedderError(
                f"no sentence-transformers model at {path} (expected modules.json or "
                "config.json there); set JOURNEYLINE_LOCAL_EMBEDDING_MODEL to a model folder"
            )
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EmbedderError(
                f"the 'sentence-transformers' embedder needs the optional extra: {INSTALL_HINT}"
            ) from None
        import torch

        torch.manual_seed(self.seed)
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        return self._model
