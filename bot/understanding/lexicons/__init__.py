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
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

__all__ = ["LexiconError", "lexicon_path", "load_lexicon", "read_lexicon"]

M = TypeVar("M", bound=BaseModel)

# libyaml parses these files several times faster than the pure-Python parser, and the
# first answer a process reads waits for them.
_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)


class LexiconError(ValueError):
    """A lexicon file is missing or invalid. The message names the file and each entry."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        details = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"invalid lexicon {source}:\n{details}")


def lexicon_path(name: str) -> Path:
    """Where the packaged lexicon ``name`` (e.g. ``"feelings"``) lives."""
    return Path(str(resources.files(__name__).joinpath(f"{name}.yaml")))


def load_lexicon(name: str, model: type[M]) -> M:
    """Read the packaged lexicon ``name`` and validate it as ``model``.

    Not cached: every caller is a parser's own cached table builder, so each file is
    read once per process. Raises :class:`LexiconError` when the file is unreadable,
    is not YAML, or does not fit ``model``.
    """
    return read_lexicon(lexicon_path(name), model)


def read_lexicon(path: Path, model: type[M]) -> M:
    """Read any lexicon file (a packaged one or a test's) and validate it as ``model``."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LexiconError(source, [f"cannot read: {error}"]) from None
    data = _parse(text, source)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise LexiconError(source, [_describe(issue) for issue in error.errors()]) from None


def _parse(text: str, source: str) -> Any:
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            # PyYAML keeps the last of two equal keys without a word; in a lexicon that
            # is a phrase silently losing its first meaning.
            _reject_duplicate_keys(node)
        return loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        raise LexiconError(source, [f"not valid YAML: {error}"]) from None
    finally:
        loader.dispose()


def _reject_duplicate_keys(node: yaml.Node) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    line = key.start_mark.line + 1
                    raise yaml.YAMLError(f"line {line}: {key.value!r} appears twice")
                seen.add(key.value)
            _reject_duplicate_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _reject_duplicate_keys(item)


def _describe(issue: ErrorDetails) -> str:
    # scores[2][0] is the first phrase under score 2; tools.receipt[1] a tool's second cue.
    where = ""
    for part in issue["loc"]:
        if part == "[key]":
            where += " (the key)"
        else:
            where += f"[{part}]" if isinstance(part, int) else f".{part}"
    where = where.lstrip(".")
    got = repr(issue["input"])
    if len(got) > 80:
        got = got[:77] + "..."
    return f"{where or '(top level)'}: {issue['msg']} (got {got})"
