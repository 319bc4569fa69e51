"""A file cache of embedding vectors keyed by (model, text hash), in one SQLite file.

Paid embeddings are computed once per distinct text and model: re-running a synthesis
on a campaign that grew by ten interviews only sends the new texts.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from synthesis.embedders.base import Matrix

CACHE_FILE = "embeddings.sqlite"


def text_key(model: str, text: str) -> str:
    """SHA-256 of the model name and the exact text (no normalisation: what is sent)."""
    return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()


class EmbeddingCache:
    """``get``/``put`` vectors by key in ``folder/embeddings.sqlite`` (created on use)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / CACHE_FILE

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path)
        connection.execute(
            "CREATE TABLE IF NOT EXISTS embedding (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
        )
        return connection

    def get(self, keys: Sequence[str]) -> dict[str, Matrix]:
        """The cached vectors among ``keys`` (missing keys are left out)."""
        found: dict[str, Matrix] = {}
        if not keys or not self.path.exists():
            return found
        with self._connect() as connection:
            # The keys go in as one parameter, a JSON array that json_each() unpacks: the
            # statement stays the same for any number of keys (no list of placeholders to
            # build, no limit on the number of SQL variables to chunk around).
            rows = connection.execute(
                "SELECT key, vector FROM embedding WHERE key IN (SELECT value FROM json_each(?))",
                (json.dumps(list(keys)),),
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float64).copy()
        return found

    def put(self, vectors: Mapping[str, Matrix] | Iterable[tuple[str, Matrix]]) -> None:
        items = vectors.items() if isinstance(vectors, Mapping) else vectors
        rows = [(key, np.asarray(v, dtype=np.float64).tobytes()) for key, v in items]
        with self._connect() as connection:
            connection.executemany(
                "INSERT OR REPLACE INTO embedding (key, vector) VALUES (?, ?)", rows
            )
