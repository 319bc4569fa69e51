"""The word lists and cue tables the offline parsers read: the YAML files in this folder.

Each ``<name>.yaml`` is validated by its pydantic model in
:mod:`bot.understanding.lexicons.schema` (``LEXICON_MODELS`` says which). A wrong file
raises :class:`LexiconError`, which names the file and every bad entry.

Nothing is read at import: each parser loads its file the first time it runs and keeps
the result for the life of the process, so ``journeyline --help`` and code that never
reads an answer do not pay for it.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from bot.data_files import DataFileError, read_data_file

__all__ = ["LexiconError", "lexicon_path", "load_lexicon", "read_lexicon"]

M = TypeVar("M", bound=BaseModel)


class LexiconError(DataFileError):
    """A lexicon file is missing or invalid. The message names the file and each entry."""

    kind = "lexicon"


def lexicon_path(name: str) -> Path:
    """Where the packaged lexicon ``name`` (e.g. ``"feelings"``) lives."""
    return Path(str(resources.files(__name__).joinpath(f"{name}.yaml")))


def load_lexicon(name: str, model: type[M]) -> M:
    """Read the packaged lexicon ``name`` and validate it as ``model``.

    Not cached: every caller is a parser's own cached table builder, so each file is
    read once per process. Raises :class:`LexiconError` when the file is unreadable,
    is not YAML, repeats a key or does not fit ``model``.
    """
    return read_lexicon(lexicon_path(name), model)


def read_lexicon(path: Path, model: type[M]) -> M:
    """Read any lexicon file (a packaged one or a test's) and validate it as ``model``."""
    return read_data_file(path, model, error=LexiconError)
