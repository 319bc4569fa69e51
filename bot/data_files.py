"""YAML data files checked by pydantic models: the understanding lexicons, the demo personas.

One reader, so every data file fails the same way: a file that cannot be read, is not
YAML, repeats a mapping key or does not fit its model raises :class:`DataFileError`
(or a subclass), whose message names the file and every bad entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

__all__ = ["DataFileError", "read_data_file"]

M = TypeVar("M", bound=BaseModel)

# libyaml parses several times faster than the pure-Python parser, and the first answer
# a process reads waits for the lexicons.
_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)


class DataFileError(ValueError):
    """A data file is missing or invalid. The message names the file and each problem."""

    kind: ClassVar[str] = "data file"

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        details = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"invalid {self.kind} {source}:\n{details}")


def read_data_file(path: Path, model: type[M], *, error: type[DataFileError] = DataFileError) -> M:
    """Read the YAML file at ``path`` and validate it as ``model``.

    Raises ``error`` (a :class:`DataFileError` subclass names the kind of file in the
    message) when the file is unreadable, is not YAML, repeats a key or does not fit.
    """
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise error(source, [f"cannot read: {problem}"]) from None
    try:
        data = _parse(text)
    except yaml.YAMLError as problem:
        raise error(source, [f"not valid YAML: {problem}"]) from None
    try:
        return model.model_validate(data)
    except ValidationError as problem:
        raise error(source, [describe(issue) for issue in problem.errors()]) from None


def describe(issue: ErrorDetails) -> str:
    """One pydantic error as ``where: what (got value)``.

    ``where`` is a path into the file: ``scores[2][0]`` is the first item under key 2,
    ``pains.long_wait.cues[2]`` the third cue of long_wait; ``(the key)`` marks a bad key.
    """
    where = ""
    for part in issue["loc"]:
        if part == "[key]":
            where += " (the key)"
        else:
            where += f"[{part}]" if isinstance(part, int) else f".{part}"
    got = repr(issue["input"])
    if len(got) > 80:
        got = got[:77] + "..."
    return f"{where.lstrip('.') or '(top level)'}: {issue['msg']} (got {got})"


def _parse(text: str) -> Any:
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        # PyYAML keeps the last of two equal keys without a word; in a data file that is
        # an entry silently losing its first meaning.
        _reject_duplicate_keys(node)
        return loader.construct_document(node)
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
